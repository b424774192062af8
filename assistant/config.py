"""Load and validate config.toml into frozen dataclasses; errors name the key."""

from __future__ import annotations

import os
import sys
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from assistant.errors import ConfigError

SOURCE_KINDS = ("notes", "calendar", "messages", "auto")
ENCRYPTION_MODES = ("auto", "keyring", "passphrase", "none")
CONFIG_ENV = "ASSISTANT_CONFIG"


@dataclass(frozen=True)
class StoreConfig:
    path: Path
    encryption: str = "auto"  # auto | keyring | passphrase | none (a new store's key)


@dataclass(frozen=True)
class SourceConfig:
    path: Path
    kind: str = "auto"


@dataclass(frozen=True)
class EmbeddingConfig:
    model: str = "bundled"
    batch_size: int = 32  # 64 x 256-token sequences costs ~500 MB of attention for no speed-up


LLM_BACKENDS = ("local", "server")


@dataclass(frozen=True)
class LoraConfig:
    path: Path
    scale: float = 1.0


@dataclass(frozen=True)
class LLMConfig:
    model: str = "bundled"  # local: "bundled" or a GGUF path; server: the server's model name
    threads: int = 0  # 0 = the machine's physical cores
    context: int = 4096
    max_tokens: int = 160
    temperature: float = 0.0
    backend: str = "local"  # local | server (an OpenAI-compatible /v1 endpoint)
    url: str = ""  # the server's base URL, e.g. http://192.168.1.20:8080/v1
    api_key_env: str = ""  # the environment variable holding the server's API key, if any
    timeout: float = 15.0  # seconds to connect and between two streamed chunks
    allow_remote: bool = False  # a server outside loopback/private/link-local addresses
    lora: tuple[LoraConfig, ...] = ()  # adapters applied to the local model
    origin: Path | None = None  # config.toml, named by errors found after loading

    @property
    def local_model(self) -> str:
        """The GGUF run in-process: the configured one, or the bundled model as the
        server's fallback."""
        return self.model if self.backend == "local" else "bundled"


@dataclass(frozen=True)
class DaemonConfig:
    autostart: bool = True  # search/ask/calendar start the daemon when none serves the store


@dataclass(frozen=True)
class RetrievalConfig:
    k: int = 5
    min_similarity: float = 0.40  # below this, no source is "relevant" to the question


@dataclass(frozen=True)
class Config:
    timezone: str
    store: StoreConfig
    sources: tuple[SourceConfig, ...]
    embedding: EmbeddingConfig = field(default_factory=EmbeddingConfig)
    llm: LLMConfig = field(default_factory=LLMConfig)
    retrieval: RetrievalConfig = field(default_factory=RetrievalConfig)
    daemon: DaemonConfig = field(default_factory=DaemonConfig)
    path: Path | None = None  # the file this came from, if any
    looked_for: tuple[Path, ...] = ()  # when no file was found: where we looked
    warnings: tuple[str, ...] = ()  # e.g. a source folder that is not there (yet)

    def no_config_found(self) -> str:
        """One line saying that no config file exists and where one was looked for."""
        places = ", ".join(str(p) for p in self.looked_for)
        return f"no config file found (looked for {places}); create one (see README) or pass --config"

    @property
    def tz(self) -> ZoneInfo:
        return resolve_timezone(self.timezone)


def zone_named(name: str) -> ZoneInfo | None:
    """The IANA zone called ``name``, or None. ZoneInfo raises more than "not found" for
    bad names ("Europe" is a folder of the tz database: IsADirectoryError)."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return None


def resolve_timezone(name: str) -> ZoneInfo:
    """The IANA zone ``name``, or the system's zone when ``name`` is empty."""
    if name:
        zone = zone_named(name)
        if zone is None:
            raise ZoneInfoNotFoundError(name)
        return zone
    env = os.environ.get("TZ", "").lstrip(":")
    if env and (zone := zone_named(env)) is not None:
        return zone
    target = os.path.realpath("/etc/localtime")
    marker = "/zoneinfo/"
    if marker in target and (zone := zone_named(target.split(marker, 1)[1])) is not None:
        return zone
    return ZoneInfo("UTC")


def user_config_dir() -> Path:
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Application Support" / "assistant"
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "assistant"


def user_data_dir() -> Path:
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Application Support" / "assistant"
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "assistant"


def user_cache_dir() -> Path:
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "assistant"
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "assistant"


def config_candidates() -> tuple[Path, ...]:
    """Where a config is looked for when neither --config nor $ASSISTANT_CONFIG names one."""
    return (Path.cwd() / "config.toml", user_config_dir() / "config.toml")


