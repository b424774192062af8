"""Time zones a question asks for ("in New York time", "UK time", "EST") -> ZoneInfo.

Names come from the IANA database itself (every city in a zone id: "New York",
"Sao Paulo", "Ho Chi Minh"), plus a table of countries, regions and abbreviations
people say instead. A place the table cannot resolve is no zone, never a guess.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from zoneinfo import ZoneInfo, available_timezones

# What people say for a zone that is not a city in a zone id.
ALIASES: dict[str, str] = {
    # countries and regions with one zone (or one that everybody means)
    "uk": "Europe/London", "britain": "Europe/London", "england": "Europe/London",
    "scotland": "Europe/London", "wales": "Europe/London", "great britain": "Europe/London",
    "united kingdom": "Europe/London", "ireland": "Europe/Dublin", "germany": "Europe/Berlin",
    "german": "Europe/Berlin", "deutschland": "Europe/Berlin", "france": "Europe/Paris",
    "french": "Europe/Paris", "spain": "Europe/Madrid", "portugal": "Europe/Lisbon",
    "italy": "Europe/Rome", "netherlands": "Europe/Amsterdam", "holland": "Europe/Amsterdam",
    "belgium": "Europe/Brussels", "switzerland": "Europe/Zurich", "austria": "Europe/Vienna",
    "poland": "Europe/Warsaw", "czechia": "Europe/Prague", "sweden": "Europe/Stockholm",
    "norway": "Europe/Oslo", "denmark": "Europe/Copenhagen", "finland": "Europe/Helsinki",
    "greece": "Europe/Athens", "turkey": "Europe/Istanbul", "ukraine": "Europe/Kyiv",
    "kiev": "Europe/Kyiv", "israel": "Asia/Jerusalem", "tel aviv": "Asia/Jerusalem",
    "india": "Asia/Kolkata", "indian": "Asia/Kolkata", "mumbai": "Asia/Kolkata",
    "delhi": "Asia/Kolkata", "new delhi": "Asia/Kolkata", "bangalore": "Asia/Kolkata",
    "bengaluru": "Asia/Kolkata", "china": "Asia/Shanghai", "beijing": "Asia/Shanghai",
    "japan": "Asia/Tokyo", "korea": "Asia/Seoul", "south korea": "Asia/Seoul",
    "singapore": "Asia/Singapore", "thailand": "Asia/Bangkok", "vietnam": "Asia/Ho_Chi_Minh",
    "philippines": "Asia/Manila", "indonesia": "Asia/Jakarta", "uae": "Asia/Dubai",
    "abu dhabi": "Asia/Dubai", "new zealand": "Pacific/Auckland", "nz": "Pacific/Auckland",
    "egypt": "Africa/Cairo", "kenya": "Africa/Nairobi", "nigeria": "Africa/Lagos",
    "south africa": "Africa/Johannesburg", "cape town": "Africa/Johannesburg",
    "argentina": "America/Argentina/Buenos_Aires", "buenos aires": "America/Argentina/Buenos_Aires",
    "iceland": "Atlantic/Reykjavik", "hawaii": "Pacific/Honolulu", "alaska": "America/Anchorage",
    "washington": "America/New_York", "washington dc": "America/New_York", "dc": "America/New_York",
    "boston": "America/New_York", "miami": "America/New_York", "atlanta": "America/New_York",
    "philadelphia": "America/New_York", "nyc": "America/New_York", "ny": "America/New_York",
    "san francisco": "America/Los_Angeles", "sf": "America/Los_Angeles",
    "seattle": "America/Los_Angeles", "la": "America/Los_Angeles", "california": "America/Los_Angeles",
    "silicon valley": "America/Los_Angeles", "austin": "America/Chicago", "dallas": "America/Chicago",
    "houston": "America/Chicago", "montreal": "America/Toronto", "ottawa": "America/Toronto",
    "quebec": "America/Toronto", "calgary": "America/Edmonton", "munich": "Europe/Berlin",
    "frankfurt": "Europe/Berlin", "hamburg": "Europe/Berlin", "cologne": "Europe/Berlin",
    "geneva": "Europe/Zurich", "milan": "Europe/Rome", "barcelona": "Europe/Madrid",
    "porto": "Europe/Lisbon", "edinburgh": "Europe/London", "manchester": "Europe/London",
    "sydney australia": "Australia/Sydney", "melbourne australia": "Australia/Melbourne",
    # zone abbreviations and region words (the zone's current offset is used, DST included)
    "utc": "UTC", "gmt": "Europe/London", "bst": "Europe/London", "cet": "Europe/Berlin",
    "cest": "Europe/Berlin", "central european": "Europe/Berlin", "eet": "Europe/Athens",
    "eest": "Europe/Athens", "wet": "Europe/Lisbon", "est": "America/New_York",
    "edt": "America/New_York", "et": "America/New_York", "eastern": "America/New_York",
    "east coast": "America/New_York", "cst": "America/Chicago", "cdt": "America/Chicago",
    "central": "America/Chicago", "mst": "America/Denver", "mdt": "America/Denver",
    "mountain": "America/Denver", "pst": "America/Los_Angeles", "pdt": "America/Los_Angeles",
    "pt": "America/Los_Angeles", "pacific": "America/Los_Angeles", "west coast": "America/Los_Angeles",
    "ist": "Asia/Kolkata", "jst": "Asia/Tokyo", "kst": "Asia/Seoul", "aest": "Australia/Sydney",
    "aedt": "Australia/Sydney", "nzst": "Pacific/Auckland", "nzdt": "Pacific/Auckland",
    "hkt": "Asia/Hong_Kong", "sgt": "Asia/Singapore", "msk": "Europe/Moscow",
    "moscow": "Europe/Moscow", "russia": "Europe/Moscow",
    "us": "America/New_York", "usa": "America/New_York", "canada": "America/Toronto",
    "australia": "Australia/Sydney", "brazil": "America/Sao_Paulo", "mexico": "America/Mexico_City",
}


def _plain(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.lower())
    letters = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(re.findall(r"[a-z0-9]+", letters))


@cache
def _names() -> dict[str, str]:
    """Every spoken name -> IANA zone id: the last part of each zone id, then the aliases."""
    names: dict[str, str] = {}
    for zone in sorted(available_timezones()):
        if zone.startswith(("Etc/", "SystemV/", "US/", "posix/", "right/")) or "/" not in zone:
            continue
        city = _plain(zone.rsplit("/", 1)[-1].replace("_", " "))
        names.setdefault(city, zone)
    names.update({_plain(k): v for k, v in ALIASES.items()})
    return names


def zone_city(place: str) -> str | None:
    """The city whose zone a country or region is named after: "poland" -> "warsaw",
    "england" -> "london" (None for a name that is no alias)."""
    zone = ALIASES.get(_plain(place))
    return _plain(zone.rsplit("/", 1)[-1].replace("_", " ")) if zone else None


def zone_named(place: str) -> ZoneInfo | None:
    """The zone a place or abbreviation names ("New York", "UK", "EST"), or None."""
    key = _plain(place)
    key = re.sub(r"^(?:the|in|at)\s+", "", key)
    zone = _names().get(key)
    return ZoneInfo(zone) if zone else None


def longest_zone_suffix(words: list[str]) -> tuple[int, ZoneInfo] | None:
    """The longest run of words at the end of ``words`` that names a zone: (length, zone)."""
    for n in range(min(4, len(words)), 0, -1):
        zone = zone_named(" ".join(words[-n:]))
        if zone is not None:
            return n, zone
    return None
