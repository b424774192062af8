"""An entry's kind is named in the language the question is asked in, whatever language
the calendar writes it in: "choir rehearsal" finds "Chorprobe", "dinner" "Kolacja"."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant import library
from assistant.config import load_config
from assistant.runtime import Runtime
from conftest import write_config

EVENTS = [("probe", "20270303T190000", "RRULE:FREQ=WEEKLY;BYDAY=WE\r\n", "Chorprobe 🎶"),
          ("ostern", "20270327T203000", "", "Osternacht – Chor 🕯️"),
          ("kolacja", "20270313T190000", "", "Kolacja – Basia i Paweł"),
          ("zahn", "20270316T083000", "", "Dr. W – Zahnarzt"),
          ("kathi", "20270402T000000", "", "Kathi 🎂"),
          ("party", "20270509T150000", "", "Geburtstagsfeier Lena"),
          ("tier", "20270318T170000", "", "Tierarzt – Impfung"),
          ("physio", "20270317T080000", "RRULE:FREQ=WEEKLY;COUNT=4\r\n", "Fizjoterapia")]


def ics() -> str:
    rows = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Test//EN"]
    for uid, start, rule, title in EVENTS:
        rows += ["BEGIN:VEVENT", f"UID:{uid}@test", "DTSTAMP:20270101T000000Z",
                 f"DTSTART;TZID=Europe/Vienna:{start}", "DURATION:PT1H",
                 *([rule.strip()] if rule else []), f"SUMMARY:{title}"]
        rows += ["LOCATION:bei Kathi"] if uid == "party" else []
        rows += ["END:VEVENT"]
    return "\r\n".join([*rows, "END:VCALENDAR", ""])


@pytest.fixture(scope="module")
def rt(tmp_path_factory: pytest.TempPathFactory):
    root: Path = tmp_path_factory.mktemp("words")
    (root / "calendar").mkdir()
    (root / "calendar" / "home.ics").write_text(ics(), encoding="utf-8", newline="")
    write_config(root, [("calendar", "calendar")])
    runtime = Runtime(config=load_config(root / "config.toml"), now_override="2027-03-10T09:00")
    assert library.index(runtime).failed == 0
    yield runtime
    runtime.close()


@pytest.mark.parametrize(("question", "title"), [
    ("when's the next choir rehearsal?", "Chorprobe 🎶"),
    ("how many choir rehearsals are left in march", "Chorprobe 🎶"),
    ("when is dinner with basia", "Kolacja – Basia i Paweł"),
    ("when's my dentist appointment", "Dr. W – Zahnarzt"),
    ("which day of the week is kathi's birthday this year", "Kathi 🎂"),
    ("when's the vet appointment", "Tierarzt – Impfung"),
    ("how many physio sessions are left", "Fizjoterapia"),
])
def test_an_entry_is_named_by_its_kind_in_the_questions_language(
        rt: Runtime, question: str, title: str) -> None:
    answer = library.ask(rt, question)
    assert answer.route == "calendar" and {e.title for e in answer.events} == {title}
