"""Every instant pressout writes comes from here, derived from the model, never the clock.

A newspaper issue is dated by the day it is published in Beijing, so an issue's instant is
its date at a time of day (``DEFAULT_TIME``, 08:00, by default) in Beijing time, a fixed UTC
offset of +08:00 (``BEIJING``) — never the ``Asia/Shanghai`` zone's history, which would
give local mean time (+08:05:43) before 1901 and +09:00 on the summer days of 1986–1991,
while the papers, and the README, say +08:00. The feeds may be given another fixed offset
(``SiteOptions.utc_offset``, see ``parse_utc_offset``) and another time of day
(``SiteOptions.time``, ``[publication] time``, see ``parse_time``); the EPUB and the TEI
archive always use 08:00 at +08:00.

Why 08:00: it is 00:00 UTC, so a reader anywhere from UTC to UTC+14:00 sees the paper's own
date (at 00:00, the old default, UTC and everything west of UTC+08:00 saw the day before),
and a morning paper is out by then. Readers west of UTC still see the evening before (UTC−5:
19:00 the day before); a later time reaches further west (16:00 is 08:00 UTC: 00:00 at
UTC−8) at the cost of dating the paper later than it is out. The feeds' entries of an issue
take the hour that starts at the instant (``pressout.export.feed.entry_instants``), so the
time is at most 23:00: they stay on the issue's date.

An issue whose date is unknown gets the instant in ``SOURCE_DATE_EPOCH`` when that is set
to a whole number of seconds that a date can hold (the reproducible-builds convention that
pandoc also honours; any other value is ignored; the instant is taken as it is, at the
offset asked for), else a fixed 2000-01-01 at the time and offset asked for (08:00 at +08:00
by default): an honest "unknown" that still gives byte-identical output on every run.

Every date of year 1 to 9999 has an instant here (``datetime`` holds them all); what a
format that cannot hold some of them writes instead is said where that format is written
(the RSS dates in ``pressout.export._feedgen``, the EPUB's UTC and zip times in
``pressout.export._ebooklib``).
"""

from __future__ import annotations

import datetime as dt
import os
import re
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .model import IssueLike

__all__ = [
    "BEIJING",
    "DEFAULT_TIME",
    "DEFAULT_UTC_OFFSET",
    "ISSUE_TIME",
    "UNKNOWN_DATE",
    "issue_instant",
    "parse_time",
    "parse_utc_offset",
]

DEFAULT_UTC_OFFSET = "+08:00"
BEIJING = dt.timezone(dt.timedelta(hours=8))
# The time of day an issue is dated at, at its offset: 08:00 at +08:00 is 00:00 UTC.
DEFAULT_TIME = "08:00"
ISSUE_TIME = dt.time(8, 0)
# The latest time of day allowed: an issue's feed entries take the hour from its instant on.
LATEST_TIME = dt.time(23, 0)
# The date (only: see issue_instant for its time) of an issue whose date is unknown.
UNKNOWN_DATE = dt.datetime(2000, 1, 1, tzinfo=BEIJING)

_OFFSET = re.compile(r"([+-])([0-9]{2}):([0-9]{2})")
OFFSET_ALLOWED = "+HH:MM or -HH:MM, at most 14:00 either way, e.g. +08:00 (Beijing time)"
_TIME = re.compile(r"([0-9]{2}):([0-9]{2})")
TIME_ALLOWED = "HH:MM from 00:00 to 23:00, e.g. 08:00 (00:00 UTC at +08:00)"


@lru_cache(maxsize=32)
def parse_utc_offset(value: str) -> dt.timezone:
    """``"+08:00"`` as a fixed ``datetime.timezone``; ValueError unless ``value`` is
    ``[+-]HH:MM`` with MM below 60, at most 14:00 either way (the offsets in use on Earth),
    and not ``-00:00`` (RFC 3339: "offset unknown"). The one parser of an offset: the
    configuration checks ``[publication] utc_offset`` with it too."""
    found = _OFFSET.fullmatch(value) if isinstance(value, str) else None
    minutes = int(found.group(2)) * 60 + int(found.group(3)) if found else -1
    if found is None or value == "-00:00" or int(found.group(3)) >= 60 or not 0 <= minutes <= 14 * 60:
        raise ValueError(f"UTC offset {value!r} is not allowed; use {OFFSET_ALLOWED}")
    if value == DEFAULT_UTC_OFFSET:
        return BEIJING
    return dt.timezone(dt.timedelta(minutes=-minutes if found.group(1) == "-" else minutes))


@lru_cache(maxsize=32)
def parse_time(value: str) -> dt.time:
    """``"08:00"`` as a ``datetime.time``; ValueError unless ``value`` is ``HH:MM`` from
    00:00 to 23:00 (``LATEST_TIME``: an issue's feed entries take the hour from its instant
    on, and must stay on its date). The one parser of a time of day: the configuration
    checks ``[publication] time`` with it too."""
    found = _TIME.fullmatch(value) if isinstance(value, str) else None
    if found is not None:
        hours, minutes = int(found.group(1)), int(found.group(2))
        if minutes < 60 and (hours, minutes) <= (LATEST_TIME.hour, LATEST_TIME.minute):
            return dt.time(hours, minutes)
    raise ValueError(f"time {value!r} is not allowed; use {TIME_ALLOWED}")


@lru_cache(maxsize=4)
def _epoch_fallback(value: str | None, tz: dt.tzinfo, time: dt.time) -> dt.datetime:
    if value and value.strip().isdigit():
        try:
            return dt.datetime.fromtimestamp(int(value), tz=dt.UTC).astimezone(tz)
        except (OverflowError, OSError, ValueError):
            pass  # past year 9999: ignored, like any other value that is no instant
    return dt.datetime.combine(UNKNOWN_DATE.date(), time, tzinfo=tz)  # the time there too


def issue_instant(issue: IssueLike, tz: dt.tzinfo = BEIJING, time: dt.time = ISSUE_TIME) -> dt.datetime:
    """The issue's date at the time of day ``time`` (08:00 by default) at the fixed offset
    ``tz`` (Beijing time, +08:00, by default): an aware datetime."""
    if issue.date is not None:
        return dt.datetime.combine(issue.date, time, tzinfo=tz)
    return _epoch_fallback(os.environ.get("SOURCE_DATE_EPOCH"), tz, time)
