"""The working-day rules of statutory-rules.md, including every test vector it gives."""
from datetime import date

import pytest

from engine.calendar import (
    WorkingDayCalendar,
    add_calendar_months,
    add_working_days,
    day_zero,
    holidays_skipped,
    last_day_of_months_period,
    next_working_day,
    working_days_between,
)


@pytest.mark.parametrize(
    "start, n, expected",
    [
        (date(2025, 12, 19), 10, date(2026, 1, 7)),
        (date(2025, 12, 19), 3, date(2025, 12, 24)),
        (date(2026, 12, 21), 10, date(2027, 1, 7)),
        (date(2027, 3, 24), 10, date(2027, 4, 9)),
        (date(2026, 4, 2), 5, date(2026, 4, 13)),
    ],
)
def test_statutory_rules_test_vectors(start, n, expected):
    assert add_working_days(start, n) == expected


def test_stage1_deadline_skips_christmas_bank_holidays():
    skipped = holidays_skipped(date(2025, 12, 19), date(2026, 1, 7))
    assert [d for d, _ in skipped] == [date(2025, 12, 25), date(2025, 12, 26), date(2026, 1, 1)]


def test_easter_skips_good_friday_and_easter_monday():
    skipped = [d for d, _ in holidays_skipped(date(2027, 3, 24), date(2027, 4, 9))]
    assert skipped == [date(2027, 3, 26), date(2027, 3, 29)]


def test_contact_received_on_saturday_counts_from_monday():
    assert day_zero(date(2026, 1, 10)) == date(2026, 1, 12)
    assert add_working_days(date(2026, 1, 10), 1) == date(2026, 1, 13)


def test_contact_received_on_bank_holiday_counts_from_next_working_day():
    assert day_zero(date(2026, 12, 25)) == date(2026, 12, 29)


def test_zero_working_days_is_day_zero():
    assert add_working_days(date(2026, 3, 4), 0) == date(2026, 3, 4)


@pytest.mark.parametrize("one_off", [date(2022, 9, 19), date(2023, 5, 8)])
def test_one_off_bank_holidays_are_not_working_days(one_off):
    assert not WorkingDayCalendar().is_working_day(one_off)


def test_administrator_can_add_a_proclaimed_day_without_a_release():
    calendar = WorkingDayCalendar(extra_holidays={date(2026, 6, 5): "Proclaimed holiday"})
    assert add_working_days(date(2026, 6, 4), 1, calendar) == date(2026, 6, 8)
    assert add_working_days(date(2026, 6, 4), 1) == date(2026, 6, 5)


def test_working_days_between_counts_after_start_up_to_end():
    assert working_days_between(date(2025, 12, 19), date(2026, 1, 7)) == 10
    assert working_days_between(date(2026, 1, 7), date(2025, 12, 19)) == -10


def test_negative_working_days_are_refused():
    with pytest.raises(ValueError):
        add_working_days(date(2026, 1, 5), -1)


@pytest.mark.parametrize(
    "start, months, expected",
    [
        (date(2027, 1, 15), 6, date(2027, 7, 15)),
        (date(2026, 8, 31), 6, date(2027, 2, 28)),  # no 31 February: the month's last day
        (date(2027, 8, 31), 6, date(2028, 2, 29)),  # leap year
        (date(2026, 9, 30), 6, date(2027, 3, 30)),
        (date(2026, 12, 19), 12, date(2027, 12, 19)),
        (date(2026, 10, 5), 3, date(2027, 1, 5)),  # across the year end
    ],
)
def test_calendar_months_keep_the_day_of_the_month(start, months, expected):
    assert add_calendar_months(start, months) == expected


@pytest.mark.parametrize(
    "start, expected",
    [
        (date(2027, 1, 15), date(2027, 7, 14)),  # a period beginning on the 15th ends on the 14th
        (date(2027, 3, 1), date(2027, 8, 31)),
        (date(2026, 8, 31), date(2027, 2, 28)),  # no corresponding date: the end of February
        (date(2026, 8, 29), date(2027, 2, 28)),
        (date(2026, 8, 28), date(2027, 2, 27)),
    ],
)
def test_six_month_period_beginning_on_a_day_ends_the_day_before_the_corresponding_date(start, expected):
    assert last_day_of_months_period(start, 6) == expected


def test_next_working_day_skips_weekends_and_bank_holidays():
    assert next_working_day(date(2026, 12, 24)) == date(2026, 12, 29)  # Christmas Day, Boxing Day (substitute 28th)
    assert next_working_day(date(2027, 3, 25)) == date(2027, 3, 30)  # Good Friday, Easter Monday
    assert next_working_day(date(2026, 1, 10)) == date(2026, 1, 12)  # a Saturday: the Monday
    assert next_working_day(date(2026, 1, 12)) == date(2026, 1, 13)
