"""The daemon: a watchdog watcher, a debounced queue and a socket server over warm models.

It reuses index.py for every change and library.py for every query; it adds only the
plumbing: one lock per store, a pid file, a rotating log, signals, and the socket.
"""

from __future__ import annotations

import collections
import fcntl
import logging
import logging.handlers
import os
import signal
import socket
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant import ipc
from assistant.embed import release_freed_memory
from assistant.errors import AssistantError
from assistant.index import Cancelled, Indexer
from assistant.ipc import is_running, read_pid  # noqa: F401 - the CLI's helpers live in ipc
from assistant.runtime import Runtime
from assistant.sources import is_ignored

DEBOUNCE_S = 0.4  # editors write a file several times per save; wait for quiet
log = logging.getLogger("assistant.daemon")


@dataclass
class DaemonState:
    """What `assistant status` shows about a running daemon."""

    pid: int = field(default_factory=os.getpid)
    started_at: float = field(default_factory=time.time)
    phase: str = "starting"  # starting | catching up | watching | stopping
    current: str | None = None
    last_indexed: str | None = None
    last_indexed_at: float | None = None
    queue: int = 0
    indexed: int = 0
    served: int = 0  # search, ask and calendar requests answered
    models_loaded: bool = False  # both models warm: the first question is answered at once
    loading: str | None = None  # "loading the language model…" while warming up
    errors: collections.deque[str] = field(default_factory=lambda: collections.deque(maxlen=20))

    def to_json(self) -> dict[str, Any]:
        data = dict(self.__dict__)
        data["errors"] = list(self.errors)
        return data


class ChangeQueue:
    """Paths waiting to be synced, each due DEBOUNCE_S after its last event."""

    def __init__(self, delay: float = DEBOUNCE_S) -> None:
        self.delay = delay
        self._due: dict[Path, float] = {}
        self._cond = threading.Condition()

    def add(self, path: Path) -> None:
        with self._cond:
            self._due[path] = time.monotonic() + self.delay
            self._cond.notify()

    def __len__(self) -> int:
        return len(self._due)

    def take(self, stop: threading.Event) -> list[Path]:
        """Block until some paths are due (or stop is set); return them, oldest first."""
        with self._cond:
            while not stop.is_set():
                now = time.monotonic()
                ready = sorted((t, p) for p, t in self._due.items() if t <= now)
                if ready:
                    for _, p in ready:
                        del self._due[p]
                    return [p for _, p in ready]
                wait = min(self._due.values()) - now if self._due else 1.0
                self._cond.wait(timeout=max(0.01, min(wait, 1.0)))
        return []


def _watch_handler(queue: ChangeQueue, roots: list[Path]) -> Any:
    from watchdog.events import FileSystemEventHandler

    class Handler(FileSystemEventHandler):  # type: ignore[misc]
        def on_any_event(self, event: Any) -> None:
            if event.event_type in ("opened", "closed_no_write"):
                return
            for raw in (getattr(event, "src_path", None), getattr(event, "dest_path", None)):
                if not raw:
                    continue
                path = Path(os.fsdecode(raw))
                root = next((r for r in roots if r == path or r in path.parents), None)
                if root is None or is_ignored(path.relative_to(root)):
                    continue
                queue.add(path)

    return Handler()


