"""LoRA adapters (GGUF) applied to the in-process model by llama.cpp, with their scales."""

from __future__ import annotations

import ctypes
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from assistant.config import LoraConfig
from assistant.errors import ModelError


def check_adapter_file(index: int, adapter: LoraConfig) -> None:
    """A missing file or one that is not GGUF, named by its key, before llama.cpp sees it."""
    name = f"llm.lora[{index}]"
    if not adapter.path.is_file():
        raise ModelError(f"{name}: adapter file not found: {adapter.path}")
    with adapter.path.open("rb") as fh:
        if fh.read(4) != b"GGUF":
            raise ModelError(f"{name}: {adapter.path} is not a GGUF adapter (convert it with "
                             "llama.cpp's convert_lora_to_gguf.py)")


def apply_adapters(llama: Any, adapters: Sequence[LoraConfig], model_path: Path) -> None:
    """Load every adapter for ``llama``'s model and set them, with their scales, on its context.

    llama-cpp-python's ``Llama(lora_path=...)`` takes one adapter; the C API it wraps
    (``llama_adapter_lora_init`` + ``llama_set_adapters_lora``) takes any number, and
    llama.cpp frees the adapters with the model.
    """
    import llama_cpp

    for i, adapter in enumerate(adapters):
        check_adapter_file(i, adapter)
    setter = getattr(llama_cpp, "llama_set_adapters_lora", None)
    if setter is None:
        raise ModelError("llm.lora needs llama-cpp-python 0.3.17 or newer: "
                         "pip install -U llama-cpp-python")
    loaded = []
    for i, adapter in enumerate(adapters):
        # llama.cpp rejects an adapter made for another architecture or other tensor
        # shapes by returning NULL (its reason goes to its log, which we silence).
        handle = llama_cpp.llama_adapter_lora_init(llama._model.model, str(adapter.path).encode())
        if not handle:
            raise ModelError(
                f"llm.lora[{i}]: {adapter.path} does not fit the model {model_path.name} "
                "(an adapter made for another model, or a damaged file)"
            )
        loaded.append(handle)
    array = (llama_cpp.llama_adapter_lora_p_ctypes * len(loaded))(*loaded)
    scales = (ctypes.c_float * len(loaded))(*(a.scale for a in adapters))
    if setter(llama._ctx.ctx, array, len(loaded), scales):
        raise ModelError(f"llm.lora: llama.cpp could not set the adapters on {model_path.name}")
