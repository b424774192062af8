"""Test helper: a tiny LoRA adapter GGUF for the bundled model (Gemma 3 270M), written with
the `gguf` package in the layout llama.cpp's convert_lora_to_gguf.py produces."""

from __future__ import annotations

from pathlib import Path

import numpy as np

# ggml shapes are [n_in, n_out]; numpy's are reversed. blk.17 is the last of 18 blocks.
TARGET = "blk.17.ffn_down.weight"
N_IN, N_OUT = 2048, 640


def write_adapter(path: Path, *, arch: str = "gemma3", n_in: int = N_IN, n_out: int = N_OUT,
                  rank: int = 4, alpha: float = 4.0, seed: int = 0) -> Path:
    import gguf

    rng = np.random.default_rng(seed)
    writer = gguf.GGUFWriter(str(path), arch=arch)
    writer.add_string("general.type", "adapter")
    writer.add_string("adapter.type", "lora")
    writer.add_float32("adapter.lora.alpha", alpha)
    # lora_a: ggml [n_in, rank]; lora_b: ggml [rank, n_out]. Big enough to move the logits.
    writer.add_tensor(f"{TARGET}.lora_a", rng.normal(0, 0.5, (rank, n_in)).astype(np.float32))
    writer.add_tensor(f"{TARGET}.lora_b", rng.normal(0, 0.5, (n_out, rank)).astype(np.float32))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return path
