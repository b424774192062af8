"""Global options anywhere: however --now, --config, --no-daemon and --json are placed
around a command and its words, the command sees the same thing."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from assistant.cli import hoist_global_options

WORDS = st.lists(
    st.text(st.characters(categories=("L", "N")), min_size=1, max_size=8), min_size=1, max_size=4
)
GLOBALS = st.lists(
    st.sampled_from(
        [("--now", "2026-11-23T09:00"), ("--config", "/c/config.toml"), ("--no-daemon",),
         ("--json",), ("--now=2026-11-23T10:00",)]
    ),
    max_size=4,
)


@given(command=WORDS, options=GLOBALS, data=st.data())
def test_global_options_may_stand_anywhere(command, options, data) -> None:
    units: list[tuple[str, ...]] = [(word,) for word in command]
    for option in options:  # each option, with its value, between two words (or at an end)
        units.insert(data.draw(st.integers(0, len(units))), option)
    hoisted = hoist_global_options([part for unit in units for part in unit])

    placed = [unit for unit in units if unit in options]  # in the order they were typed
    front = [part for unit in placed if unit != ("--json",) for part in unit]
    tail = ["--json"] if ("--json",) in options else []
    assert hoisted == front + command + tail


def test_nothing_after_a_double_dash_moves() -> None:
    assert hoist_global_options(["search", "--json", "--", "--now", "x"]) == [
        "search", "--json", "--", "--now", "x"
    ]
    assert hoist_global_options(["--json", "search", "--", "--json"]) == [
        "search", "--json", "--", "--json"
    ]
