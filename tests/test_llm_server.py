"""A model server on the person's own network: the [llm] server keys, the privacy rule,
answers phrased by a real OpenAI-compatible server on 127.0.0.1 (llama-cpp-python's
`llama_cpp.server` serving the bundled model), and the fallback to the local model."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from gguf_edit import with_string_key
from model_server import ModelServer, free_port, serve_model, server_available

from assistant import library
from assistant.config import load_config
from assistant.errors import ConfigError
from assistant.llm import bundled_model_path
from assistant.private_net import is_private_address
from conftest import NOW, write_config

NETGUARD = Path(__file__).resolve().parent / "netguard"
# Gemma's turn markers: the bundled model served as a chat model, as llama-server would.
TEMPLATE = (
    "{{ bos_token }}{% for m in messages %}<start_of_turn>{{ m.role }}\n"
    "{{ m.content }}<end_of_turn>\n{% endfor %}<start_of_turn>model\n"
)
RENT = "How much is my rent?"

needs_server = pytest.mark.skipif(
    not server_available(), reason="llama-cpp-python[server] is not installed"
)


def server_config(home: Path, url: str, extra: str = "") -> Path:
    return write_config(
        home, [("notes", "notes")],
        f'[llm]\nbackend = "server"\nurl = "{url}"\nmodel = "test-model"\ntimeout = 20\n{extra}',
    )


# --- config and the privacy rule (no model, no network) -----------------------------------


def test_the_server_keys_are_read(tmp_path: Path) -> None:
    server_config(tmp_path, "http://127.0.0.1:8080/v1/", 'api_key_env = "HOME_LLM_KEY"\n')
    llm = load_config(tmp_path / "config.toml").llm
    assert (llm.backend, llm.url, llm.model, llm.api_key_env, llm.timeout, llm.allow_remote) == (
        "server", "http://127.0.0.1:8080/v1", "test-model", "HOME_LLM_KEY", 20.0, False
    )
    assert llm.local_model == "bundled"  # the fallback


@pytest.mark.parametrize(
    ("llm", "message"),
    [
        ('backend = "cloud"', "key 'llm.backend' must be one of local, server"),
        ('backend = "server"', "key 'llm.url' is missing"),
        ('backend = "server"\nurl = "ftp://nas.local/v1"', "key 'llm.url' must look like http://host:port/v1"),
        ('backend = "server"\nurl = "http://127.0.0.1:99999/v1"', "key 'llm.url': not a URL"),
        ('backend = "server"\nurl = "http://127.0.0.1/v1"\ntimeout = 0', "key 'llm.timeout' must be more than 0"),
        ('backend = "server"\nurl = "http://127.0.0.1/v1"\nallow_remote = "yes"', "key 'llm.allow_remote' must be true or false"),
        ('lora = [3]', "key 'llm.lora[0]' must be a path or a table"),
        ('lora = [{scale = 0.5}]', "key 'llm.lora[0].path' is missing"),
        ('lora = [{path = "a.gguf", weight = 1}]', "unknown key 'llm.lora[0].weight'"),
    ],
)
def test_bad_server_keys_are_one_line_errors_naming_the_file(
    tmp_path: Path, llm: str, message: str
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(f"[llm]\n{llm}\n", encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_config(config)
    assert str(err.value).startswith(f"{config}: ") and message in str(err.value)
    assert "\n" not in str(err.value)


@pytest.mark.parametrize(
    ("address", "private"),
    [
        ("127.0.0.1", True), ("10.1.2.3", True), ("172.16.0.9", True), ("172.31.255.1", True),
        ("192.168.1.20", True), ("169.254.10.1", True), ("::1", True), ("fd12:3456::1", True),
        ("fe80::1%eth0", True), ("::ffff:192.168.1.20", True),
        ("172.32.0.1", False), ("8.8.8.8", False), ("100.64.0.1", False),
        ("203.0.113.7", False), ("2001:db8::1", False), ("::ffff:8.8.8.8", False),
    ],
)
def test_own_network_addresses_are_loopback_rfc1918_link_local_and_unique_local(
    address: str, private: bool
) -> None:
    assert is_private_address(address) is private


def test_a_public_server_is_refused_without_allow_remote(tmp_path: Path) -> None:
    config = server_config(tmp_path, "http://203.0.113.7:8080/v1")
    with pytest.raises(ConfigError) as err:
        load_config(config)
    assert str(err.value) == (
        f"{config}: key 'llm.url': 203.0.113.7 is not on your own network; prompts carry your "
        "notes, so a public server needs allow_remote = true under [llm]"
    )
    server_config(tmp_path, "http://203.0.113.7:8080/v1", "allow_remote = true\n")
    assert load_config(config).llm.allow_remote


def test_a_lan_server_is_accepted_without_any_lookup(tmp_path: Path, make_runtime) -> None:
    """A .local name (mDNS) and private addresses pass at load; status says where prompts go
    without resolving anything (the test guard of the CLI tests would catch a lookup)."""
    server_config(tmp_path, "http://mac-mini.local:11434/v1")
    rt = make_runtime(tmp_path)
    assert library._prompts_go(rt) == (
        "prompts go to a model server on your network (http://mac-mini.local:11434/v1); "
        "the local model answers when it does not"
    )
    server_config(tmp_path, "http://[fd00::20]:8080/v1")
    assert load_config(tmp_path / "config.toml").llm.url == "http://[fd00::20]:8080/v1"


def test_a_local_backend_keeps_prompts_on_this_machine(notes_home: Path, make_runtime) -> None:
    rt = make_runtime(notes_home)
    assert rt.server is None
    assert library.status(rt)["models"]["prompts"] == (
        "prompts stay on this machine (the model runs in-process)"
    )


# --- a real server on 127.0.0.1 ----------------------------------------------------------------


@pytest.fixture(scope="module")
def chat_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("served")
    bundled = bundled_model_path(folder)
    return with_string_key(bundled, folder / "chat.gguf", "tokenizer.chat_template", TEMPLATE)


@pytest.fixture(scope="module")
def model_server(chat_model: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModelServer]:
    if not server_available():
        pytest.skip("llama-cpp-python[server] is not installed")
    with serve_model(chat_model, tmp_path_factory.mktemp("server") / "server.log") as server:
        yield server


@pytest.fixture
def served_home(notes_home: Path, model_server: ModelServer) -> Path:
    server_config(notes_home, model_server.url)
    return notes_home


@needs_server
@pytest.mark.slow
def test_ask_through_the_server_streams_a_checked_answer(served_home: Path, make_runtime) -> None:
    rt = make_runtime(served_home)
    library.index(rt)
    tokens: list[str] = []
    data = library.ask_json(rt, RENT, on_token=tokens.append)
    assert len(tokens) > 1  # streamed, token by token
    assert data["llm"] == {"backend": "server", "url": rt.config.llm.url, "model": "test-model"}
    assert data["route"] == "search"
    if data["grounded"]:  # the grounding guard still judges what the server wrote
        assert data["citations"] and "[1]" in data["answer"]
    else:
        assert data["answer"].startswith("I could not find that in your data.")
    assert rt._llm is None  # the local model was never loaded


@needs_server
@pytest.mark.slow
def test_calendar_questions_never_reach_the_server(served_home: Path, make_runtime) -> None:
    rt = make_runtime(served_home)
    library.index(rt)
    data = library.ask_json(rt, "What do I have tomorrow?")
    assert data["route"] == "calendar" and "llm" not in data


@needs_server
@pytest.mark.slow
def test_a_server_killed_mid_answer_falls_back_to_the_local_model(
    notes_home: Path, chat_model: Path, make_runtime, tmp_path: Path
) -> None:
    with serve_model(chat_model, tmp_path / "server.log") as server:
        server_config(notes_home, server.url)
        rt = make_runtime(notes_home)
        library.index(rt)
        seen: list[str] = []

        def kill_on_first_token(token: str) -> None:
            if not seen:
                server.kill()
            seen.append(token)

        data = library.ask_json(rt, RENT, on_token=kill_on_first_token)
    assert seen  # the server had started answering
    assert data["llm"]["backend"] == "local" and data["llm"]["fallback_from"] == "server"
    assert data["llm"]["reason"].startswith(f"the model server at {server.url} failed: ")
    assert "1,240 EUR" in data["answer"] and data["grounded"]  # the bundled model's answer


@needs_server
@pytest.mark.slow
def test_a_server_that_does_not_answer_in_time_falls_back(
    notes_home: Path, model_server: ModelServer, make_runtime
) -> None:
    server_config(notes_home, model_server.url).write_text(
        (notes_home / "config.toml").read_text().replace("timeout = 20", "timeout = 1")
    )
    rt = make_runtime(notes_home)
    library.index(rt)
    os.kill(model_server.process.pid, signal.SIGSTOP)  # accepts connections, answers nothing
    try:
        data = library.ask_json(rt, RENT)
    finally:
        os.kill(model_server.process.pid, signal.SIGCONT)
    assert data["llm"] == {
        "backend": "local", "fallback_from": "server",
        "reason": f"the model server at {model_server.url} failed: no answer within 1 s",
    }
    assert "1,240 EUR" in data["answer"]


@needs_server
@pytest.mark.slow
def test_a_server_that_refuses_the_key_falls_back_and_the_right_key_is_sent(
    notes_home: Path, chat_model: Path, make_runtime, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with serve_model(chat_model, tmp_path / "server.log", extra=("--api_key", "s3cret")) as server:
        server_config(notes_home, server.url, 'api_key_env = "HOME_LLM_KEY"\n')
        rt = make_runtime(notes_home)
        library.index(rt)
        monkeypatch.delenv("HOME_LLM_KEY", raising=False)
        with pytest.raises(ConfigError, match=(
            r"config\.toml: key 'llm\.api_key_env': the environment variable HOME_LLM_KEY is not set$"
        )):
            library.ask_json(rt, RENT)
        monkeypatch.setenv("HOME_LLM_KEY", "wrong")
        refused = library.ask_json(make_runtime(notes_home), RENT)["llm"]
        assert refused["fallback_from"] == "server" and "HTTP 401" in refused["reason"]
        monkeypatch.setenv("HOME_LLM_KEY", "s3cret")
        assert library.ask_json(make_runtime(notes_home), RENT)["llm"]["backend"] == "server"


def test_no_server_listening_is_one_line_on_stderr_and_noted_in_json(
    notes_home: Path, cli
) -> None:
    url = f"http://127.0.0.1:{free_port()}/v1"  # nobody listens there
    server_config(notes_home, url)
    assert cli(notes_home, "index").exit_code == 0
    result = cli(notes_home, "ask", RENT, "--json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["llm"]["fallback_from"] == "server" and "1,240 EUR" in data["answer"]
    assert result.stderr == (
        f"warning: the model server at {url} failed: connection refused; "
        "answered with the local model\n"
    )


def test_after_a_failure_the_server_is_skipped_for_a_while(notes_home: Path, make_runtime) -> None:
    """A warm daemon on a laptop away from home answers at once instead of waiting for an
    absent server on every question."""
    url = f"http://127.0.0.1:{free_port()}/v1"
    server_config(notes_home, url)
    rt = make_runtime(notes_home)
    library.index(rt)
    first = library.ask_json(rt, RENT)["llm"]["reason"]
    second = library.ask_json(rt, RENT)["llm"]["reason"]
    assert first == f"the model server at {url} failed: connection refused"
    assert second == f"{first} (tried again after 30 s)"


@needs_server
@pytest.mark.slow
def test_with_a_server_configured_the_only_connection_is_to_it(
    served_home: Path, model_server: ModelServer, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """The no-network test, with a server: every socket any process of ours opens goes to
    the configured host and port, and nothing else is looked up or connected to."""
    folder = tmp_path_factory.mktemp("guard")
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(NETGUARD), os.environ.get("PYTHONPATH")])),
        "NETGUARD_LOG": str(folder / "violations.log"),
        "NETGUARD_TRACE": str(folder / "connections.log"),
        "ASSISTANT_CONFIG": str(served_home / "config.toml"),
    }

    def run(*args: str) -> str:
        proc = subprocess.run([sys.executable, "-m", "assistant", "--now", NOW, *args],
                              cwd=served_home, env=env, capture_output=True, text=True,
                              timeout=600)
        assert proc.returncode == 0, proc.stderr
        return proc.stdout

    run("index")
    assert json.loads(run("ask", RENT, "--json"))["llm"]["backend"] == "server"
    assert "model server on this machine" in run("status")
    assert f"prompts: prompts go to a model server on this machine ({model_server.url})" in run(
        "doctor"
    )
    assert not (folder / "violations.log").exists()
    connections = set((folder / "connections.log").read_text().split())
    assert connections == {f"127.0.0.1:{model_server.port}"}


@needs_server
@pytest.mark.slow
def test_the_daemon_streams_answers_from_the_server(
    served_home: Path, model_server: ModelServer, make_runtime
) -> None:
    from assistant.client import call

    env = {**os.environ, "ASSISTANT_CONFIG": str(served_home / "config.toml")}

    def daemon(action: str) -> None:
        subprocess.run([sys.executable, "-m", "assistant", "daemon", action], cwd=served_home,
                       env=env, capture_output=True, text=True, timeout=300, check=True)

    daemon("start")
    try:
        rt = make_runtime(served_home)
        tokens: list[str] = []
        data = call(rt, "ask", {"question": RENT, "k": None}, on_token=tokens.append)
        assert len(tokens) > 1 and data["llm"]["backend"] == "server"
        status = json.loads(subprocess.run(
            [sys.executable, "-m", "assistant", "status", "--json"], cwd=served_home, env=env,
            capture_output=True, text=True, timeout=300, check=True).stdout)
        assert status["models"]["prompts"].startswith(
            f"prompts go to a model server on this machine ({model_server.url})"
        )
    finally:
        daemon("stop")
