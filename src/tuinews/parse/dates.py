"""A feed's date string → Unix seconds, strictly: a string that names no real moment is unknown.

feedparser's date handlers are lenient: its ISO 8601 one lets `time.mktime` roll month
13 or day 45 into the next year, reads "-0044-03-15" as the 4th of January of the
current year, "10000-01-01" as 2010 and "2024-W05-3" as the 1st of January, and its
RFC 822 and W3DTF ones take an offset of +99:00. Each is a believable, wrong date. Here
every field must be in range (month 1-12, a day the month has, 00:00:00-23:59:59, an
offset within ±14:00), a year has four digits (or two, read as feedparser reads
them), and the whole string must be read: anything left over makes it unknown.

The dialects are those feedparser reads: RFC 822 and its variants (day name optional,
day and month swapped, two-digit years, long month names, zone names, GMT+hh:mm,
asctime order), W3DTF / ISO 8601 (basic and extended, week and ordinal dates, a space
for the T as MSSQL writes it, Google's "2003-012-31") and Perforce's "2006/09/15". The
Greek, Hungarian and Korean dialects go to feedparser's own handlers (they rewrite
the string into RFC 822 or W3DTF and use its strict ones), when the caller allows.
"""

from __future__ import annotations

import calendar
import re
from datetime import date

# Dates outside this window are a feed's mistake (year 0, 9999, 26-digit numbers):
# they are stored as unknown rather than pinned at the top or bottom of every list.
EARLIEST_DATE = calendar.timegm((1900, 1, 1, 0, 0, 0))
LATEST_DATE = calendar.timegm((2200, 1, 1, 0, 0, 0))
MAX_OFFSET_MINUTES = 14 * 60  # UTC+14:00 (Kiribati) and UTC-12:00 are the real extremes

_MONTHS = {
    name: number
    for number, name in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"),
        start=1,
    )
}
_FULL_MONTHS = [calendar.month_name[number].lower() for number in range(13)]
_DAY_NAMES = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"}
_FULL_DAY_NAMES = [name.lower() for name in calendar.day_name]
# feedparser's zone names (hours east of UTC), and a few more with one meaning.
_ZONES = {
    "ut": 0, "utc": 0, "gmt": 0, "z": 0,
    "adt": -3, "ast": -4, "at": -4, "edt": -4, "est": -5, "et": -5,
    "cdt": -5, "cst": -6, "ct": -6, "mdt": -6, "mst": -7, "mt": -7,
    "pdt": -7, "pst": -8, "pt": -8, "a": -1, "n": 1, "m": -12, "y": 12,
    "met": 1, "mest": 2, "cet": 1, "cest": 2, "eet": 2, "eest": 3, "wet": 0, "west": 1,
    "akst": -9, "akdt": -8, "hst": -10, "jst": 9, "kst": 9, "hkt": 8, "sgt": 8,
    "aest": 10, "aedt": 11, "nzst": 12, "nzdt": 13, "msk": 3,
}  # fmt: skip
_LONGEST = 80  # characters: no real date string is longer

# ---------------------------------------------------------------- ISO 8601 / W3DTF

_ISO_DATE = (
    r"(?P<year>\d{4})-0?(?P<month>\d{2})-(?P<day>\d{2})"  # 2003-12-31, Google's 2003-012-31
    r"|(?P<byear>\d{4})(?P<bmonth>\d{2})(?P<bday>\d{2})"  # 20031231
    r"|(?P<wyear>\d{4})-?W(?P<week>\d{2})(?:-?(?P<weekday>\d))?"  # 2024-W05-3, 2024W053
    r"|(?P<oyear>\d{4})-?(?P<ordinal>\d{3})"  # 2024-045, 2024045
    r"|(?P<myear>\d{4})-(?P<mmonth>\d{2})"  # 2003-12
    r"|(?P<yyear>\d{4})"  # 2003
    r"|(?P<year2>\d{2})-?(?P<month2>\d{2})-?(?P<day2>\d{2})"  # 03-12-31, 031231
    r"|-(?P<myear2>\d{2})-?(?P<mmonth2>\d{2})"  # -03-12, -0312
    r"|(?P<oyear2>\d{2})-?(?P<ordinal2>\d{3})"  # 03-335, 03335
)
_ISO_TIME = (
    r"(?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2}))?"
    r"|(?P<bhour>\d{2})(?:(?P<bminute>\d{2})(?P<bsecond>\d{2})?)?"
)
_ISO = re.compile(
    rf"(?:{_ISO_DATE})"
    rf"(?:(?:T|\s+)(?:{_ISO_TIME})(?:[.,]\d+)?"
    r"\s*(?P<zone>Z|[+-]\d{2}(?::?\d{2})?|[A-Z]{1,5})?)?",
    re.IGNORECASE,
)
_NUMERIC_ZONE = re.compile(r"([+-])(\d{2}):?(\d{2})?")

# ---------------------------------------------------------------- RFC 822 and kin

