"""Build the components (store, embedder, LLM) from config, once, in one place."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from assistant.config import Config, load_config
from assistant.errors import ConfigError

if TYPE_CHECKING:
    from assistant.embed import Embedder
    from assistant.llm import LLM
    from assistant.store import Store

NOW_ENV = "ASSISTANT_NOW"


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
    _store: Store | None = field(default=None, repr=False)
    _embedder: Embedder | None = field(default=None, repr=False)
    _llm: LLM | None = field(default=None, repr=False)
    _searcher: Any = field(default=None, repr=False)
    _planner: Any = field(default=None, repr=False)  # (store generation, Planner)

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

    @property
    def store(self) -> Store:
        if self._store is None:
            from assistant.store import Store

            self._store = Store(self.config.store.path)
        return self._store

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            from assistant.embed import Embedder

            self._embedder = Embedder.from_config(self.config.embedding)
        return self._embedder

    @property
    def llm(self) -> LLM:
        if self._llm is None:
            from assistant.llm import load_llm

            self._llm = load_llm(self.config.llm, cache_dir=self.config.store.path.parent)
        return self._llm

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None
