"""Calendar queries over a real store: agenda, free slots, next occurrence, lazy expansion."""

from __future__ import annotations

import dataclasses
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from assistant.calendar import Cut, free_slots, next_occurrence, occurrences, watch_cuts
from assistant.calendar_ask import calendar_json, parse_hours, parse_length
from assistant.errors import AssistantError
from assistant.recurrence import MAX_PER_SERIES
from assistant.sources import ParseContext, ics
from assistant.store import NewDocument, Store
from assistant.timeparse import parse_window

FIXTURES = Path(__file__).parent / "fixtures" / "calendar"
TZ = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=TZ)
JSON_KEYS = {"title", "start", "end", "all_day", "location", "path", "uid"}


def load(store: Store, *names: str, transform=None) -> None:
    """Index fixture calendars the way the indexer does (minus embedding the chunks)."""
    for name in names:
        path = FIXTURES / name
        events = list(ics.parse(path, ParseContext(tz=TZ)))
        if transform is not None:
            events = [transform(e) for e in events]
        doc = NewDocument(path=str(path), kind="calendar", format="ics", hash=name, mtime=0.0,
                          size=0)
        with store.writing(doc) as writer:
            writer.add_events(events)


@pytest.fixture
def store(tmp_path: Path) -> Store:
    s = Store(tmp_path / "index.db")
    load(s, "google.ics", "apple.ics", "outlook.ics")
    yield s
    s.close()


@pytest.fixture
def endless(tmp_path: Path) -> Store:
    s = Store(tmp_path / "endless.db")
    load(s, "endless.ics")
    yield s
    s.close()


def day(text: str) -> tuple[datetime, datetime]:
    w = parse_window(text, NOW, TZ, prefer="future")
    return w.start, w.end


def titles(store: Store, when: str) -> list[str]:
    return [o.title for o in occurrences(store, *day(when), TZ)]


def test_a_day_lists_exactly_its_events_in_order(store: Store) -> None:
    assert titles(store, "2026-11-24") == ["Team sync", "US office hours"]
    assert titles(store, "2026-11-25") == ["Late call with Sydney", "Call with New York"]


def test_an_event_overlapping_the_window_is_in_it(store: Store) -> None:
    assert titles(store, "2026-11-29") == ["Night train to Vienna"]  # began Saturday 22:00
    assert "Night train to Vienna" in titles(store, "2026-11-28")
    assert titles(store, "2026-12-03") == ["Conference"]
    assert "Conference" not in titles(store, "2026-12-04")


def test_all_day_events_come_first_and_zero_length_events_count(store: Store) -> None:
    assert titles(store, "2026-12-04") == ["Release day"]
    assert titles(store, "2026-11-27") == ["Parcel pickup"]  # no DTEND: a moment at 12:00
    noon = datetime(2026, 11, 27, 12, 0, tzinfo=TZ)
    assert [o.title for o in occurrences(store, noon, noon + timedelta(minutes=1), TZ)] == [
        "Parcel pickup"]


def test_cancelled_and_moved_occurrences(store: Store) -> None:
    assert titles(store, "2026-11-02") == []  # cancelled via RECURRENCE-ID + STATUS
    assert titles(store, "2026-11-09") == []  # EXDATE
    assert titles(store, "2026-11-16") == []
    assert titles(store, "2026-11-17") == ["Weekly planning (moved)"]
    assert "Cancelled dinner" not in titles(store, "2026-11-27")


def test_json_shape_timed_and_all_day(store: Store) -> None:
    team = occurrences(store, *day("2026-11-24"), TZ)[0]
    assert team.to_json(TZ) == {
        "title": "Team sync", "start": "2026-11-24T10:00:00+01:00",
        "end": "2026-11-24T10:30:00+01:00", "all_day": False, "location": None,
        "path": str(FIXTURES / "outlook.ics"), "uid": team.uid,
    }
    conference = occurrences(store, *day("2026-12-02"), TZ)[0].to_json(TZ)
    assert set(conference) == JSON_KEYS
    assert (conference["start"], conference["end"], conference["all_day"]) == (
        "2026-12-01", "2026-12-04", True)


def test_times_are_shown_in_the_configured_zone(store: Store) -> None:
    new_york = ZoneInfo("America/New_York")
    call = [o for o in occurrences(store, *day("2026-11-25"), TZ) if "New York" in o.title][0]
    assert call.to_json(TZ)["start"] == "2026-11-25T16:00:00+01:00"
    assert call.to_json(new_york)["start"] == "2026-11-25T10:00:00-05:00"