_TIME = re.compile(r"(\d{1,2}):(\d{1,2})(?::(\d{1,2}))?")
_PERFORCE = re.compile(
    r"(?:[a-z]{3},\s*)?(\d{4})/(\d{1,2})/(\d{1,2})\s+(\d{1,2}):(\d{2}):(\d{2})(?:\s+([a-z]{1,5}))?",
    re.IGNORECASE,
)
_COMMENT = re.compile(r"\([^()]*\)")
_TRAILING_OFFSET = re.compile(r"[+-](\d{1,2}):(\d{2})\s*$")

Moment = tuple[int, int, int, int, int, int, int]  # y, m, d, H, M, S, offset in minutes


def epoch_from_date(value: object, *, other_dialects: bool = True) -> int | None:
    """Unix seconds for a date string that names a real moment inside the believable
    window, else None. `other_dialects=False` reads only RFC 822, ISO 8601 and Perforce
    dates, never loading feedparser (the fast path: it steps aside on None)."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not text or len(text) > _LONGEST:
        return None
    for reader in (_common, _iso, _rfc822, _perforce):
        moment = reader(text)
        if moment is not _NOT_THIS:
            return _epoch(moment)
    return _other_dialect(text) if other_dialects else None


# The two shapes nearly every feed writes, read without the general readers' work (the
# fast path reads one date an item); each is a strict subset of one of the readers below,
# with the same result.
_COMMON_ISO = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(?:Z|([+-])(\d{2}):(\d{2}))"
)
_COMMON_RFC822 = re.compile(
    r"(?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), )?(\d{2})"
    r" (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) (\d{4})"
    r" (\d{2}):(\d{2}):(\d{2}) (?:GMT|([+-])(\d{2})(\d{2}))"
)


def _common(text: str) -> Moment | _NotThisDialect | None:
    found = _COMMON_ISO.fullmatch(text)
    if found:
        year, month, day, hour, minute, second, sign, zone_hours, zone_minutes = found.groups()
    else:
        found = _COMMON_RFC822.fullmatch(text)
        if found is None:
            return _NOT_THIS
        day, month, year, hour, minute, second, sign, zone_hours, zone_minutes = found.groups()
        month = str(_MONTHS[month.lower()])
    if int(zone_minutes or 0) > 59:
        return None
    offset = int(zone_hours or 0) * 60 + int(zone_minutes or 0)
    return (
        int(year), int(month), int(day), int(hour), int(minute), int(second),
        -offset if sign == "-" else offset,
    )  # fmt: skip


def epoch_from_iso(value: object) -> int | None:
    """An RFC 3339 / ISO 8601 string → Unix seconds, or None (strict, as above)."""
    if not isinstance(value, str) or len(value) > _LONGEST:
        return None
    moment = _iso(value.strip())
    return None if moment is _NOT_THIS else _epoch(moment)


def believable(seconds: int) -> int | None:
    """Unix seconds inside the window we trust, else None (unknown)."""
    return seconds if EARLIEST_DATE <= seconds < LATEST_DATE else None


class _NotThisDialect:
    pass


_NOT_THIS = _NotThisDialect()


def _epoch(moment: Moment | None) -> int | None:
    if moment is None:
        return None
    year, month, day, hour, minute, second, offset = moment
    if not (1 <= year <= 9999 and 1 <= month <= 12):
        return None
    if not 1 <= day <= calendar.monthrange(year, month)[1]:
        return None
    if not (hour <= 23 and minute <= 59 and second <= 59 and abs(offset) <= MAX_OFFSET_MINUTES):
        return None
    return believable(calendar.timegm((year, month, day, hour, minute, second)) - offset * 60)


def _iso(text: str) -> Moment | _NotThisDialect | None:
    found = _ISO.fullmatch(text)
    if found is None:
        return _NOT_THIS  # maybe another dialect; else unknown
    parts = {
        name: int(value) for name, value in found.groupdict().items() if value and name != "zone"
    }
    calendar_date = _iso_calendar_date(parts)
    if calendar_date is None:
        return None
    year, month, day = calendar_date
    hour = parts.get("hour", parts.get("bhour", 0))
    minute = parts.get("minute", parts.get("bminute", 0))
    second = parts.get("second", parts.get("bsecond", 0))
    offset = _zone_minutes(found.group("zone") or "z")
    if offset is None:
        return None
    return year, month, day, hour, minute, second, offset


def _iso_calendar_date(parts: dict[str, int]) -> tuple[int, int, int] | None:
    for prefix in ("", "b"):
        if f"{prefix}year" in parts:
            return parts[f"{prefix}year"], parts[f"{prefix}month"], parts[f"{prefix}day"]
    if "year2" in parts:
        return _two_digit(parts["year2"]), parts["month2"], parts["day2"]
    if "myear" in parts:
        return parts["myear"], parts["mmonth"], 1
    if "myear2" in parts:
        return _two_digit(parts["myear2"]), parts["mmonth2"], 1
    if "yyear" in parts:
        return parts["yyear"], 1, 1
    try:
        if "wyear" in parts:
            found = date.fromisocalendar(parts["wyear"], parts["week"], parts.get("weekday", 1))
        else:
            year = parts["oyear"] if "oyear" in parts else _two_digit(parts["oyear2"])
            ordinal = parts.get("ordinal", parts.get("ordinal2", 0))
            if not 1 <= ordinal <= (366 if calendar.isleap(year) else 365):
                return None
            found = date.fromordinal(date(year, 1, 1).toordinal() + ordinal - 1)
    except ValueError:
        return None
    return found.year, found.month, found.day


def _two_digit(year: int) -> int:
    """As feedparser reads an RFC 822 two-digit year: 90-99 are the 1990s, the rest 20xx."""
    return year + (1900 if year >= 90 else 2000)


def _zone_minutes(zone: str) -> int | None:
    """Minutes east of UTC for "Z", "+05:30", "-0800", "+05", "GMT+1:00", "EST"..., else
    None. An unknown name is UTC, as feedparser reads it."""
    zone = zone.lower().removeprefix("etc/")
    for prefix in ("gmt", "utc"):
        if zone.startswith(prefix) and zone[len(prefix) : len(prefix) + 1] in ("+", "-"):
            zone = zone[len(prefix) :]
            if re.fullmatch(r"[+-]\d{1,2}", zone):  # GMT+1
                zone = f"{zone[0]}{int(zone[1:]):02d}"
    numeric = _NUMERIC_ZONE.fullmatch(zone)
    if numeric:
        sign, hours, minutes = numeric.groups()
        if int(minutes or 0) > 59:
            return None
        total = int(hours) * 60 + int(minutes or 0)
        return -total if sign == "-" else total
    if zone.isascii() and zone.isalpha() and len(zone) <= 5:
        return _ZONES.get(zone, 0) * 60
    return None


def _month(token: str) -> int | None:
    """A month's number from its name, short ("Jan", "Sept") or long ("January")."""
    number = _MONTHS.get(token[:3])
    if number is None or not token.isalpha() or not _FULL_MONTHS[number].startswith(token):
        return None
    return number


