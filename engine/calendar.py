"""Working days in England and Wales, as the complaints regulations count them.

The day of receipt is day 0; a contact received on a non-working day counts as
received on the next working day (statutory-rules.md, "Working days").
"""
from __future__ import annotations

import calendar as _months
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cached_property
from zoneinfo import ZoneInfo

import holidays

LONDON = ZoneInfo("Europe/London")


@dataclass(frozen=True)
class WorkingDayCalendar:
    """England and Wales bank holidays plus any one-off days an administrator adds."""

    extra_holidays: dict[date, str] = field(default_factory=dict)

    @cached_property
    def _bank_holidays(self) -> holidays.HolidayBase:
        # Years are filled lazily by the holidays package as dates are looked up.
        return holidays.UK(subdiv="ENG")

    def holiday_name(self, day: date) -> str | None:
        if day in self.extra_holidays:
            return self.extra_holidays[day]
        return self._bank_holidays.get(day)

    def is_working_day(self, day: date) -> bool:
        return day.weekday() < 5 and self.holiday_name(day) is None


DEFAULT_CALENDAR = WorkingDayCalendar()


def day_zero(received: date, calendar: WorkingDayCalendar = DEFAULT_CALENDAR) -> date:
    """Return the working day that counts as day 0 for a contact received on `received`."""
    day = received
    while not calendar.is_working_day(day):
        day += timedelta(days=1)
    return day


def add_working_days(start: date, n: int, calendar: WorkingDayCalendar = DEFAULT_CALENDAR) -> date:
    """Return the date `n` working days after `start` (day 0, moved to a working day first)."""
    if n < 0:
        raise ValueError("n must not be negative")
    day = day_zero(start, calendar)
    counted = 0
    while counted < n:
        day += timedelta(days=1)
        if calendar.is_working_day(day):
            counted += 1
    return day


def working_days_between(start: date, end: date, calendar: WorkingDayCalendar = DEFAULT_CALENDAR) -> int:
    """Return how many working days lie after `start` up to and including `end` (negative if end is earlier)."""
    if end < start:
        return -working_days_between(end, start, calendar)
    return sum(
        1
        for offset in range(1, (end - start).days + 1)
        if calendar.is_working_day(start + timedelta(days=offset))
    )


def holidays_skipped(start: date, end: date, calendar: WorkingDayCalendar = DEFAULT_CALENDAR) -> list[tuple[date, str]]:
    """Return the bank holidays (not weekends) falling after `start` up to and including `end`."""
    found = []
    day = start + timedelta(days=1)
    while day <= end:
        name = calendar.holiday_name(day)
        if name is not None and day.weekday() < 5:
            found.append((day, name))
        day += timedelta(days=1)
    return found


def add_calendar_months(start: date, months: int) -> date:
    """Return the date `months` calendar months after `start`; the month's last day when it is shorter."""
    if months < 0:
        raise ValueError("months must not be negative")
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    return date(year, month, min(start.day, _months.monthrange(year, month)[1]))


def last_day_of_months_period(start: date, months: int) -> date:
    """Return the last day of a period of `months` calendar months beginning on `start`.

    The period ends the day before the corresponding date; where the last month has no
    corresponding date (31 August + 6 months), it ends on that month's last day.
    """
    corresponding = add_calendar_months(start, months)
    if corresponding.day != start.day:
        return corresponding
    return corresponding - timedelta(days=1)


def next_working_day(after: date, calendar: WorkingDayCalendar = DEFAULT_CALENDAR) -> date:
    """Return the first working day after `after` (whatever kind of day `after` is)."""
    day = after + timedelta(days=1)
    while not calendar.is_working_day(day):
        day += timedelta(days=1)
    return day


def end_of_day(day: date) -> datetime:
    """Return the instant a London calendar day ends: when a deadline on that date has passed."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=LONDON)


def london_date(instant: datetime) -> date:
    """Return the Europe/London calendar date of an aware instant."""
    return instant.astimezone(LONDON).date()
