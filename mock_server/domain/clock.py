"""Where the server gets the time: the system clock, or a hand-driven one for tests."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware, in UTC."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


def _as_utc(value: datetime) -> datetime:
    # A naive datetime would silently mean "local time of the test machine": refuse it.
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("ManualClock needs a timezone-aware datetime")
    return value.astimezone(UTC)


class ManualClock:
    """A clock that only moves when told to (idle timeouts, seeding days in tests)."""

    def __init__(self, start: datetime) -> None:
        self._now = _as_utc(start)
        # Endpoints run in a threadpool while the test moves the clock.
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return self._now

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._now += timedelta(seconds=seconds)

    def set(self, dt: datetime) -> None:
        value = _as_utc(dt)
        with self._lock:
            self._now = value
