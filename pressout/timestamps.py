"""Every instant pressout writes comes from here, derived from the model, never the clock.

A newspaper issue is dated by the day it is published in Beijing, so an issue's instant is
its date at 00:00 in Asia/Shanghai (+08:00). An issue whose date is unknown gets the
instant in ``SOURCE_DATE_EPOCH`` when that is set (the reproducible-builds convention that
pandoc also honours), else a fixed 2000-01-01T00:00:00+08:00: an honest "unknown" that
still gives byte-identical output on every run.
"""

from __future__ import annotations

import datetime as dt
import os
from functools import lru_cache
from zoneinfo import ZoneInfo

from .model import Issue

__all__ = ["BEIJING", "UNKNOWN_DATE", "issue_instant"]

BEIJING = ZoneInfo("Asia/Shanghai")
UNKNOWN_DATE = dt.datetime(2000, 1, 1, tzinfo=BEIJING)


@lru_cache(maxsize=1)
def _epoch_fallback(value: str | None) -> dt.datetime:
    if value and value.strip().isdigit():
        return dt.datetime.fromtimestamp(int(value), tz=dt.UTC).astimezone(BEIJING)
    return UNKNOWN_DATE


def issue_instant(issue: Issue) -> dt.datetime:
    """The issue's date at midnight, Beijing time (an aware datetime)."""
    if issue.date is not None:
        return dt.datetime.combine(issue.date, dt.time(0, 0), tzinfo=BEIJING)
    return _epoch_fallback(os.environ.get("SOURCE_DATE_EPOCH"))
