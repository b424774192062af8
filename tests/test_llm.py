"""Language models: the bundled base model gets a few-shot completion prompt; any other
GGUF is prompted through its own chat template."""

from __future__ import annotations

from pathlib import Path

import pytest
from gguf_edit import with_string_key

from assistant import library
from assistant.config import LLMConfig, user_cache_dir
from assistant.embed import physical_cores
from assistant.errors import ModelError
from assistant.llm import AnswerRequest, bundled_model_path, completion_prompt, load_llm
from conftest import write_config

# Gemma's turn markers, with the system turn kept (a user model brings its own).
TEMPLATE = (
    "{{ bos_token }}{% for m in messages %}<start_of_turn>{{ m.role }}\n"
    "{{ m.content }}<end_of_turn>\n{% endfor %}<start_of_turn>model\n"
)


@pytest.fixture(scope="module")
def models(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("models")
    bundled = bundled_model_path(folder)
    instruct = with_string_key(
        bundled, folder / "instruct.gguf", "tokenizer.chat_template", TEMPLATE
    )
    return {"bundled": bundled, "instruct": instruct, "folder": folder}


def test_the_bundled_model_is_reassembled_once_and_sha_checked(models) -> None:
    again = bundled_model_path(models["folder"])
    assert again == models["bundled"]
    assert again.with_suffix(".verified").exists()
    assert again.read_bytes()[:4] == b"GGUF"
    # assembled under a temporary name and renamed: nothing half-written is left
    assert sorted(p.name for p in again.parent.iterdir()) == [again.name, f"{again.stem}.verified"]


def test_the_bundled_model_is_one_copy_per_user_not_one_per_store(
    notes_home: Path, make_runtime
) -> None:
    rt = make_runtime(notes_home)
    assert rt.llm.path.parent == user_cache_dir() / "models"
    assert not (rt.config.store.path.parent / "models").exists()


def test_the_bundled_base_model_gets_a_few_shot_completion_prompt(models) -> None:
    llm = load_llm(LLMConfig(), cache_dir=models["folder"])
    assert llm.chat_template is None
    prompt = completion_prompt(
        AnswerRequest(question="How much is my rent?", context="[1] note ...", today="Monday")
    )
    assert prompt.count("Question:") == 4 and prompt.endswith("Answer:")


def test_threads_default_to_one_less_than_the_physical_cores(models) -> None:
    assert load_llm(LLMConfig(), cache_dir=models["folder"]).threads == max(1, physical_cores() - 1)
    assert load_llm(LLMConfig(threads=3), cache_dir=models["folder"]).threads == 3


def test_a_user_gguf_brings_its_own_chat_template(models) -> None:
    llm = load_llm(LLMConfig(model=str(models["instruct"])), cache_dir=models["folder"])
    assert llm.chat_template == TEMPLATE


def test_a_file_that_is_not_gguf_is_a_clear_error(tmp_path: Path) -> None:
    fake = tmp_path / "model.gguf"
    fake.write_text("not a model")
    with pytest.raises(ModelError, match=r"model\.gguf is not a GGUF file"):
        load_llm(LLMConfig(model=str(fake)), cache_dir=tmp_path)
    with pytest.raises(ModelError, match="llm.model: file not found"):
        load_llm(LLMConfig(model=str(tmp_path / "missing.gguf")), cache_dir=tmp_path)


@pytest.mark.slow
def test_ask_prompts_a_user_model_through_its_template(
    notes_home: Path, make_runtime, models, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_config(notes_home, [("notes", "notes")], f'[llm]\nmodel = "{models["instruct"]}"\n')
    rt = make_runtime(notes_home)
    library.index(rt)
    llama = rt.llm.llama
    prompts: list[str] = []
    real = llama.create_completion

    def spy(prompt: str | list[int], *args: object, **kwargs: object) -> object:
        # chat handlers pass token ids
        text = prompt if isinstance(prompt, str) else llama.detokenize(prompt, special=True).decode()
        prompts.append(text)
        return real(prompt, *args, **kwargs)

    monkeypatch.setattr(llama, "create_completion", spy)
    answer = library.ask(rt, "How much is my rent?")
    (prompt,) = prompts
    assert prompt.removeprefix("<bos>").startswith("<start_of_turn>system\n")
    assert "<start_of_turn>user\n" in prompt and prompt.rstrip().endswith("<start_of_turn>model")
    assert "1,240 EUR" in prompt  # the whole retrieved chunk, not only evidence sentences
    assert answer.route == "search"
    if answer.grounded:  # a base model in chat clothes may babble; the guard decides
        assert answer.citations
