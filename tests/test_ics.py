"""The .ics parser on exports written as Google, Apple and Outlook write them."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from assistant.errors import SourceError
from assistant.records import Event
from assistant.recurrence import MAX_PER_SERIES
from assistant.sources import ParseContext, detect_format, ics

FIXTURES = Path(__file__).parent / "fixtures" / "calendar"
DATA = Path(__file__).parents[1] / "data" / "calendar"
BERLIN = ZoneInfo("Europe/Berlin")


def parse(name: str, tz: ZoneInfo = BERLIN, folder: Path = FIXTURES) -> tuple[dict[str, Event],
                                                                               list[str]]:
    ctx = ParseContext(tz=tz)
    events = list(ics.parse(folder / name, ctx))
    return {e.title: e for e in events}, ctx.problems


def local_starts(event: Event, tz: ZoneInfo = BERLIN) -> list[str]:
    return [s.start.astimezone(tz).isoformat() if isinstance(s.start, datetime)
            else s.start.isoformat() for s in event.occurrences]


def test_fixtures_are_written_like_real_exports() -> None:
    for name in ("google.ics", "apple.ics", "outlook.ics"):
        raw = (FIXTURES / name).read_bytes()
        assert b"\r\n" in raw and b"\n " in raw.replace(b"\r\n ", b"\n ")  # CRLF, folded
        assert b"BEGIN:VTIMEZONE" in raw


def test_detects_calendars_by_suffix_or_content(tmp_path: Path) -> None:
    head = (FIXTURES / "google.ics").read_bytes()[:1000]
    assert detect_format(FIXTURES / "google.ics", head, "calendar") is ics
    odd = tmp_path / "export.txt"
    assert ics.detect(odd, b"\xef\xbb\xbfBEGIN:VCALENDAR\r\nVERSION:2.0")
    assert not ics.detect(odd, b"BEGIN: my notes")


def test_a_file_that_is_not_icalendar_is_a_source_error() -> None:
    with pytest.raises(SourceError) as err:
        list(ics.parse(FIXTURES / "not-a-calendar.ics", ParseContext(tz=BERLIN)))
    assert "not-a-calendar.ics" in str(err.value) and "not an iCalendar file" in str(err.value)


def test_one_event_per_uid_with_its_overrides_in_a_self_contained_calendar() -> None:
    events, problems = parse("google.ics")
    assert problems == []
    planning = events["Weekly planning"]
    assert planning.recurring and planning.uid == "planning-series@google.com"
    assert planning.ics.count("BEGIN:VEVENT") == 3  # master + cancelled + moved
    assert "BEGIN:VTIMEZONE" in planning.ics and "TZID:Europe/Berlin" in planning.ics
    assert planning.locator == "uid:planning-series@google.com"
    assert "folds it over more than one line" in (planning.description or "")


def test_rrule_with_exdate_cancelled_and_moved_occurrences() -> None:
    planning = parse("google.ics")[0]["Weekly planning"]
    # COUNT=6 Mondays from 19 Oct; 9 Nov excluded, 2 Nov cancelled, 16 Nov moved to Tuesday.
    assert local_starts(planning) == [
        "2026-10-19T09:00:00+02:00",
        "2026-10-26T09:00:00+01:00",
        "2026-11-17T14:00:00+01:00",
        "2026-11-23T09:00:00+01:00",
    ]
    moved = planning.occurrences[2]
    assert (moved.title, moved.location) == ("Weekly planning (moved)", "Room 2")
    assert planning.occurrences[0].title is None  # unchanged occurrences keep the series title
    assert planning.covered == (None, None)
    assert planning.last_end == datetime(2026, 11, 23, 8, 30, tzinfo=UTC)


def test_a_weekly_series_keeps_its_local_time_across_the_dst_change() -> None:
    planning = parse("google.ics")[0]["Weekly planning"]
    first, second = planning.occurrences[:2]
    assert first.start.astimezone(UTC).hour == 7 and second.start.astimezone(UTC).hour == 8


def test_google_utc_series_follows_x_wr_timezone_across_dst() -> None:
    gym = parse("google.ics")[0]["Gym"]  # written as 17:00Z = 19:00 summer time
    assert local_starts(gym) == [
        "2026-10-20T19:00:00+02:00",
        "2026-10-27T19:00:00+01:00",
        "2026-11-03T19:00:00+01:00",
    ]


def test_a_utc_event_near_midnight_lands_on_the_next_local_day() -> None:
    late = parse("google.ics")[0]["Late call with Sydney"]
    assert local_starts(late) == ["2026-11-25T00:30:00+01:00"]


def test_rdate_adds_occurrences() -> None:
    club = parse("google.ics")[0]["Book club"]
    assert [s[:10] for s in local_starts(club)] == ["2026-11-05", "2026-11-19", "2026-12-10"]


def test_multi_day_all_day_event_has_dates_with_exclusive_end() -> None:
    conference = parse("google.ics")[0]["Conference"]
    span = conference.occurrences[0]
    assert (span.start, span.end, span.all_day) == (date(2026, 12, 1), date(2026, 12, 4), True)
    assert conference.all_day and not span.busy  # all-day events block no time


def test_an_event_made_in_new_york_is_stored_at_the_right_instant() -> None:
    call = parse("apple.ics")[0]["Call with New York"]
    assert local_starts(call) == ["2026-11-25T16:00:00+01:00"]


def test_floating_times_are_in_the_configured_zone() -> None:
    new_york = ZoneInfo("America/New_York")
    in_berlin = parse("apple.ics")[0]["Plumber"].occurrences[0]
    in_new_york = parse("apple.ics", tz=new_york)[0]["Plumber"].occurrences[0]
    assert in_berlin.start.astimezone(BERLIN).isoformat() == "2026-11-26T08:00:00+01:00"
    assert in_new_york.start.astimezone(new_york).isoformat() == "2026-11-26T08:00:00-05:00"


def test_events_without_dtend() -> None:
    events = parse("apple.ics")[0]
    birthday = events["Mira's birthday"].occurrences[0]  # DATE: one day
    assert (birthday.start, birthday.end) == (date(2026, 12, 9), date(2026, 12, 10))
    pickup = events["Parcel pickup"].occurrences[0]  # DATE-TIME: no length
    assert pickup.start == pickup.end
    haircut = events["Haircut"].occurrences[0]  # DURATION
    assert (haircut.end - haircut.start).total_seconds() == 45 * 60


def test_a_cancelled_event_is_never_returned() -> None:
    assert "Cancelled dinner" not in parse("apple.ics")[0]


def test_an_invitation_to_single_instances_without_their_series() -> None:
    events, problems = parse("invitation.ics")  # only RECURRENCE-ID components, one cancelled
    assert problems == []
    assert local_starts(events["Invited instance (moved)"]) == ["2026-12-01T13:00:00+01:00"]


def test_events_spanning_midnight_keep_both_days() -> None:
    train = parse("apple.ics")[0]["Night train to Vienna"].occurrences[0]
    assert train.start.astimezone(BERLIN).isoformat() == "2026-11-28T22:00:00+01:00"
    assert train.end.astimezone(BERLIN).isoformat() == "2026-11-29T06:00:00+01:00"


def test_outlook_windows_zone_names_are_mapped_to_iana() -> None:
    events, problems = parse("outlook.ics")
    assert problems == []
    assert local_starts(events["Team sync"]) == [
        "2026-11-24T10:00:00+01:00", "2026-12-01T10:00:00+01:00", "2026-12-08T10:00:00+01:00"]
    assert local_starts(events["US office hours"]) == ["2026-11-24T15:00:00+01:00"]
    assert "W. Europe Standard Time" not in events["Team sync"].ics.split("BEGIN:VEVENT")[0]


def test_one_malformed_event_is_reported_by_line_and_the_rest_is_kept() -> None:
    events, problems = parse("broken.ics")
    assert set(events) == {"Good one", "Backwards", "Good two"}
    assert "line 10: event 'Broken start' (UID bad-start): unreadable DTSTART; skipped" in problems
    assert any(p.startswith("line 15:") and "no DTSTART" in p for p in problems)
    assert any(p.startswith("line 19:") and "RRULE" in p for p in problems)
    assert any(p.startswith("line 25:") and "DTEND is before DTSTART" in p for p in problems)
    assert any(p.startswith("line 31:") and "no END:VEVENT" in p for p in problems)
    backwards = events["Backwards"].occurrences[0]
    assert backwards.start == backwards.end


def test_an_endless_rule_is_expanded_over_a_bounded_horizon_quickly() -> None:
    started = time.perf_counter()
    events, _ = parse("endless.ics")
    assert time.perf_counter() - started < 10
    standup, ping = events["Daily standup"], events["Ping"]
    assert standup.last_end is None and standup.covered is not None
    assert 500 < len(standup.occurrences) <= 3 * 262  # weekdays of about three years
    assert len(ping.occurrences) == MAX_PER_SERIES  # every minute: capped, not 1.5 million
    assert ping.covered is not None and ping.covered[1] is not None


def test_the_sample_calendars_parse_cleanly() -> None:
    for name in ("google-sam.ics", "icloud-home.ics", "outlook-work.ics"):
        events, problems = parse(name, folder=DATA)
        assert events and problems == [], name
    home = parse("icloud-home.ics", folder=DATA)[0]
    running = home["Running club intervals"]
    tuesdays = [s for s in running.occurrences if s.start.astimezone(BERLIN).date()
                in (date(2026, 11, 24), date(2026, 12, 15))]
    assert [s.start.astimezone(BERLIN).isoformat() for s in tuesdays] == [
        "2026-11-24T19:00:00+01:00"]  # 15 December is an EXDATE (Lisbon)


def test_an_inline_attachment_is_skipped_and_its_event_kept(tmp_path: Path) -> None:
    # Outlook embeds attachments as folded base64 properties: megabytes of 74-char lines.
    blob = "QUJD" * 400_000  # 1.6 MB of base64
    folded = "\r\n ".join(blob[i : i + 74] for i in range(0, len(blob), 74))
    (tmp_path / "outlook.ics").write_text(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:att-1\r\n"
        "DTSTART:20261126T130000Z\r\nDTEND:20261126T140000Z\r\nSUMMARY:Steering deck review\r\n"
        f"ATTACH;ENCODING=BASE64;VALUE=BINARY;X-FILENAME=deck.pptx:{folded}\r\n"
        "LOCATION:Fjord\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
        newline="",
    )
    events, problems = parse("outlook.ics", folder=tmp_path)
    assert events["Steering deck review"].location == "Fjord"
    assert problems == ["line 8: a property longer than 1 MB (an inline attachment?); skipped"]


def test_a_property_given_twice_is_reported_not_a_crash(tmp_path: Path) -> None:
    (tmp_path / "twice.ics").write_text(
        "BEGIN:VCALENDAR\r\nBEGIN:VTIMEZONE\r\nTZID\r\nEND:VTIMEZONE\r\n"
        "BEGIN:VEVENT\r\nUID:a\r\nSUMMARY:Two ends\r\nDTSTART:20261126T100000Z\r\n"
        "DTEND:20261126T110000Z\r\nDTEND:20261126T120000Z\r\nEND:VEVENT\r\n"
        "BEGIN:VEVENT\r\nUID:b\r\nSUMMARY:Two starts\r\nDTSTART:20261126T100000Z\r\n"
        "DTSTART:20261127T100000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
        newline="",
    )
    events, problems = parse("twice.ics", folder=tmp_path)
    assert list(events) == ["Two ends"]
    assert events["Two ends"].end == datetime(2026, 11, 26, 11, 0, tzinfo=UTC)
    assert "line 5: event 'Two ends' (UID a): more than one DTEND; the first is used" in problems
    assert "line 12: event 'Two starts' (UID b): more than one DTSTART; skipped" in problems
    assert problems[0].startswith("line 2: malformed VTIMEZONE")
