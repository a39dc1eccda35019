"""Every instant pressout writes comes from here, derived from the model, never the clock.

A newspaper issue is dated by the day it is published in Beijing, so an issue's instant is
its date at 00:00 in Beijing time, a fixed UTC offset of +08:00 (``BEIJING``) — never the
``Asia/Shanghai`` zone's history, which would give local mean time (+08:05:43) before 1901
and +09:00 on the summer days of 1986–1991, while the papers, and the README, say +08:00.
The feeds may be given another fixed offset (``SiteOptions.utc_offset``, see
``parse_utc_offset``); the EPUB and the TEI archive always use +08:00.

An issue whose date is unknown gets the instant in ``SOURCE_DATE_EPOCH`` when that is set
to a whole number of seconds that a date can hold (the reproducible-builds convention that
pandoc also honours; any other value is ignored), else a fixed 2000-01-01T00:00:00 at the
offset asked for (+08:00 by default): an honest "unknown" that still gives byte-identical
output on every run.

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

__all__ = ["BEIJING", "DEFAULT_UTC_OFFSET", "UNKNOWN_DATE", "issue_instant", "parse_utc_offset"]

DEFAULT_UTC_OFFSET = "+08:00"
BEIJING = dt.timezone(dt.timedelta(hours=8))
UNKNOWN_DATE = dt.datetime(2000, 1, 1, tzinfo=BEIJING)

_OFFSET = re.compile(r"([+-])([0-9]{2}):([0-9]{2})")
OFFSET_ALLOWED = "+HH:MM or -HH:MM, at most 14:00 either way, e.g. +08:00 (Beijing time)"


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


@lru_cache(maxsize=4)
def _epoch_fallback(value: str | None, tz: dt.tzinfo) -> dt.datetime:
    if value and value.strip().isdigit():
        try:
            return dt.datetime.fromtimestamp(int(value), tz=dt.UTC).astimezone(tz)
        except (OverflowError, OSError, ValueError):
            pass  # past year 9999: ignored, like any other value that is no instant
    return UNKNOWN_DATE if tz is BEIJING else UNKNOWN_DATE.replace(tzinfo=tz)  # midnight there too


def issue_instant(issue: IssueLike, tz: dt.tzinfo = BEIJING) -> dt.datetime:
    """The issue's date at midnight at the fixed offset ``tz`` (Beijing time, +08:00, by
    default): an aware datetime."""
    if issue.date is not None:
        return dt.datetime.combine(issue.date, dt.time(0, 0), tzinfo=tz)
    return _epoch_fallback(os.environ.get("SOURCE_DATE_EPOCH"), tz)