def test_beyond_the_index_horizon_occurrences_are_expanded_lazily(endless: Store) -> None:
    week = (datetime(2040, 3, 5, tzinfo=TZ), datetime(2040, 3, 12, tzinfo=TZ))  # Mon-Mon
    found = [o for o in occurrences(endless, *week, TZ) if o.title == "Daily standup"]
    assert [o.start_in(TZ).isoformat() for o in found] == [
        f"2040-03-0{d}T09:30:00+01:00" for d in (5, 6, 7, 8, 9)]
    past = (datetime(2020, 1, 6, tzinfo=TZ), datetime(2020, 1, 7, tzinfo=TZ))
    assert [o.title for o in occurrences(endless, *past, TZ) if o.title == "Daily standup"] == [
        "Daily standup"]


def test_lazy_and_stored_occurrences_agree_inside_the_horizon(tmp_path: Path) -> None:
    stored = Store(tmp_path / "stored.db")
    lazy = Store(tmp_path / "lazy.db")
    load(stored, "google.ics", "endless.ics")
    # An event indexed without occurrences (e.g. by an older version) is expanded lazily.
    load(lazy, "google.ics", "endless.ics",
         transform=lambda e: dataclasses.replace(e, occurrences=(), covered=None))
    for when in ("2026-11-17", "next week", "in october", "2026-12-01"):
        a = [o.to_json(TZ) for o in occurrences(stored, *day(when), TZ) if o.title != "Ping"]
        b = [o.to_json(TZ) for o in occurrences(lazy, *day(when), TZ) if o.title != "Ping"]
        assert a == b and a, when
    stored.close()
    lazy.close()


def test_an_endless_minutely_rule_never_hangs_a_query(endless: Store) -> None:
    started = time.perf_counter()
    found = occurrences(endless, datetime(2031, 5, 1, tzinfo=TZ), datetime(2031, 5, 2, tzinfo=TZ),
                        TZ)
    assert time.perf_counter() - started < 10
    assert sum(o.title == "Ping" for o in found) == 24 * 60  # a day of it: all, none cut


def test_a_window_longer_than_three_years_is_refused(store: Store) -> None:
    with pytest.raises(AssistantError):
        occurrences(store, NOW, NOW + timedelta(days=4 * 365), TZ)


def test_reindexing_a_file_replaces_its_occurrences(store: Store) -> None:
    load(store, "google.ics")
    assert titles(store, "2026-11-23") == ["Weekly planning"]
    store.delete_document(str(FIXTURES / "google.ics"))
    assert titles(store, "2026-11-23") == []
    (orphans,) = store.db.execute(
        "SELECT count(*) FROM occurrences WHERE event_id NOT IN (SELECT id FROM events)"
    ).fetchone()
    assert orphans == 0


# --- free slots -------------------------------------------------------------------------------


def test_free_slots_within_working_hours_around_busy_events(store: Store) -> None:
    busy, free = free_slots(store, *day("2026-11-24"), TZ)
    assert [o.title for o in busy] == ["Team sync", "US office hours"]
    assert [(s.start.astimezone(TZ).strftime("%H:%M"), s.end.astimezone(TZ).strftime("%H:%M"))
            for s in free] == [("09:00", "10:00"), ("10:30", "15:00"), ("16:00", "18:00")]


def test_free_slots_respect_min_length_hours_and_now(store: Store) -> None:
    start, end = day("2026-11-24")
    _, free = free_slots(store, start, end, TZ, min_length=timedelta(hours=2),
                         hours=parse_hours("08:00-20:00"),
                         now=datetime(2026, 11, 24, 12, 0, tzinfo=TZ))
    assert [(s.start.astimezone(TZ).hour, s.end.astimezone(TZ).hour) for s in free] == [
        (12, 15), (16, 20)]


def test_a_part_of_day_window_is_used_as_it_is(store: Store) -> None:
    _, free = free_slots(store, *day("2026-11-24 evening"), TZ)
    assert [(s.start.astimezone(TZ).hour, s.end.astimezone(TZ).isoformat()) for s in free] == [
        (18, "2026-11-25T00:00:00+01:00")]


def test_all_day_and_transparent_events_block_no_time(store: Store) -> None:
    busy, free = free_slots(store, *day("2026-12-02"), TZ)  # during the all-day conference
    assert busy == []
    assert [(s.start.astimezone(TZ).hour, s.end.astimezone(TZ).hour) for s in free] == [(9, 18)]


@pytest.mark.parametrize(("text", "minutes"), [("30m", 30), ("1h", 60), ("1h30m", 90),
                                               ("90", 90), ("45 min", 45)])
def test_lengths(text: str, minutes: int) -> None:
    assert parse_length(text) == timedelta(minutes=minutes)


