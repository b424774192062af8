"""LoRA adapters: `[llm] lora` loads GGUF adapters onto the local model with their scales,
`doctor` lists them, and an adapter that does not fit the model is a one-line error."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from lora_adapter import write_adapter

from assistant import library
from assistant.config import LLMConfig, LoraConfig, load_config
from assistant.errors import ModelError
from assistant.llm import bundled_model_path, load_llm
from conftest import write_config

pytest.importorskip("gguf")
TEXT = b"The rent is 1,240 EUR per month, due on the"


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("lora")
    bundled_model_path(folder)
    return folder


def next_token_logits(config: LLMConfig, folder: Path) -> np.ndarray:
    import llama_cpp

    llama = load_llm(config, cache_dir=folder).llama
    llama.reset()
    llama.eval(llama.tokenize(TEXT))
    logits = llama_cpp.llama_get_logits_ith(llama._ctx.ctx, -1)
    out = np.ctypeslib.as_array(logits, shape=(llama.n_vocab(),)).copy()
    llama.reset()
    return out


def test_an_adapter_is_loaded_and_changes_the_logits(folder: Path) -> None:
    adapter = write_adapter(folder / "mine.gguf")
    base = next_token_logits(LLMConfig(), folder)
    tuned = next_token_logits(LLMConfig(lora=(LoraConfig(adapter, 1.0),)), folder)
    assert np.abs(tuned - base).max() > 1.0
    # the scale is passed on: at 0 the adapter adds nothing
    off = next_token_logits(LLMConfig(lora=(LoraConfig(adapter, 0.0),)), folder)
    assert np.allclose(off, base, atol=1e-3)


def test_two_adapters_apply_together(folder: Path) -> None:
    one = write_adapter(folder / "one.gguf", seed=1)
    two = write_adapter(folder / "two.gguf", seed=2)
    first = next_token_logits(LLMConfig(lora=(LoraConfig(one, 1.0),)), folder)
    both = next_token_logits(LLMConfig(lora=(LoraConfig(one, 1.0), LoraConfig(two, 1.0))), folder)
    assert np.abs(both - first).max() > 1.0


@pytest.mark.parametrize(
    ("kwargs", "why"),
    [({"n_in": 1024}, "other tensor shapes"), ({"arch": "llama"}, "another architecture")],
)
def test_an_adapter_for_another_model_is_a_one_line_error(
    folder: Path, kwargs: dict, why: str
) -> None:
    adapter = write_adapter(folder / f"other-{why.split()[-1]}.gguf", **kwargs)
    with pytest.raises(ModelError) as err:
        _ = load_llm(LLMConfig(lora=(LoraConfig(adapter, 1.0),)), cache_dir=folder).llama
    assert str(err.value) == (
        f"llm.lora[0]: {adapter} does not fit the model gemma-3-270m-q4_k_m.gguf "
        "(an adapter made for another model, or a damaged file)"
    )


def test_a_missing_or_non_gguf_adapter_is_named(folder: Path, tmp_path: Path) -> None:
    missing = tmp_path / "missing.gguf"
    with pytest.raises(ModelError, match=r"^llm.lora\[0\]: adapter file not found: .*missing\.gguf$"):
        _ = load_llm(LLMConfig(lora=(LoraConfig(missing),)), cache_dir=folder).llama
    text = tmp_path / "adapter.safetensors"
    text.write_bytes(b"{}")
    with pytest.raises(ModelError, match=r"is not a GGUF adapter \(convert it with"):
        _ = load_llm(LLMConfig(lora=(LoraConfig(text),)), cache_dir=folder).llama


def test_lora_keys_accept_paths_and_tables_and_doctor_lists_them(
    notes_home: Path, make_runtime
) -> None:
    write_config(notes_home, [("notes", "notes")],
                 '[llm]\nlora = ["adapters/style.gguf", {path = "/abs/tone.gguf", scale = 0.5}]\n')
    llm = load_config(notes_home / "config.toml").llm
    assert llm.lora == (
        LoraConfig(notes_home / "adapters" / "style.gguf", 1.0),
        LoraConfig(Path("/abs/tone.gguf"), 0.5),
    )
    info = library.doctor(make_runtime(notes_home))
    assert info["llm"]["lora"] == [
        {"path": str(notes_home / "adapters" / "style.gguf"), "scale": 1.0, "exists": False},
        {"path": "/abs/tone.gguf", "scale": 0.5, "exists": False},
    ]
