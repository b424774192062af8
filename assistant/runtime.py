"""Build the components (store, embedder, LLM) from config, once, in one place."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from assistant.config import Config, load_config, user_cache_dir
from assistant.errors import ConfigError

if TYPE_CHECKING:
    from assistant.embed import Embedder
    from assistant.keys import StoreKey
    from assistant.llm import LLM
    from assistant.llm_server import ServerBackend
    from assistant.store import Store

NOW_ENV = "ASSISTANT_NOW"
_LOCKED: Any = object()  # the store's key has not been looked for yet


def warn_stderr(message: str) -> None:
    sys.stderr.write(f"warning: {message}\n")


def parse_now(value: str | None, tz: ZoneInfo) -> datetime:
    """--now / $ASSISTANT_NOW as an aware datetime; naive values are in ``tz``."""
    if not value:
        return datetime.now(tz)
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise ConfigError(
            f"--now: not an ISO-8601 date or time: {value!r} (e.g. 2026-11-23T09:00)"
        ) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=tz)
    return parsed.astimezone(tz)


@dataclass
class Runtime:
    """Config plus lazily built components. The CLI and the daemon each hold one."""

    config: Config
    now_override: str | None = None
    # Told before a slow step ("loading the language model…"); the CLI shows it on a TTY.
    on_status: Callable[[str], None] | None = field(default=None, repr=False)
    use_daemon: bool = True  # False with --no-daemon: neither use nor start the daemon
    index_building: bool = False  # a daemon catching up: an empty index is not an error yet
    _store: Store | None = field(default=None, repr=False)
    _embedder: Embedder | None = field(default=None, repr=False)
    _llm: LLM | None = field(default=None, repr=False)
    _server: ServerBackend | None = field(default=None, repr=False)
    _searcher: Any = field(default=None, repr=False)
    _planner: Any = field(default=None, repr=False)  # (store generation, Planner)
    _key: Any = field(default=_LOCKED, repr=False)  # StoreKey | None once unlocked
    warn: Callable[[str], None] = field(default=warn_stderr, repr=False)

    @classmethod
    def from_options(cls, config_path: Path | None, now: str | None) -> Runtime:
        config = load_config(config_path)
        return cls(config=config, now_override=now or os.environ.get(NOW_ENV))

    @property
    def tz(self) -> ZoneInfo:
        return self.config.tz

    @property
    def now(self) -> datetime:
        return parse_now(self.now_override, self.tz)

    def status(self, message: str) -> None:
        if self.on_status is not None:
            self.on_status(message)

    def has_store(self) -> bool:
        """Whether the index file exists (read-only commands never create it)."""
        return self._store is not None or self.config.store.path.exists()

    @property
    def store(self) -> Store:
        if self._store is None:
            self._store = self.open_store()
        return self._store

    @property
    def store_key(self) -> StoreKey | None:
        """Looked for once per process (the daemon: at start) and kept in memory only."""
        if self._key is _LOCKED:
            from assistant.cipher import unlock

            self._key = unlock(self.config.store.path, self.config.store.encryption, self.warn)
        return self._key  # type: ignore[no-any-return]

    def open_store(self) -> Store:
        """A new connection to the store (the daemon's writer has its own)."""
        from assistant.store import Store

        return Store(self.config.store.path, key=self.store_key)

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            from assistant.embed import Embedder

            self.status("loading the embedding model…")
            self._embedder = Embedder.from_config(self.config.embedding)
        return self._embedder

    @property
    def llm(self) -> LLM:
        if self._llm is None:
            from assistant.llm import load_llm

            self.status("loading the language model…")
            # One copy of the bundled model per user, not one per store.
            self._llm = load_llm(self.config.llm, cache_dir=user_cache_dir())
        return self._llm

    @property
    def server(self) -> ServerBackend | None:
        """The model server that phrases answers ([llm] backend = "server"), or None; the
        local model (``llm``) is its fallback."""
        if self.config.llm.backend != "server":
            return None
        if self._server is None:
            from assistant.llm_server import ServerBackend

            self._server = ServerBackend(self.config.llm)
        return self._server

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None