@pytest.mark.parametrize("bad", ["soon", "18:00-09:00", "25-26"])
def test_bad_hours_are_one_line_errors(bad: str) -> None:
    with pytest.raises(AssistantError, match="--hours"):
        parse_hours(bad)


# --- next occurrence --------------------------------------------------------------------------


def test_next_occurrence_matches_words_of_the_title(store: Store) -> None:
    occ = next_occurrence(store, "sync", NOW, TZ)
    assert occ is not None and occ.start_in(TZ).isoformat() == "2026-11-24T10:00:00+01:00"
    later = next_occurrence(store, "team sync", datetime(2026, 11, 24, 11, 0, tzinfo=TZ), TZ)
    assert later is not None and later.start_in(TZ).date().isoformat() == "2026-12-01"


def test_next_occurrence_after_a_series_ended_is_none(store: Store) -> None:
    assert next_occurrence(store, "team sync", datetime(2026, 12, 9, tzinfo=TZ), TZ) is None
    assert next_occurrence(store, "dentist", NOW, TZ) is None


def test_next_occurrence_of_an_all_day_event_today_counts(store: Store) -> None:
    occ = next_occurrence(store, "birthday", datetime(2026, 12, 9, 15, 0, tzinfo=TZ), TZ)
    assert occ is not None and occ.to_json(TZ)["start"] == "2026-12-09"


def test_next_occurrence_far_beyond_the_horizon(endless: Store) -> None:
    occ = next_occurrence(endless, "standup", datetime(2041, 1, 1, 10, 0, tzinfo=TZ), TZ)
    assert occ is not None  # Tuesday 1 January 2041, 10:00: the 09:30 one has begun
    assert occ.start_in(TZ).isoformat() == "2041-01-02T09:30:00+01:00"


def test_calendar_json_for_each_action(store: Store) -> None:
    agenda = calendar_json(store, NOW, TZ, action="agenda", when="tomorrow")
    assert agenda["window"] == {"start": "2026-11-24T00:00:00+01:00",
                                "end": "2026-11-25T00:00:00+01:00"}
    assert all(set(e) == JSON_KEYS for e in agenda["events"])
    free = calendar_json(store, NOW, TZ, action="free", when="friday afternoon", min="1h")
    assert set(free) == {"window", "busy", "free"}
    assert free["free"] == [{"start": "2026-11-27T12:00:00+01:00",
                             "end": "2026-11-27T18:00:00+01:00"}]
    assert [e["title"] for e in free["busy"]] == ["Parcel pickup"]  # a moment blocks nothing
    nxt = calendar_json(store, NOW, TZ, action="next", text="haircut")
    assert [e["title"] for e in nxt["events"]] == ["Haircut"]
    with pytest.raises(AssistantError):
        calendar_json(store, NOW, TZ, action="dance")


# --- exactness with real-world exports (issue 13) -----------------------------------------------


def both_ways(tmp_path: Path, *names: str) -> list[Store]:
    """The files indexed with their occurrences, and indexed without (expanded lazily)."""
    stored, lazy = Store(tmp_path / "stored.db"), Store(tmp_path / "lazy.db")
    load(stored, *names)
    load(lazy, *names, transform=lambda e: dataclasses.replace(e, occurrences=(), covered=None))
    return [stored, lazy]


def starts(store: Store, when: str) -> list[tuple[str, str]]:
    return [(o.start_in(TZ).strftime("%H:%M"), o.title) for o in occurrences(store, *day(when), TZ)]


def test_occurrences_moved_to_one_slot_are_all_listed(tmp_path: Path) -> None:
    # RFC 5545 3.8.4.4: each RECURRENCE-ID override replaces its own instance only.
    for store in both_ways(tmp_path, "google-same-slot.ics", "club-shared-uid.ics"):
        # The overrides of 30 Nov and 7 Dec both moved Office hours to Friday 4 Dec 15:00.
        assert starts(store, "2026-12-04") == [("15:00", "Office hours")] * 2
        assert starts(store, "2026-11-30") == [] and starts(store, "2026-12-07") == []
        # Standup's 2 Dec instance moved onto the 3 Dec instance's slot: both are there.
        assert starts(store, "2026-12-03") == [("09:00", "Standup")] * 2
        assert starts(store, "2026-12-02") == [("17:00", "Elternabend"),
                                               ("17:00", "Training U12")]
        store.close()


def test_an_all_day_event_ending_on_its_start_date_is_on_that_day_only(tmp_path: Path) -> None:
    store = Store(tmp_path / "index.db")
    load(store, "ical-generator-same-day.ics", "school-date-start-timed-end.ics")
    assert titles(store, "2026-12-08") == ["Team day off"]  # DTEND = DTSTART: one day
    assert "Team day off" not in titles(store, "2026-12-09")
    assert titles(store, "2026-12-31") == ["Winter break"]  # DTEND 31 Dec 23:59:59
    assert titles(store, "2027-01-01") == []
    assert titles(store, "2026-12-04") == ["Spirit week"]  # Book fair ended 4 Dec 00:00


