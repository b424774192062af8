"""The .ics parser on exports written as Google, Apple and Outlook write them."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

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


def test_a_cancelled_event_is_kept_marked_and_has_no_occurrences() -> None:
    # Kept so that "is the dinner still on?" can say "cancelled"; never in an agenda.
    dinner = parse("apple.ics")[0]["Cancelled dinner"]
    assert dinner.cancelled and dinner.occurrences == ()


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


# --- exactness with real-world exports (issue 13) -----------------------------------------------


def parse_all(name: str, tz: ZoneInfo = BERLIN) -> tuple[list[Event], list[str]]:
    """Every event of a file, in file order (titles may repeat), and the problems reported."""
    ctx = ParseContext(tz=tz)
    return list(ics.parse(FIXTURES / name, ctx)), ctx.problems


def test_overrides_moving_occurrences_to_one_slot_are_all_kept() -> None:
    # RFC 5545 3.8.4.4: a RECURRENCE-ID names the one instance it replaces. Office hours is
    # WEEKLY;COUNT=4 on Mondays from 23 Nov (23 Nov, 30 Nov, 7 Dec, 14 Dec); the overrides of
    # 30 Nov and 7 Dec both move to Friday 4 Dec 15:00, so that slot holds two occurrences.
    events, problems = parse("google-same-slot.ics")
    assert problems == []
    assert local_starts(events["Office hours"]) == [
        "2026-11-23T10:00:00+01:00",
        "2026-12-04T15:00:00+01:00",
        "2026-12-04T15:00:00+01:00",
        "2026-12-14T10:00:00+01:00",
    ]


def test_an_override_moved_onto_another_occurrence_keeps_both() -> None:
    # DAILY;COUNT=3 from 1 Dec 09:00 (1, 2, 3 Dec); the 2 Dec instance moves to 3 Dec 09:00.
    # The 3 Dec instance of the rule is untouched (no RECURRENCE-ID names it): both remain.
    standup = parse("google-same-slot.ics")[0]["Standup"]
    assert local_starts(standup) == [
        "2026-12-01T09:00:00+01:00",
        "2026-12-03T09:00:00+01:00",
        "2026-12-03T09:00:00+01:00",
    ]


def test_distinct_events_sharing_one_uid_are_all_kept() -> None:
    # A club planner gives every event the same UID. Events with different content at the
    # same SEQUENCE are not revisions of one another (RFC 5545 3.8.7.4): each is shown; the
    # one VEVENT exported twice, identical but for DTSTAMP, is one event.
    events, problems = parse_all("club-shared-uid.ics")
    shown = sorted((e.title, local_starts(e)[0]) for e in events)
    assert shown == [
        ("Elternabend", "2026-12-02T17:00:00+01:00"),
        ("Training U12", "2026-12-02T17:00:00+01:00"),
        ("Weihnachtsfeier", "2026-12-18T18:00:00+01:00"),
    ]
    assert {e.uid for e in events} == {"termin@vereinsplaner.example"}
    assert problems == [
        "line 6: event 'Training U12' (UID termin@vereinsplaner.example): the UID is used by "
        "3 different events; each is shown (1 copy left out)"
    ]


def test_a_copy_cancelled_later_cancels_the_event(tmp_path: Path) -> None:
    # The same VEVENT twice at one SEQUENCE, the later DTSTAMP cancelled: a revision
    # (RFC 5546 orders revisions of one SEQUENCE by DTSTAMP), not a second event.
    (tmp_path / "cancelled.ics").write_text(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"
        "BEGIN:VEVENT\r\nUID:c1\r\nDTSTAMP:20261125T100000Z\r\nSTATUS:CANCELLED\r\n"
        "DTSTART:20261202T100000Z\r\nSUMMARY:Lunch\r\nEND:VEVENT\r\n"
        "BEGIN:VEVENT\r\nUID:c1\r\nDTSTAMP:20261120T100000Z\r\nSTATUS:CONFIRMED\r\n"
        "DTSTART:20261202T100000Z\r\nSUMMARY:Lunch\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
        newline="")
    events, problems = parse("cancelled.ics", folder=tmp_path)
    assert list(events) == ["Lunch"] and events["Lunch"].cancelled
    assert problems == ["line 3: event 'Lunch' (UID c1): the same event is in the file 2 "
                        "times; the copy stamped last is shown"]


def test_a_revised_event_keeps_only_its_highest_sequence(tmp_path: Path) -> None:
    # Same UID, SEQUENCE 0 then 1: the second is the revision of the first (RFC 5545 3.8.7.4).
    (tmp_path / "revised.ics").write_text(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"
        "BEGIN:VEVENT\r\nUID:r1\r\nSEQUENCE:0\r\nDTSTART:20261202T100000Z\r\nSUMMARY:Review\r\n"
        "END:VEVENT\r\nBEGIN:VEVENT\r\nUID:r1\r\nSEQUENCE:1\r\nDTSTART:20261203T100000Z\r\n"
        "SUMMARY:Review (new time)\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n", newline="")
    events, problems = parse("revised.ics", folder=tmp_path)
    assert list(events) == ["Review (new time)"]
    assert problems == ["line 9: event 'Review (new time)' (UID r1): the UID is used 2 times; "
                        "kept the one with the highest SEQUENCE"]


def test_dtend_before_dtstart_is_swapped_with_a_warning() -> None:
    # Outlook wrote the two ends the wrong way round; read 14:00-15:00 (as recurring-ical-events
    # does), not a zero-length event at 15:00. All-day: 10 Dec back to 8 Dec is 8-9 Dec.
    events, problems = parse("outlook-backwards.ics")
    call = events["Vendor call"].occurrences[0]
    assert (call.start.astimezone(BERLIN).isoformat(), call.end.astimezone(BERLIN).isoformat()) == (
        "2026-11-26T14:00:00+01:00", "2026-11-26T15:00:00+01:00")
    audit = events["Audit days"].occurrences[0]
    assert (audit.start, audit.end) == (date(2026, 12, 8), date(2026, 12, 10))
    assert len(problems) == 1 and problems[0].startswith(
        "2 events whose DTEND is before their DTSTART; the two are swapped: line 21 (UID "
        "040000008200E00074C5B7101A82E00800000000B1C2D3E4F5A6DC01000000000000000010000000AB")


def test_one_backwards_event_is_named_with_its_line_and_uid() -> None:
    events, problems = parse("broken.ics")
    assert ("line 25: event 'Backwards' (UID backwards): DTEND is before DTSTART; "
            "the two are swapped") in problems
    backwards = events["Backwards"].occurrences[0]
    assert (backwards.start, backwards.end) == (datetime(2026, 11, 24, 14, tzinfo=UTC),
                                                datetime(2026, 11, 24, 15, tzinfo=UTC))


def test_an_empty_exdate_value_keeps_the_other_exclusions() -> None:
    # Bin collection: WEEKLY;COUNT=6 from Thu 26 Nov (26 Nov ... 31 Dec); EXDATE 24 and 31 Dec
    # (RFC 5545 3.8.5.1) stay excluded although an empty EXDATE line sits between them.
    events, problems = parse("thunderbird-empty-exdate.ics")
    assert problems == []
    assert local_starts(events["Bin collection"]) == [
        "2026-11-26", "2026-12-03", "2026-12-10", "2026-12-17"]
    # Piano: WEEKLY;COUNT=4 from Mon 23 Nov; "30 Nov,,14 Dec" excludes 30 Nov and 14 Dec.
    assert local_starts(events["Piano lesson"]) == [
        "2026-11-23T17:00:00+01:00", "2026-12-07T17:00:00+01:00"]


def test_an_unreadable_exdate_value_drops_only_itself(tmp_path: Path) -> None:
    (tmp_path / "odd.ics").write_text(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:x1\r\nSUMMARY:Yoga\r\n"
        "DTSTART;VALUE=DATE:20261201\r\nRRULE:FREQ=DAILY;COUNT=4\r\n"
        "EXDATE;VALUE=DATE:20261202\r\nEXDATE;VALUE=DATE:2026-12-03\r\nEND:VEVENT\r\n"
        "END:VCALENDAR\r\n", newline="")
    events, problems = parse("odd.ics", folder=tmp_path)
    # 1-4 Dec less the readable exclusion (2 Dec); the unreadable one excludes nothing.
    assert local_starts(events["Yoga"]) == ["2026-12-01", "2026-12-03", "2026-12-04"]
    assert problems == ["line 3: event 'Yoga' (UID x1): unreadable EXDATE '2026-12-03'; ignored"]


def test_unreadable_values_of_many_events_are_one_warning(tmp_path: Path) -> None:
    events = "".join(
        f"BEGIN:VEVENT\r\nUID:u{i}\r\nSUMMARY:Swim {i}\r\nDTSTART;VALUE=DATE:20261201\r\n"
        f"RRULE:FREQ=DAILY;COUNT=3\r\nEXDATE;VALUE=DATE:20261202,soon-{i}\r\nEND:VEVENT\r\n"
        for i in range(5))
    (tmp_path / "many.ics").write_text(
        f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\n{events}END:VCALENDAR\r\n", newline="")
    found, problems = parse("many.ics", folder=tmp_path)
    assert [local_starts(found[f"Swim {i}"]) for i in range(5)] == [
        ["2026-12-01", "2026-12-03"]] * 5  # each keeps its readable exclusion
    assert problems == ["5 events: unreadable EXDATE value; ignored: line 3 (UID u0), "
                        "line 10 (UID u1), line 17 (UID u2) and 2 more"]


def test_a_date_start_with_a_date_time_end_is_all_day_through_the_end_date() -> None:
    # Not allowed by RFC 5545 3.6.1 (DTEND must then be a DATE), written by school feeds.
    # Read as all-day up to the end's date, inclusive when the end's time is after midnight
    # (as Home Assistant's ical library does in compat mode): the end (exclusive) is the next day.
    events, problems = parse("school-date-start-timed-end.ics")
    spans = {title: [(s.start, s.end, s.all_day) for s in e.occurrences]
             for title, e in events.items()}
    assert spans["Winter break"] == [(date(2026, 12, 21), date(2027, 1, 1), True)]  # 21-31 Dec
    assert spans["Book fair"] == [(date(2026, 12, 3), date(2026, 12, 4), True)]  # ends 00:00
    assert spans["Open day"] == [(date(2026, 12, 5), date(2026, 12, 6), True)]
    # DAILY;COUNT=5 from 30 Nov, each occurrence one day long.
    assert spans["Spirit week"] == [(date(2026, 11, 30) + timedelta(days=i),
                                     date(2026, 12, 1) + timedelta(days=i), True)
                                    for i in range(5)]
    assert len(problems) == 1 and problems[0].startswith(
        "4 events with a date DTSTART and a date-time DTEND; read as all-day through the "
        "end's date: line 7 (UID event-48211@schoolsites.example), ")


def test_an_all_day_event_whose_dtend_equals_its_dtstart_lasts_that_day() -> None:
    # RFC 5545 3.6.1: a DATE DTSTART without a later end is one day; ical-generator writes
    # DTEND equal to DTSTART for a one-day event.
    events, problems = parse("ical-generator-same-day.ics")
    span = events["Team day off"].occurrences[0]
    assert (span.start, span.end, problems) == (date(2026, 12, 8), date(2026, 12, 9), [])


def test_a_dense_finite_series_is_expanded_whole_at_index_time() -> None:
    # MINUTELY;INTERVAL=15;COUNT=2880 from 1 June 2027 00:00: 96 a day for the 30 days of June.
    reading = parse("google-dense.ics")[0]["Incubator reading"]
    starts = local_starts(reading)
    assert len(starts) == 2880 and reading.covered == (None, None)
    assert (starts[0], starts[1], starts[-1]) == (
        "2027-06-01T00:00:00+02:00", "2027-06-01T00:15:00+02:00", "2027-06-30T23:45:00+02:00")


def test_the_same_problem_of_many_events_is_one_warning() -> None:
    events, problems = parse("todo-export-empty-events.ics")
    assert list(events) == ["Dated task"]
    assert problems == [
        "20 events without a start (no DTSTART); skipped: line 12 (UID taskly-1@taskly.example), "
        "line 17 (UID taskly-2@taskly.example), line 22 (UID taskly-3@taskly.example) "
        "and 17 more"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    excluded=st.sets(st.integers(0, 9), max_size=10),
    per_line=st.integers(1, 4),
    blanks=st.lists(st.sampled_from(["", " "]), max_size=4),
    empty_lines=st.integers(0, 3),
)
def test_exdate_lists_exclude_exactly_their_dates(
    tmp_path: Path, excluded: set[int], per_line: int, blanks: list[str], empty_lines: int
) -> None:
    # DAILY;COUNT=10 from 1 Dec: the recurrence set less every EXDATE value (RFC 5545 3.8.5.3),
    # however the values are spread over lines, with empty values and empty lines between.
    days = [f"202612{1 + d:02d}" for d in sorted(excluded)]
    values = days + blanks
    lines = [",".join(values[i:i + per_line]) for i in range(0, len(values), per_line)]
    lines += [""] * empty_lines
    exdates = "".join(f"EXDATE;VALUE=DATE:{v}\r\n" for v in lines)
    (tmp_path / "x.ics").write_text(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:h\r\nSUMMARY:Walk\r\n"
        f"DTSTART;VALUE=DATE:20261201\r\nRRULE:FREQ=DAILY;COUNT=10\r\n{exdates}"
        "END:VEVENT\r\nEND:VCALENDAR\r\n", newline="")
    events, problems = parse("x.ics", folder=tmp_path)
    assert problems == []
    kept = [] if "Walk" not in events else [s.start.day - 1 for s in events["Walk"].occurrences]
    assert kept == [d for d in range(10) if d not in excluded]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(a=st.integers(0, 48 * 60), b=st.integers(0, 48 * 60), all_day=st.booleans())
def test_an_event_spans_from_the_earlier_to_the_later_of_its_two_ends(
    tmp_path: Path, a: int, b: int, all_day: bool
) -> None:
    base = datetime(2026, 12, 1, tzinfo=UTC)
    if all_day:  # minutes read as days for the all-day variant
        first, second = date(2026, 12, 1) + timedelta(days=a % 30), date(2026, 12, 1) + timedelta(
            days=b % 30)
        stamps = [f";VALUE=DATE:{d:%Y%m%d}" for d in (first, second)]
        lo, hi = min(first, second), max(first, second)
        expected = (lo, hi if hi > lo else lo + timedelta(days=1))
    else:
        first, second = base + timedelta(minutes=a), base + timedelta(minutes=b)
        stamps = [f":{d:%Y%m%dT%H%M%SZ}" for d in (first, second)]
        expected = (min(first, second), max(first, second))
    (tmp_path / "e.ics").write_text(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:e\r\nSUMMARY:Either way\r\n"
        f"DTSTART{stamps[0]}\r\nDTEND{stamps[1]}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n", newline="")
    events, problems = parse("e.ics", folder=tmp_path)
    span = events["Either way"].occurrences[0]
    assert (span.start, span.end) == expected
    assert (problems != []) == (second < first)