def _rfc822(text: str) -> Moment | _NotThisDialect | None:
    tokens = _COMMENT.sub(" ", text.lower().replace(",", " ")).split()
    if (
        tokens
        and tokens[0][:3] in _DAY_NAMES
        and any(day.startswith(tokens[0]) for day in _FULL_DAY_NAMES)
    ):
        tokens = tokens[1:]
    if not any(_month(token) for token in tokens[:2]):
        return _NOT_THIS
    if len(tokens) < 3:
        return None
    if _month(tokens[0]) and _TIME.fullmatch(tokens[2]):  # asctime: Jan 4 16:29:06 [zone] 2004
        tokens = [tokens[1], tokens[0], tokens[-1], *tokens[2:-1]]
    elif _month(tokens[0]):  # swapped: Aug 30 2012 17:26:16 +0200
        tokens = [tokens[1], tokens[0], *tokens[2:]]
    day, month, year, *rest = tokens
    if not (day.isdigit() and len(day) <= 2 and year.isdigit() and len(year) in (2, 4)):
        return None
    hour = minute = second = offset = 0
    if rest:
        clock = _TIME.fullmatch(rest[0])
        if clock is None:
            return None
        hour, minute, second = (int(part or 0) for part in clock.groups())
        rest = rest[1:]
    if rest:
        zone = _zone_minutes(rest[0])
        if zone is None or len(rest) > 1:
            return None
        offset = zone
    full_year = int(year) if len(year) == 4 else _two_digit(int(year))
    return full_year, _month(month) or 0, int(day), hour, minute, second, offset


def _perforce(text: str) -> Moment | _NotThisDialect | None:
    found = _PERFORCE.fullmatch(text)
    if found is None:
        return _NOT_THIS
    *numbers, zone = found.groups()
    offset = _zone_minutes(zone or "z")
    if offset is None:
        return None
    year, month, day, hour, minute, second = (int(number) for number in numbers)
    return year, month, day, hour, minute, second, offset


def _other_dialect(text: str) -> int | None:
    """The Greek, Hungarian and Korean dialects, read by feedparser's handlers (each
    rewrites the string and reads it with feedparser's strict RFC 822 or W3DTF one)."""
    if text.isascii():
        return None
    from feedparser import datetimes

    for name in ("_parse_date_greek", "_parse_date_hungarian", "_parse_date_nate",
                 "_parse_date_onblog"):  # fmt: skip
        handler = getattr(datetimes, name, None)
        try:
            parsed = handler(text) if handler else None
        except (KeyError, OverflowError, ValueError, AttributeError, IndexError):
            continue
        if parsed:
            offset = _TRAILING_OFFSET.search(text)  # Hungarian's "-05:00", unchecked there
            if offset and (
                int(offset[2]) > 59 or int(offset[1]) * 60 + int(offset[2]) > MAX_OFFSET_MINUTES
            ):
                return None
            return believable(calendar.timegm(tuple(parsed)[:6]))
    return None