class Daemon:
    def __init__(self, rt: Runtime) -> None:
        self.rt = rt
        self.folder = ipc.daemon_dir(rt.config.store.path)
        self.stop = threading.Event()
        self.state = DaemonState()
        self.queue = ChangeQueue()
        self.query_lock = threading.Lock()
        self.embedder_ready = threading.Event()  # searches and the indexer wait for it
        self.llm_ready = threading.Event()  # questions wait for it
        self._lock_fd: int | None = None

    # -- lifecycle ---------------------------------------------------------------

    def acquire(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(self.folder / ipc.LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            pid = read_pid(self.folder)
            raise AssistantError(
                f"a daemon already serves {self.rt.config.store.path}"
                + (f" (pid {pid})" if pid else "")
            ) from None
        self._lock_fd = fd
        # The lock is ours, so any pid file or socket left behind is stale.
        (self.folder / ipc.PID_NAME).write_text(f"{os.getpid()}\n")
        os.chmod(self.folder / ipc.PID_NAME, 0o600)

    def release(self) -> None:
        for name in (ipc.SOCKET_NAME, ipc.PID_NAME):
            try:
                (self.folder / name).unlink()
            except FileNotFoundError:
                pass
        if self._lock_fd is not None:
            fcntl.flock(self._lock_fd, fcntl.LOCK_UN)
            os.close(self._lock_fd)
            self._lock_fd = None

    def run(self) -> None:
        """Serve until SIGTERM/SIGINT. The caller has set up logging."""
        try:
            _ = self.rt.store  # unlock once, now: the key stays in this process's memory
        except AssistantError as exc:
            log.error("%s", exc)
            raise
        self.acquire()
        try:
            for sig in (signal.SIGTERM, signal.SIGINT):
                signal.signal(sig, lambda *_: self.stop.set())
            server = self._serve()
            observer = self._watch()
            log.info("daemon %s serving %s", os.getpid(), self.rt.config.store.path)
            threading.Thread(target=self._warm, name="warm-up", daemon=True).start()
            worker = threading.Thread(target=self._work, name="indexer", daemon=True)
            worker.start()
            while not self.stop.is_set():
                self.stop.wait(0.5)
            self.state.phase = "stopping"
            log.info("stopping")
            observer.stop()
            worker.join(timeout=120)
            server.close()
            observer.join(timeout=5)
        finally:
            self.release()
            log.info("stopped")

    def _warm(self) -> None:
        """Load both models now, so the first question is answered at once.

        The embedder comes first (the catch-up and searches need it); the language model
        loads without holding the query lock, so searches and calendar queries are served
        meanwhile, and its few-shot prompt is evaluated once so that a question only
        evaluates its own sources.
        """
        from assistant import library

        ok = True
        try:
            self.state.loading = "loading the embedding model…"
            with self.query_lock:
                self.rt.embedder.encode(["warm up"])
                library.searcher(self.rt).vectors.refresh(self.rt.store)
        except Exception as exc:  # noqa: BLE001 - queries will report the same error
            ok = self._warm_failed(exc)
        finally:
            self.embedder_ready.set()
        try:
            self.state.loading = "loading the language model…"
            llm = self.rt.llm
            _ = llm.llama
            if not llm.chat_template:
                from assistant.llm import AnswerRequest, completion_prompt

                prompt = completion_prompt(AnswerRequest(question="", context="", today=""))
                for _token in llm.complete_stream(prompt, max_tokens=1):
                    break
        except Exception as exc:  # noqa: BLE001
            ok = self._warm_failed(exc)
        finally:
            self.state.loading = None
            self.llm_ready.set()
        self.state.models_loaded = ok
        if ok:
            log.info("models loaded")

    def _warm_failed(self, exc: Exception) -> bool:
        log.warning("could not load the models: %s", exc)
        self.state.errors.append(str(exc))
        return False

    # -- indexing ------------------------------------------------------------------

    def _indexer(self) -> Indexer:
        store = self.rt.open_store()  # the writer's own connection, with the same key
        return Indexer(
            store, self.rt.embedder, self.rt.tz, self.rt.config.sources, cancel=self.stop.is_set
        )

    def _work(self) -> None:
        try:
            while not self.embedder_ready.wait(0.5):
                if self.stop.is_set():
                    return
            indexer = self._indexer()
            self.state.phase = "catching up"
            report = indexer.run()
            self._record(report)
            log.info("caught up: %s", report.summary())
            self.state.phase = "watching"
            while not self.stop.is_set():
                for path in self.queue.take(self.stop):
                    self.state.queue = len(self.queue)
                    self.state.current = str(path)
                    report = indexer.sync_path(path)
                    self._record(report, path)
                    self.state.current = None
                self.state.queue = len(self.queue)
        except Cancelled:
            log.info("stopped in the middle of a document; it was rolled back")
        except Exception as exc:  # noqa: BLE001 - logged, then the daemon stops cleanly
            log.exception("indexer failed: %s", exc)
            self.state.errors.append(f"indexer stopped: {exc}")
            self.stop.set()

    def _record(self, report: Any, path: Path | None = None) -> None:
        for line in report.errors:
            self.state.errors.append(line)
            log.warning("%s", line)
        changed = report.added + report.updated + report.removed
        if changed:
            self.state.indexed += changed
            self.state.last_indexed = str(path) if path else "catch-up"
            self.state.last_indexed_at = time.time()
            log.info("%s: %s", path or "catch-up", report.summary())

    def _watch(self) -> Any:
        from watchdog.observers import Observer

        roots = [s.path for s in self.rt.config.sources if s.path.exists()]
        observer = Observer()
        handler = _watch_handler(self.queue, roots)
        for root in roots:
            observer.schedule(handler, str(root if root.is_dir() else root.parent), recursive=True)
        observer.start()
        return observer

    # -- serving -------------------------------------------------------------------

    def _serve(self) -> socket.socket:
        path = self.folder / ipc.SOCKET_NAME
        if path.exists() or path.is_symlink():
            path.unlink()  # stale: we hold the lock
        server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        old = os.umask(0o177)  # the socket is born 0600: no window for others
        try:
            server.bind(str(path))
        finally:
            os.umask(old)
        os.chmod(path, 0o600)
        server.listen(16)
        server.settimeout(0.5)
        threading.Thread(target=self._accept, args=(server,), name="server", daemon=True).start()
        return server

    def _accept(self, server: socket.socket) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _handle(self, conn: socket.socket) -> None:
        try:
            self._answer(conn)
        finally:
            release_freed_memory()

    def _answer(self, conn: socket.socket) -> None:
        with conn:
            if ipc.peer_uid(conn) not in (None, os.getuid()):
                ipc.send(conn, {"error": "refused: the daemon serves only its owner"})
                return
            try:
                request = next(ipc.read_lines(conn))
                result = self._dispatch(conn, request)
                ipc.send(conn, {"result": result})
                if request.get("op") in ("search", "ask", "calendar"):
                    self.state.served += 1
            except AssistantError as exc:
                ipc.send(conn, {"error": str(exc)})
            except (StopIteration, ValueError):
                ipc.send(conn, {"error": "malformed request"})
            except BrokenPipeError:
                pass
            except Exception as exc:  # noqa: BLE001
                log.exception("request failed")
                ipc.send(conn, {"error": f"internal error ({type(exc).__name__}: {exc})"})

    def _view(self, now: str | None, conn: socket.socket) -> Runtime:
        """A per-request runtime sharing the warm store, models and vectors."""
        base = self.rt
        return Runtime(
            config=base.config,
            now_override=now,
            on_status=lambda message: ipc.send(conn, {"status": message}),
            index_building=self.state.phase in ("starting", "catching up"),
            _store=base.store,
            _embedder=base.embedder,
            _llm=base._llm,
            _server=base.server,  # one per daemon: it remembers a server that just failed
            _searcher=base._searcher,
        )

    def _wait(self, conn: socket.socket, ready: threading.Event) -> None:
        """Wait for a model still warming up, telling the client what it waits for."""
        if not ready.is_set():
            ipc.send(conn, {"status": self.state.loading or "the daemon is starting…"})
            ready.wait()

    def _dispatch(self, conn: socket.socket, request: dict[str, Any]) -> Any:
        from assistant import library

        op, args = request.get("op"), request.get("args") or {}
        if op == "ping":
            return {"pid": os.getpid()}
        if op == "status":
            return self.state.to_json()
        if op in ("search", "ask"):
            self._wait(conn, self.embedder_ready)
        if op == "ask":
            self._wait(conn, self.llm_ready)
        if not self.query_lock.acquire(timeout=0.2):
            ipc.send(conn, {"status": "waiting for the question before this one…"})
            self.query_lock.acquire()
        try:  # one query at a time: SQLite connection and llama are shared
            rt = self._view(request.get("now"), conn)
            try:
                if op == "search":
                    return library.search_json(rt, **args)
                if op == "ask":
                    return library.ask_json(
                        rt, **args, on_token=lambda t: ipc.send(conn, {"token": t})
                    )
                if op == "calendar":
                    return library.calendar_json(rt, **args)
            finally:
                # Keep what this request loaded, never drop what the warm-up loaded.
                if rt._searcher is not None:
                    self.rt._searcher = rt._searcher
                if rt._llm is not None:
                    self.rt._llm = rt._llm
        finally:
            self.query_lock.release()
        raise AssistantError(f"unknown request {op!r}")


# --- helpers for the CLI ----------------------------------------------------------------


def setup_logging(folder: Path, to_stderr: bool) -> None:
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = folder / ipc.LOG_NAME
    handler = logging.handlers.RotatingFileHandler(path, maxBytes=1_000_000, backupCount=3)
    os.chmod(path, 0o600)
    fmt = logging.Formatter("%(asctime)s %(levelname)s %(message)s")
    handler.setFormatter(fmt)
    root = logging.getLogger("assistant")
    root.setLevel(logging.INFO)
    root.addHandler(handler)
    if to_stderr:
        console = logging.StreamHandler()
        console.setFormatter(fmt)
        root.addHandler(console)
