"""The CLI as people expect it, through the real command in a child process: global options
anywhere, help, exit codes, read-only commands that create nothing, output that pipes."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from cliproc import assistant, ok

from assistant.embed import physical_cores
from conftest import NOTES, NOW, write_config, write_tree

DATA = Path(__file__).resolve().parent.parent / "data"
EMPTY_INDEX = "error: the index is empty: run `assistant index`"


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Notes, calendars and messages, indexed once, served by a daemon (a search per
    process would load the embedder each time)."""
    root = tmp_path_factory.mktemp("home")
    write_tree(root / "notes", NOTES)
    for kind in ("calendar", "messages"):
        shutil.copytree(DATA / kind, root / kind)
    write_config(root, [("notes", "notes"), ("calendar", "calendar"), ("messages", "messages")])
    ok(assistant(root, "index"))
    ok(assistant(root, "daemon", "start"))
    yield root
    ok(assistant(root, "daemon", "stop"))


# --- global options ------------------------------------------------------------------------


def test_now_config_and_json_go_before_or_after_the_command(home: Path, tmp_path: Path) -> None:
    before = ok(assistant(home, "--now", NOW, "calendar", "tomorrow", "--json")).stdout
    after = ok(assistant(home, "calendar", "tomorrow", "--now", NOW, "--json")).stdout
    json_first = ok(assistant(home, "--json", "--now", NOW, "calendar", "tomorrow")).stdout
    assert json.loads(before) == json.loads(after) == json.loads(json_first)
    assert json.loads(before)["events"]

    # the exact case: `assistant ask --now … "q"` was "No such option: --now"
    answer = ok(assistant(home, "ask", "--now", NOW, "What do I have tomorrow?", "--json"))
    assert json.loads(answer.stdout)["route"] == "calendar"

    # --config after the command, from a folder with no config of its own
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    config = str(home / "config.toml")
    a = ok(assistant(elsewhere, "search", "Lisbon hotel", "--config", config, "--json"))
    b = ok(assistant(elsewhere, "--config", config, "search", "Lisbon hotel", "--json"))
    c = ok(assistant(elsewhere, f"--config={config}", "--json", "search", "Lisbon hotel"))
    assert json.loads(a.stdout) == json.loads(b.stdout) == json.loads(c.stdout)

    status_first = ok(assistant(home, "--json", "status")).stdout
    assert json.loads(status_first)["documents"] == json.loads(
        ok(assistant(home, "status", "--json")).stdout
    )["documents"]


def test_a_double_dash_keeps_option_like_words_as_the_query(home: Path) -> None:
    data = json.loads(ok(assistant(home, "search", "--json", "--", "--now")).stdout)
    assert data["query"] == "--now"


@pytest.mark.parametrize(
    ("word", "kinds"),
    [("notes", {"note"}), ("calendar", {"event"}), ("messages", {"message", "email"}),
     ("note", {"note"}), ("email", {"email"})],
)
def test_kind_takes_the_configs_words_too(home: Path, word: str, kinds: set[str]) -> None:
    data = json.loads(ok(assistant(home, "search", "Ada", "-k", "20", "--kind", word, "--json")).stdout)
    assert data["hits"] and {h["kind"] for h in data["hits"]} <= kinds


# --- help ------------------------------------------------------------------------------------

COMMANDS = [
    ["index"], ["search"], ["ask"], ["forget"], ["doctor"], ["status"], ["check"],
    ["daemon", "start"], ["daemon", "stop"], ["daemon", "status"], ["daemon", "run"],
    ["daemon", "install"], ["daemon", "uninstall"],
    ["calendar"], ["calendar", "free"], ["calendar", "next"],
]


