"""How far an indexing run is: what the progress bar shows and an interrupt reports."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class IndexProgress:
    """A run as a watcher sees it, updated per file and per embedding batch."""

    files_total: int = 0
    files_done: int = 0  # settled: stored, unchanged, failed or skipped
    documents_stored: int = 0  # written (committed) by this run
    chunks_embedded: int = 0
    bytes_total: int = 0  # of the files that need (re)indexing
    bytes_done: float = 0.0  # of those, estimated while a batch is being embedded
    current: str = ""
    started: float = field(default_factory=time.monotonic)
    embedding_started: float | None = None  # once the model is loaded: rates count from here

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self.started

    @property
    def _working(self) -> float:
        return time.monotonic() - (self.embedding_started or self.started)

    @property
    def chunks_per_second(self) -> float:
        return self.chunks_embedded / self._working if self._working > 0 else 0.0

    @property
    def eta_seconds(self) -> float | None:
        """Seconds left at the byte rate so far (embedding cost follows text length)."""
        if self.bytes_done <= 0 or self._working < 2:
            return None
        rate = self.bytes_done / self._working
        return max(0.0, (self.bytes_total - self.bytes_done) / rate)


OnUpdate = Callable[[IndexProgress], None]