def find_config(explicit: Path | None = None) -> Path | None:
    """--config PATH, else $ASSISTANT_CONFIG, else ./config.toml, else the user config dir."""
    if explicit is not None:
        if not explicit.is_file():
            raise ConfigError(f"config file not found: {explicit}")
        return explicit
    env = os.environ.get(CONFIG_ENV)
    if env:
        p = Path(env).expanduser()
        if not p.is_file():
            raise ConfigError(f"{CONFIG_ENV} points at a missing file: {p}")
        return p
    for candidate in config_candidates():
        if candidate.is_file():
            return candidate
    return None


def load_config(explicit: Path | None = None) -> Config:
    path = find_config(explicit)
    if path is None:
        # No file anywhere: an empty configuration in the user's data dir. Nothing is
        # created from it: read-only commands say where a config was looked for.
        return Config(
            timezone="",
            store=StoreConfig(path=user_data_dir() / "assistant.db"),
            sources=(),
            looked_for=config_candidates(),
        )
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc})") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read ({exc})") from None
    return parse_config(raw, base=path.parent.resolve(), origin=path)


# --- validation --------------------------------------------------------------

_SECTIONS: dict[str, dict[str, type | tuple[type, ...]]] = {
    "store": {"path": str, "encryption": str},
    "sources": {"path": str, "kind": str},
    "embedding": {"model": str, "batch_size": int},
    "llm": {
        "model": str,
        "threads": int,
        "context": int,
        "max_tokens": int,
        "temperature": (int, float),
        "backend": str,
        "url": str,
        "api_key_env": str,
        "timeout": (int, float),
        "allow_remote": bool,
        "lora": list,
    },
    "retrieval": {"k": int, "min_similarity": (int, float)},
    "daemon": {"autostart": bool},
}
_TOP = {"timezone": str}


def _check_table(
    table: dict[str, Any], schema: dict[str, Any], prefix: str, origin: Path | None
) -> None:
    where = f"{origin}: " if origin else ""
    for key, value in table.items():
        name = f"{prefix}{key}"
        if key not in schema:
            raise ConfigError(f"{where}unknown key '{name}'")
        expected = schema[key]
        # bool is an int in Python; a user writing `threads = true` made a mistake.
        if isinstance(value, bool) != (expected is bool) or not isinstance(value, expected):
            want = expected.__name__ if isinstance(expected, type) else "number"
            want = {"str": "a string", "int": "an integer", "bool": "true or false"}.get(
                want, f"a {want}"
            )
            raise ConfigError(f"{where}key '{name}' must be {want}, got {value!r}")


def _resolve(base: Path, value: str) -> Path:
    p = Path(value).expanduser()
    return p if p.is_absolute() else (base / p)


