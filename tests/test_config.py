"""Config: the documented keys, validation errors that name the key, lookup order."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.config import load_config
from assistant.errors import ConfigError


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_documented_keys_load_and_relative_paths_resolve_against_the_config_folder(
    tmp_path: Path,
) -> None:
    (tmp_path / "data" / "notes").mkdir(parents=True)
    cfg = load_config(
        write(
            tmp_path / "config.toml",
            """
            timezone = "Europe/Berlin"
            [store]
            path = "index/assistant.db"
            [[sources]]
            path = "data/notes"
            kind = "notes"
            [embedding]
            model = "bundled"
            [llm]
            model = "bundled"
            """.replace("            ", ""),
        )
    )
    assert cfg.timezone == "Europe/Berlin"
    assert cfg.store.path == tmp_path.resolve() / "index" / "assistant.db"
    assert cfg.sources[0].path == (tmp_path / "data" / "notes").resolve()
    assert cfg.sources[0].kind == "notes"
    assert cfg.embedding.model == "bundled" and cfg.llm.model == "bundled"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[store]\npth = "x.db"\n', "unknown key 'store.pth'"),
        ('colour = "blue"\n', "unknown key 'colour'"),
        ("timezone = 3\n", "key 'timezone' must be a string"),
        ('timezone = "Mars/Olympus"\n', "unknown time zone"),
        ('timezone = "Europe"\n', "unknown time zone"),  # a folder of the tz database
        ('[llm]\nthreads = "four"\n', "key 'llm.threads' must be an integer"),
        ('[daemon]\nautostart = "yes"\n', "key 'daemon.autostart' must be true or false"),
        ("[daemon]\nautostart = 1\n", "key 'daemon.autostart' must be true or false"),
        ('[[sources]]\npath = "."\nkind = "photos"\n', "key 'sources[0].kind' must be one of"),
        ('[[sources]]\nkind = "notes"\n', "key 'sources[0].path' is missing"),
        ("[store\n", "not valid TOML"),
    ],
)
def test_bad_config_is_one_line_naming_the_key(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ConfigError) as err:
        load_config(write(tmp_path / "config.toml", text))
    assert message in str(err.value)
    assert "\n" not in str(err.value)
    assert str(tmp_path / "config.toml") in str(err.value)


def test_a_missing_source_folder_is_a_warning_naming_the_key_not_an_error(tmp_path: Path) -> None:
    (tmp_path / "notes").mkdir()
    cfg = load_config(
        write(
            tmp_path / "config.toml",
            '[[sources]]\npath = "notes"\n[[sources]]\npath = "usb-stick/notes"\n',
        )
    )
    assert [s.path.name for s in cfg.sources] == ["notes", "notes"]
    assert cfg.warnings == (
        f"{tmp_path / 'config.toml'}: key 'sources[1].path': folder not found: "
        f"{tmp_path / 'usb-stick' / 'notes'}",
    )


def test_daemon_autostart_is_on_unless_the_config_turns_it_off(tmp_path: Path) -> None:
    assert load_config(write(tmp_path / "config.toml", "")).daemon.autostart is True
    off = load_config(write(tmp_path / "config.toml", "[daemon]\nautostart = false\n"))
    assert off.daemon.autostart is False


def test_without_a_config_file_the_places_looked_at_are_known(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("ASSISTANT_CONFIG", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    cfg = load_config()
    assert cfg.path is None
    assert cfg.looked_for == (tmp_path / "config.toml", tmp_path / "xdg" / "assistant" / "config.toml")
    assert str(tmp_path / "config.toml") in cfg.no_config_found()


def test_lookup_order_is_flag_then_env_then_cwd_then_user_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("flag", "env", "cwd", "user"):
        (tmp_path / name).mkdir()
        write(tmp_path / name / "config.toml", f'timezone = "UTC"\n[store]\npath = "{name}.db"\n')
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    (tmp_path / "xdg" / "assistant").mkdir(parents=True)
    write(tmp_path / "xdg" / "assistant" / "config.toml", '[store]\npath = "user.db"\n')
    monkeypatch.chdir(tmp_path / "cwd")
    monkeypatch.setenv("ASSISTANT_CONFIG", str(tmp_path / "env" / "config.toml"))

    assert load_config(tmp_path / "flag" / "config.toml").store.path.name == "flag.db"
    assert load_config().store.path.name == "env.db"
    monkeypatch.delenv("ASSISTANT_CONFIG")
    assert load_config().store.path.name == "cwd.db"
    monkeypatch.chdir(tmp_path)
    assert load_config().store.path.name == "user.db"


def test_a_missing_explicit_config_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="config file not found"):
        load_config(tmp_path / "nope.toml")


def test_cli_reports_a_config_error_on_one_line_without_traceback(tmp_path: Path) -> None:
    import subprocess
    import sys

    write(tmp_path / "config.toml", '[store]\npth = "x"\n')
    proc = subprocess.run(
        [sys.executable, "-m", "assistant", "status"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
    )
    assert proc.returncode == 1
    assert proc.stderr.strip().count("\n") == 0
    assert "unknown key 'store.pth'" in proc.stderr
    assert "Traceback" not in proc.stderr
