"""What a person sees in a terminal: a status line and the indexing progress bar on stderr,
and stdout that reads well piped (no wrapping at 80 columns, no trailing spaces)."""

from __future__ import annotations

import re
import shutil
import sys
import threading
from typing import Any, TextIO

from rich.console import Console, ConsoleDimensions

PIPE_WIDTH = 10_000  # piped output is never wrapped; a line is as long as its text
_TRAILING = re.compile(r"[ \t]+(?=\n)")


def _stdout() -> TextIO:
    # A rich Live display swaps sys.stdout for a proxy that prints through a console;
    # writing to the proxy from a console would loop.
    return getattr(sys.stdout, "rich_proxied_file", sys.stdout)


class _Stdout:
    """sys.stdout as it is at each write (test runners swap it), trailing spaces removed
    when it is not a terminal (rich pads table cells to their column width)."""

    def write(self, text: str) -> int:
        if not self.isatty():
            text = _TRAILING.sub("", text)
        return _stdout().write(text)

    def flush(self) -> None:
        _stdout().flush()

    def isatty(self) -> bool:
        return _stdout().isatty()

    def fileno(self) -> int:
        return _stdout().fileno()

    @property
    def encoding(self) -> str:
        return getattr(_stdout(), "encoding", None) or "utf-8"


class OutConsole(Console):
    """A rich console for stdout: terminal width in a terminal, unbounded in a pipe."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(file=_Stdout(), **kwargs)  # type: ignore[arg-type]

    @property  # type: ignore[override]
    def size(self) -> ConsoleDimensions:
        size = Console.size.fget(self)  # type: ignore[attr-defined]
        return size if self.is_terminal else ConsoleDimensions(PIPE_WIDTH, size.height)

    @size.setter
    def size(self, new_size: tuple[int, int]) -> None:
        Console.size.fset(self, new_size)  # type: ignore[attr-defined]


class StatusLine:
    """One line on stderr saying what a slow command is waiting for ("searching…").

    Only on a terminal; shown after ``delay`` seconds so fast answers do not flicker;
    cleared before anything is printed. Callable with the new message.
    """

    def __init__(self, enabled: bool | None = None, delay: float = 0.25,
                 stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty() if enabled is None else enabled
        self._message = ""
        self._shown = False
        self._closed = False
        self._lock = threading.Lock()
        self._timer: threading.Timer | None = None
        if self.enabled and delay > 0:
            self._timer = threading.Timer(delay, self._show)
            self._timer.daemon = True
            self._timer.start()

    def __call__(self, message: str) -> None:
        with self._lock:
            self._message = message
        if self._timer is None or not self._timer.is_alive():
            self._show()

    def _show(self) -> None:
        with self._lock:
            if not self.enabled or self._closed or not self._message:
                return
            width = shutil.get_terminal_size((80, 24)).columns - 1
            text = self._message if len(self._message) <= width else self._message[: width - 1] + "…"
            self.stream.write(f"\r\x1b[2K\x1b[2m{text}\x1b[0m")
            self.stream.flush()
            self._shown = True

    def clear(self) -> None:
        with self._lock:
            if self._shown:
                self.stream.write("\r\x1b[2K")
                self.stream.flush()
                self._shown = False

    def close(self) -> None:
        self.clear()
        with self._lock:
            self._closed = True
        if self._timer is not None:
            self._timer.cancel()

    def __enter__(self) -> StatusLine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _duration(seconds: float) -> str:
    seconds = int(seconds + 0.5)
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def progress_text(p: Any) -> str:
    """`532/2,000 files · 4,210 chunks · 28.4 chunks/s · ETA 3:12 · note.md` for an
    IndexProgress."""
    parts = [f"{p.files_done:,}/{p.files_total:,} files", f"{p.chunks_embedded:,} chunks"]
    if p.chunks_embedded:
        parts.append(f"{p.chunks_per_second:.1f} chunks/s")
    eta = p.eta_seconds
    parts.append(f"ETA {_duration(eta)}" if eta is not None else "ETA …")
    if p.current:
        parts.append(p.current.rsplit("/", 1)[-1][-40:])
    return " · ".join(parts)


class ProgressBar:
    """The `assistant index` bar on stderr: files, chunks, chunks/s and ETA, updated per
    embedding batch. Appears once a run has lasted ``after`` seconds, if ``show``; keeps
    the latest progress either way (an interrupt says what was stored)."""

    def __init__(self, console: Console, show: bool = True, after: float = 0.5) -> None:
        self.console = console
        self.show = show
        self.after = after
        self.last: Any = None  # the latest IndexProgress, for the interrupt message
        self._bar: Any = None
        self._task: Any = None

    def __call__(self, progress: Any) -> None:
        self.last = progress
        if not self.show:
            return
        if self._bar is None:
            if progress.elapsed < self.after or progress.files_done >= progress.files_total:
                return
            from rich.progress import BarColumn, Progress, TextColumn

            self._bar = Progress(
                TextColumn("indexing"),
                BarColumn(),
                TextColumn("{task.description}"),
                console=self.console,
                transient=True,
            )
            self._bar.start()
            self._task = self._bar.add_task("", total=max(1, progress.files_total))
        self._bar.update(
            self._task,
            completed=progress.files_done,
            total=max(1, progress.files_total),
            description=progress_text(progress),
        )

    def stop(self) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None