def parse_config(raw: dict[str, Any], base: Path, origin: Path | None = None) -> Config:
    """Validate a decoded TOML table. Relative paths resolve against ``base``."""
    where = f"{origin}: " if origin else ""
    for key, value in raw.items():
        if key in _TOP:
            _check_table({key: value}, _TOP, "", origin)
        elif key == "sources":
            if not isinstance(value, list) or not all(isinstance(s, dict) for s in value):
                raise ConfigError(f"{where}key 'sources' must be a list of [[sources]] tables")
        elif key in _SECTIONS:
            if not isinstance(value, dict):
                raise ConfigError(f"{where}key '{key}' must be a [{key}] table")
        else:
            raise ConfigError(f"{where}unknown key '{key}'")

    timezone = raw.get("timezone", "")
    try:
        resolve_timezone(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"{where}key 'timezone': unknown time zone {timezone!r}") from None

    store_raw = raw.get("store", {})
    _check_table(store_raw, _SECTIONS["store"], "store.", origin)
    store = StoreConfig(
        path=_resolve(base, store_raw.get("path", "index/assistant.db")),
        encryption=store_raw.get("encryption", "auto"),
    )
    if store.encryption not in ENCRYPTION_MODES:
        raise ConfigError(
            f"{where}key 'store.encryption' must be one of {', '.join(ENCRYPTION_MODES)}, "
            f"got {store.encryption!r}"
        )

    sources: list[SourceConfig] = []
    warnings: list[str] = []
    for i, src in enumerate(raw.get("sources", [])):
        prefix = f"sources[{i}]."
        _check_table(src, _SECTIONS["sources"], prefix, origin)
        if "path" not in src:
            raise ConfigError(f"{where}key '{prefix}path' is missing")
        kind = src.get("kind", "auto")
        if kind not in SOURCE_KINDS:
            raise ConfigError(
                f"{where}key '{prefix}kind' must be one of {', '.join(SOURCE_KINDS)}, got {kind!r}"
            )
        path = _resolve(base, src["path"])
        if not path.exists():
            # An unmounted drive or a folder not made yet: the other sources still work,
            # and what was indexed from this one is kept until it comes back.
            warnings.append(f"{where}key '{prefix}path': folder not found: {path}")
        sources.append(SourceConfig(path=path.resolve(), kind=kind))

    emb_raw = raw.get("embedding", {})
    _check_table(emb_raw, _SECTIONS["embedding"], "embedding.", origin)
    emb_model = emb_raw.get("model", "bundled")
    if emb_model != "bundled":
        emb_model = str(_resolve(base, emb_model))
    embedding = EmbeddingConfig(model=emb_model, batch_size=emb_raw.get("batch_size", 32))
    if embedding.batch_size < 1:
        raise ConfigError(f"{where}key 'embedding.batch_size' must be at least 1")

    llm = parse_llm(raw.get("llm", {}), base, origin)

    ret_raw = raw.get("retrieval", {})
    _check_table(ret_raw, _SECTIONS["retrieval"], "retrieval.", origin)
    retrieval = RetrievalConfig(
        k=ret_raw.get("k", 5), min_similarity=float(ret_raw.get("min_similarity", 0.40))
    )
    if retrieval.k < 1:
        raise ConfigError(f"{where}key 'retrieval.k' must be at least 1")

    daemon_raw = raw.get("daemon", {})
    _check_table(daemon_raw, _SECTIONS["daemon"], "daemon.", origin)
    daemon = DaemonConfig(autostart=daemon_raw.get("autostart", True))

    return Config(
        timezone=timezone,
        store=store,
        sources=tuple(sources),
        embedding=embedding,
        llm=llm,
        retrieval=retrieval,
        daemon=daemon,
        path=origin,
        warnings=tuple(warnings),
    )


def parse_llm(llm_raw: dict[str, Any], base: Path, origin: Path | None) -> LLMConfig:
    """The [llm] table: the local model, or a model server and the privacy rule for it."""
    from assistant.private_net import check_url

    where = f"{origin}: " if origin else ""
    _check_table(llm_raw, _SECTIONS["llm"], "llm.", origin)
    backend = llm_raw.get("backend", "local")
    if backend not in LLM_BACKENDS:
        raise ConfigError(
            f"{where}key 'llm.backend' must be one of {', '.join(LLM_BACKENDS)}, got {backend!r}"
        )
    llm_model = llm_raw.get("model", "bundled" if backend == "local" else "")
    if backend == "local" and llm_model != "bundled":
        llm_model = str(_resolve(base, llm_model))
    url = llm_raw.get("url", "")
    allow_remote = llm_raw.get("allow_remote", False)
    if backend == "server":
        if not url:
            raise ConfigError(f"{where}key 'llm.url' is missing (backend = \"server\")")
        check_url(url, allow_remote, where)
    lora: list[LoraConfig] = []
    for i, item in enumerate(llm_raw.get("lora", [])):
        name = f"llm.lora[{i}]"
        if isinstance(item, str):
            item = {"path": item}
        if not isinstance(item, dict):
            raise ConfigError(
                f"{where}key '{name}' must be a path or a table {{path = \"...\", scale = 1.0}}"
            )
        _check_table(item, {"path": str, "scale": (int, float)}, f"{name}.", origin)
        if "path" not in item:
            raise ConfigError(f"{where}key '{name}.path' is missing")
        lora.append(LoraConfig(path=_resolve(base, item["path"]), scale=float(item.get("scale", 1.0))))
    llm = LLMConfig(
        model=llm_model,
        threads=llm_raw.get("threads", 0),
        context=llm_raw.get("context", 4096),
        max_tokens=llm_raw.get("max_tokens", 160),
        temperature=float(llm_raw.get("temperature", 0.0)),
        backend=backend,
        url=url.rstrip("/"),
        api_key_env=llm_raw.get("api_key_env", ""),
        timeout=float(llm_raw.get("timeout", 15.0)),
        allow_remote=allow_remote,
        lora=tuple(lora),
        origin=origin,
    )
    if llm.threads < 0:
        raise ConfigError(f"{where}key 'llm.threads' must be 0 (auto) or more")
    if llm.timeout <= 0:
        raise ConfigError(f"{where}key 'llm.timeout' must be more than 0 seconds")
    return llm