def test_a_dense_series_is_listed_whole_in_a_month(tmp_path: Path) -> None:
    # Incubator reading: MINUTELY;INTERVAL=15;COUNT=2880 from 1 June 2027 (all 30 days of
    # June, 96 a day), stored at index time. Sensor check: every 15 minutes without end,
    # expanded lazily in June 2040: again 2880, none left out.
    store = Store(tmp_path / "index.db")
    load(store, "google-dense.ics")
    for when, title in (("in june 2027", "Incubator reading"), ("in june 2040", "Sensor check")):
        cuts: list[Cut] = []
        found = [o for o in occurrences(store, *day(when), TZ, cuts=cuts) if o.title == title]
        assert len(found) == 2880 and cuts == [], when
        assert found[0].start_in(TZ).isoformat()[:16] == when[-4:] + "-06-01T00:00"
        assert found[-1].start_in(TZ).isoformat()[:16] == when[-4:] + "-06-30T23:45"


def test_where_a_series_is_still_cut_the_query_says_so(endless: Store) -> None:
    # Ping is every minute without end: two weeks are 20,160 occurrences, over the cap.
    window = (datetime(2031, 5, 1, tzinfo=TZ), datetime(2031, 5, 15, tzinfo=TZ))
    cuts: list[Cut] = []
    pings = [o for o in occurrences(endless, *window, TZ, cuts=cuts) if o.title == "Ping"]
    assert [(c.uid, c.title) for c in cuts] == [("every-minute", "Ping")]
    assert len(pings) == MAX_PER_SERIES  # the first ones, none skipped before the cut
    assert pings[0].start_in(TZ) == window[0]
    assert pings[-1].start_in(TZ) == window[0] + timedelta(minutes=MAX_PER_SERIES - 1)
    assert cuts[0].until == window[0] + timedelta(minutes=MAX_PER_SERIES)
    assert cuts[0].to_json(TZ) == {"uid": "every-minute", "title": "Ping",
                                   "path": str(FIXTURES / "endless.ics"),
                                   "until": cuts[0].until.astimezone(TZ).isoformat()}
    with watch_cuts() as seen:  # what the JSON layer collects around the planner's calls
        occurrences(endless, *window, TZ)
    assert seen == cuts


def test_free_time_is_not_claimed_past_a_cut(endless: Store) -> None:
    # Ping blocks 30 s of every minute; free time after the cut is unknown, so none is listed.
    window = (datetime(2031, 5, 1, tzinfo=TZ), datetime(2031, 5, 15, tzinfo=TZ))
    cuts: list[Cut] = []
    _, free = free_slots(endless, *window, TZ, min_length=timedelta(seconds=20), cuts=cuts)
    assert cuts and free and max(s.end for s in free) <= cuts[0].until
    assert free[0].start == datetime(2031, 5, 1, 9, 0, 30, tzinfo=TZ)


def test_the_next_occurrence_of_a_dense_series(tmp_path: Path) -> None:
    store = Store(tmp_path / "index.db")
    load(store, "google-dense.ics")
    occ = next_occurrence(store, "sensor check", datetime(2040, 6, 10, 12, 7, tzinfo=TZ), TZ)
    assert occ is not None and occ.start_in(TZ).isoformat() == "2040-06-10T12:15:00+02:00"


def test_an_older_index_gets_occurrence_identities_and_re_reads_its_calendars(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import assistant.store
    from assistant.migrations import MIGRATIONS

    path = tmp_path / "old.db"
    with monkeypatch.context() as m:  # the schema as it was before migration 4
        m.setattr(assistant.store, "MIGRATIONS", [mig for mig in MIGRATIONS if mig[0] < 4])
        old = Store(path)
        old.db.executemany(
            "INSERT INTO documents(path, kind, format, hash, mtime, size, indexed_at) "
            "VALUES (?, ?, ?, 'h', 5.0, 10, 0)",
            [("/cal/work.ics", "calendar", "ics"), ("/notes/a.md", "notes", "markdown")])
        old.close()
    store = Store(path)
    columns = [row[1] for row in store.db.execute("PRAGMA table_info(occurrences)")]
    assert "recurrence_id" in columns
    rows = {path: (mtime, digest) for path, mtime, digest
            in store.db.execute("SELECT path, mtime, hash FROM documents")}
    assert rows == {"/cal/work.ics": (-1.0, ""), "/notes/a.md": (5.0, "h")}  # ics: re-read
    store.close()