def test_help_is_h_and_needs_no_config(tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text("[store\n")  # broken: help must still show
    root = ok(assistant(tmp_path, "-h"))
    assert "Usage: assistant" in root.stdout and "--version" in root.stdout
    assert ok(assistant(tmp_path, "--version")).stdout.strip().startswith("assistant ")
    for command in COMMANDS:
        text = ok(assistant(tmp_path, *command, "-h")).stdout
        assert "Example: assistant" in text, command
        assert "<bool>" not in text, command  # flags read `--json`, not `--json <bool>`
        assert "--help" in text and "-h" in text
    search = ok(assistant(tmp_path, "search", "-h")).stdout
    assert "-k" in search and "--k " not in search and "--json " in search


# --- empty and missing things ------------------------------------------------------------------


def test_read_only_commands_create_nothing_and_say_where_a_config_was_looked_for(
    tmp_path: Path,
) -> None:
    cwd, fake_home = tmp_path / "cwd", tmp_path / "home"
    cwd.mkdir()
    fake_home.mkdir()
    env = {
        "HOME": str(fake_home),
        "XDG_CONFIG_HOME": str(fake_home / ".config"),
        "XDG_DATA_HOME": str(fake_home / ".local" / "share"),
    }
    looked = f"{cwd / 'config.toml'}, {fake_home / '.config' / 'assistant' / 'config.toml'}"

    status = ok(assistant(cwd, "status", **env))
    assert f"no config file found (looked for {looked})" in status.stdout
    assert "not created yet" in status.stdout
    data = json.loads(ok(assistant(cwd, "status", "--json", **env)).stdout)
    assert data["store"]["exists"] is False and data["config"] is None
    assert data["config_looked_for"] == looked.split(", ")
    ok(assistant(cwd, "doctor", **env))
    for command in (["search", "x"], ["calendar"], ["check"], ["forget", "--list"]):
        proc = assistant(cwd, *command, **env)
        if command[0] == "forget":
            assert proc.returncode == 0
            continue
        assert proc.returncode == 1, command
        assert proc.stderr.startswith(EMPTY_INDEX) and f"looked for {looked}" in proc.stderr

    created = [p for p in fake_home.rglob("*")] + [p for p in cwd.rglob("*")]
    assert created == [], created


def test_an_empty_index_says_so(tmp_path: Path) -> None:
    (tmp_path / "notes").mkdir()
    write_config(tmp_path, [("notes", "notes")])
    for command in (["search", "x"], ["ask", "What is my rent?"], ["calendar", "today"]):
        proc = assistant(tmp_path, *command)
        assert (proc.returncode, proc.stderr.strip()) == (1, EMPTY_INDEX), command
    assert not (tmp_path / "index").exists()  # asking never creates the index
    assert "0 added" in ok(assistant(tmp_path, "index")).stdout  # now it exists, still empty
    proc = assistant(tmp_path, "search", "x")
    assert (proc.returncode, proc.stderr.strip()) == (1, EMPTY_INDEX)


def test_a_missing_source_folder_is_a_warning_for_that_source_only(tmp_path: Path) -> None:
    write_tree(tmp_path / "notes", NOTES)
    write_tree(tmp_path / "usb", {"stick.md": "# Stick\nThe spare key is under the doormat.\n"})
    write_config(tmp_path, [("notes", "notes"), ("usb", "notes")])
    assert "5 added" in ok(assistant(tmp_path, "index")).stdout

    shutil.rmtree(tmp_path / "usb")  # unplugged
    status = ok(assistant(tmp_path, "status"))
    assert "key 'sources[1].path': folder not found" in status.stderr
    assert f"{tmp_path / 'usb'} (notes, folder not found)" in status.stdout
    index = ok(assistant(tmp_path, "index"))
    assert (
        f"warning: {tmp_path / 'usb'}: source folder not found; skipped "
        "(its 1 indexed document is kept)"
    ) in index.stderr
    assert "0 removed" in index.stdout
    assert json.loads(ok(assistant(tmp_path, "status", "--json")).stdout)["documents"] == {
        "notes": 5
    }


# --- exit codes and what index lists -------------------------------------------------------


def test_index_exits_3_and_lists_the_files_that_failed(tmp_path: Path) -> None:
    write_tree(tmp_path / "notes", NOTES)
    broken = tmp_path / "notes" / "broken.md"
    broken.write_bytes(b"# Half a note\n" + b"text " * 2000 + b"\x00\x01\x02 garbage")
    photo = tmp_path / "notes" / "photo.md"
    photo.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    write_config(tmp_path, [("notes", "notes")])

    proc = assistant(tmp_path, "index")
    assert proc.returncode == 3
    assert "4 added, 0 updated, 0 removed, 0 unchanged, 1 failed" in proc.stdout
    assert f"error: {broken}: contains NUL bytes; not a text file" in proc.stderr
    assert f"skipped (binary data, not a text note): {photo}" in proc.stderr

    again = assistant(tmp_path, "index", "--json")
    assert again.returncode == 3
    report = json.loads(again.stdout)
    assert report["failed"] == 1 and report["skipped_files"] == [
        f"skipped (binary data, not a text note): {photo}"
    ]

    broken.unlink()
    clean = ok(assistant(tmp_path, "index"))  # a skipped binary file is not a failure
    assert f"skipped (binary data, not a text note): {photo}" in clean.stderr


def test_a_latin1_note_is_indexed_and_found(tmp_path: Path) -> None:
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "rezept.md").write_bytes(
        "# Käsespätzle\nMit Röstzwiebeln und Bergkäse, für 4 Personen.\n".encode("latin-1")
    )
    write_config(tmp_path, [("notes", "notes")])
    assert "1 added, 0 updated, 0 removed, 0 unchanged, 0 failed" in ok(
        assistant(tmp_path, "index")
    ).stdout


# --- output --------------------------------------------------------------------------------


def test_piped_output_is_not_wrapped_and_has_no_trailing_spaces(home: Path) -> None:
    search = ok(assistant(home, "search", "Lisbon hotel flight", "-k", "3")).stdout
    agenda = ok(assistant(home, "--now", NOW, "calendar", "this", "week")).stdout
    for text in (search, agenda):
        lines = text.splitlines()
        assert lines and all(line == line.rstrip() for line in lines)
    assert any(len(line) > 80 for line in search.splitlines())  # a long snippet stays one line
    status = ok(assistant(home, "status")).stdout
    assert all(line == line.rstrip() for line in status.splitlines())


def test_doctor_shows_the_threads_chosen(home: Path) -> None:
    expected = max(1, physical_cores() - 1)
    info = json.loads(ok(assistant(home, "doctor", "--json")).stdout)
    assert info["llm"]["threads"] == expected and info["llm"]["threads_chosen_by"] == "auto"
    text = ok(assistant(home, "doctor")).stdout
    assert f"{expected} threads (auto: {physical_cores()} physical cores - 1, at least 1)" in text


def test_status_on_a_damaged_index_reports_the_rest_and_says_how_to_rebuild(tmp_path: Path) -> None:
    write_tree(tmp_path / "notes", NOTES)
    write_config(tmp_path, [("notes", "notes")])
    (tmp_path / "index").mkdir()
    (tmp_path / "index" / "assistant.db").write_bytes(b"garbage" * 1000)
    status = assistant(tmp_path, "status")
    assert status.returncode == 1  # still an error, with everything else said first
    assert "Sources" in status.stdout and "Index  damaged" in status.stdout
    (line,) = status.stderr.splitlines()
    assert "the index is damaged" in line and line.endswith("assistant index --rebuild")
    as_json = assistant(tmp_path, "status", "--json")
    assert as_json.returncode == 1
    assert "rebuild" in json.loads(as_json.stdout)["store"]["problem"]
