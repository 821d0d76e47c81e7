"""The functions a process owner may call from scripts, conditions and timers in a diagram.

They are the only bridge from a diagram to the engine: a script records a
deadline or a stage change here, and the engine applies what was recorded when
it saves the step, inside the same transaction. Values crossing into task data
are plain strings (ISO dates and instants) so that workflows serialize cleanly.
"""
from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date, timedelta

from . import clock
from .calendar import (
    DEFAULT_CALENDAR,
    WorkingDayCalendar,
    add_calendar_months as _add_calendar_months,
    add_working_days as _add_working_days,
    day_zero,
    end_of_day as _end_of_day,
    holidays_skipped,
    last_day_of_months_period as _last_day_of_months_period,
    london_date,
    next_working_day as _next_working_day,
)


class DeadlineRuleError(ValueError):
    """A diagram asked for something the rules forbid, e.g. an extension past the legal limit.

    The engine reports it against `field_name` of the form being completed, and nothing is saved.
    """

    def __init__(self, message: str, field_name: str | None = None):
        super().__init__(message)
        self.field_name = field_name


@dataclass
class DeadlineChange:
    step: str
    due_on: date
    basis: str
    start_on: date | None = None
    working_days: int | None = None
    extension_reason: str | None = None
    extended_working_days: int = 0
    completed_on: date | None = None


@dataclass
class StepEffects:
    """What the diagram's scripts asked of the case during one engine step."""

    calendar: WorkingDayCalendar = DEFAULT_CALENDAR
    known_deadlines: dict[str, DeadlineChange] = field(default_factory=dict)
    deadlines: dict[str, DeadlineChange] = field(default_factory=dict)
    stage: str | None = None
    outcome: str | None = None
    next_stage_request_by: str | None = None
    overdue: set[str] = field(default_factory=set)
    reminders: list[str] = field(default_factory=list)
    appointments: list[tuple[str, str, str | None]] = field(default_factory=list)
    withdrawn_reason: str | None = None
    notes: list[tuple[str, str]] = field(default_factory=list)
    procedure_decision: tuple[str, str] | None = None
    # (event, action id, detail) from an action-tracking diagram: reminder, overdue, completed.
    action_events: list[tuple[str, int, dict]] = field(default_factory=list)
    # (what happened, its values) for the contact restriction this process decides: see restriction_records.
    restriction_changes: list[tuple[str, dict]] = field(default_factory=list)
    # Set by the engine, not a diagram: this procedure is being replaced by another.
    superseded: bool = False

    def deadline(self, step: str) -> DeadlineChange | None:
        return self.deadlines.get(step) or self.known_deadlines.get(step)


_effects: ContextVar[StepEffects | None] = ContextVar("step_effects", default=None)


@contextmanager
def collecting(effects: StepEffects):
    token = _effects.set(effects)
    try:
        yield effects
    finally:
        _effects.reset(token)


def _current() -> StepEffects:
    effects = _effects.get()
    if effects is None:
        # Outside an engine step (e.g. a diagram run by hand): record into a throwaway.
        effects = StepEffects()
        _effects.set(effects)
    return effects


def _as_date(value) -> date:
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def _describe_holidays(start: date, end: date, calendar: WorkingDayCalendar) -> str:
    skipped = holidays_skipped(start, end, calendar)
    if not skipped:
        return "no bank holidays fall in that period"
    names = ", ".join(f"{name} ({day.isoformat()})" for day, name in skipped)
    return f"bank holidays skipped: {names}"


def start_deadline(step: str, start_on, working_days: int, rule: str, start_event: str = "start") -> str:
    """Set the deadline `step` to `working_days` working days after `start_on`; return the due date."""
    effects = _current()
    start = day_zero(_as_date(start_on), effects.calendar)
    due = _add_working_days(start, int(working_days), effects.calendar)
    basis = (
        f"{working_days} working days from {start_event} on {start.isoformat()} ({rule}); "
        f"{_describe_holidays(start, due, effects.calendar)}"
    )
    effects.deadlines[step] = DeadlineChange(step, due, basis, start, int(working_days))
    return due.isoformat()


def extend_deadline(step: str, extra_working_days: int, max_extra_working_days: int, reason: str) -> str:
    """Extend `step` by `extra_working_days`, refusing a total beyond `max_extra_working_days`."""
    effects = _current()
    current = effects.deadline(step)
    if current is None or current.start_on is None:
        raise DeadlineRuleError(f"There is no {step} deadline to extend")
    extra = int(extra_working_days)
    total = current.extended_working_days + extra
    if extra < 1:
        raise DeadlineRuleError("An extension must be at least 1 working day", "extension_working_days")
    if total > int(max_extra_working_days):
        left = int(max_extra_working_days) - current.extended_working_days
        raise DeadlineRuleError(
            f"The rules allow at most {max_extra_working_days} extra working days for this step; "
            f"{left} remain",
            "extension_working_days",
        )
    if not str(reason or "").strip():
        raise DeadlineRuleError("Record the reason for the extension", "extension_reason")
    days = current.working_days + total
    due = _add_working_days(current.start_on, days, effects.calendar)
    basis = (
        f"{current.working_days} working days from {current.start_on.isoformat()}, extended by {total} "
        f"(reason: {reason}); {_describe_holidays(current.start_on, due, effects.calendar)}"
    )
    effects.deadlines[step] = DeadlineChange(
        step, due, basis, current.start_on, current.working_days, reason, total
    )
    return due.isoformat()


def complete_deadline(step: str, completed_on=None) -> None:
    """Record that the step of deadline `step` was done on `completed_on` (default today)."""
    effects = _current()
    current = effects.deadline(step)
    if current is None:
        raise DeadlineRuleError(f"There is no {step} deadline to complete")
    done = _as_date(completed_on) if completed_on else today()
    effects.deadlines[step] = DeadlineChange(**{**current.__dict__, "completed_on": done})


def add_working_days(start_on, working_days: int) -> str:
    """Return the ISO date `working_days` working days after `start_on`."""
    return _add_working_days(_as_date(start_on), int(working_days), _current().calendar).isoformat()


def working_days_before(due_on, working_days: int) -> str:
    """Return the ISO date `working_days` working days before `due_on` (for reminders)."""
    calendar = _current().calendar
    day, counted = _as_date(due_on), 0
    while counted < int(working_days):
        day -= timedelta(days=1)
        if calendar.is_working_day(day):
            counted += 1
    return day.isoformat()


def next_working_day(after) -> str:
    """Return the ISO date of the first working day after `after` (e.g. 'by the next working day')."""
    return _next_working_day(_as_date(after), _current().calendar).isoformat()


def add_calendar_months(start_on, months: int) -> str:
    """Return the ISO date `months` calendar months after `start_on` (the month's last day if shorter)."""
    return _add_calendar_months(_as_date(start_on), int(months)).isoformat()


def last_day_of_months(start_on, months: int) -> str:
    """Return the ISO date of the last day of a period of `months` calendar months beginning on `start_on`.

    For limits such as 'within six months beginning on the day the complaint was received'.
    """
    return _last_day_of_months_period(_as_date(start_on), int(months)).isoformat()


def end_of_day(on) -> str:
    """Return the aware ISO instant when the London day `on` ends: a timeDate for 'once this date has passed'."""
    return _end_of_day(_as_date(on)).isoformat()


def start_of_day(on) -> str:
    """Return the aware ISO instant when the London day `on` begins (for reminders on that day)."""
    return (_end_of_day(_as_date(on)) - timedelta(days=1)).isoformat()


def today() -> str:
    """Return today's date in Europe/London, by the engine's clock."""
    return london_date(clock.now()).isoformat()


def set_stage(stage: str) -> None:
    """Move the case to `stage` (intake, stage1, stage2, stage3, response, closed)."""
    _current().stage = stage


def set_outcome(outcome: str) -> None:
    """Record the outcome of the latest stage (upheld, partly_upheld, not_upheld, ...)."""
    _current().outcome = outcome


def allow_next_stage_until(last_day) -> str:
    """Record the last day the complainant may ask for the next stage; return it as an ISO date."""
    day = _as_date(last_day).isoformat()
    _current().next_stage_request_by = day
    return day


def send_reminder(step: str) -> None:
    """Remind whoever holds the task for deadline `step` (its assignee, else its team) by email."""
    _current().reminders.append(step)


def mark_overdue(step: str) -> None:
    """Mark deadline `step` overdue on the case (the escalation path of a deadline)."""
    _current().overdue.add(step)


def appoint(role: str, username: str, field_name: str | None = None) -> str:
    """Appoint a person (investigating_officer, independent_person, panel_member) to this case.

    The engine checks the person exists and holds the role (and, by statute, that no Stage 2
    Independent Person sits on the Review Panel); a refusal is shown against `field_name`.
    """
    if not str(username or "").strip():
        raise DeadlineRuleError(f"Choose the {role.replace('_', ' ')}", field_name)
    _current().appointments.append((role, str(username).strip(), field_name))
    return str(username).strip()


def withdraw(reason: str) -> None:
    """Record that the complainant withdrew the complaint (the case closes as withdrawn)."""
    _current().withdrawn_reason = str(reason or "no reason given")


def more_than_a_year_between(earlier, later) -> bool:
    """Whether `earlier` is more than one calendar year before `later` (time limits in the regulations)."""
    first, second = _as_date(earlier), _as_date(later)
    try:
        anniversary = first.replace(year=first.year + 1)
    except ValueError:  # 29 February
        anniversary = first.replace(year=first.year + 1, day=28)
    return second > anniversary


PROCEDURES = ("corporate", "childrens_statutory", "adults_statutory", "none")


def confirm_procedure(procedure: str, reason: str = "") -> None:
    """A person confirmed the triage suggestion, or chose another procedure (which needs a reason).

    The engine compares it with the case's procedure after the step: a change stops the running
    procedure and starts the chosen one.
    """
    if procedure not in PROCEDURES:
        raise DeadlineRuleError(f"Choose one of: {', '.join(PROCEDURES)}", "procedure")
    _current().procedure_decision = (procedure, str(reason or "").strip())


def add_history(event: str, detail: str = "") -> None:
    """Write a line in the case history."""
    _current().notes.append((event, detail))


def refuse(message: str, field_name: str | None = None) -> None:
    """Refuse the form being completed: the engine shows `message` against `field_name` and saves nothing."""
    raise DeadlineRuleError(str(message), field_name)


def action_reminder(action_id) -> None:
    """Remind the owner of action `action_id` that it is due soon."""
    _current().action_events.append(("reminder", int(action_id), {}))


def action_overdue(action_id) -> None:
    """Mark action `action_id` overdue and tell its owner."""
    _current().action_events.append(("overdue", int(action_id), {}))


def action_completed(action_id, completed_on=None, note: str = "") -> None:
    """Record that action `action_id` was done on `completed_on` (default today), with what was done."""
    done = _as_date(completed_on).isoformat() if completed_on else today()
    _current().action_events.append(("completed", int(action_id), {"completed_on": done, "note": str(note or "")}))


RESTRICTION_MEASURES = ("single_point_of_contact", "written_only", "call_limits", "no_reply", "visit_limits")
RESTRICTION_SCOPES = ("service_area", "council")


def calendar_months_after(on, months: int) -> str:
    """Return the ISO date `months` calendar months after `on` (the last day of a shorter month if need be)."""
    start = _as_date(on)
    index = start.month - 1 + int(months)
    year, month = start.year + index // 12, index % 12 + 1
    next_month = date(year + (month == 12), month % 12 + 1, 1)
    return date(year, month, min(start.day, (next_month - timedelta(days=1)).day)).isoformat()


def _required_text(value, field_name: str, message: str) -> str:
    text = str(value or "").strip()
    if not text:
        raise DeadlineRuleError(message, field_name)
    return text


def record_restriction(measures, single_point_of_contact, scope, reasons, review_on,
                       call_limit="", visit_limit="") -> str:
    """A senior manager imposed the restriction: record it, its scope and review date; return the review date.

    The engine checks the named officer exists and that the person deciding is a senior manager.
    """
    chosen = [m for m in (measures or []) if m in RESTRICTION_MEASURES]
    if not chosen:
        raise DeadlineRuleError("Choose at least one restriction", "measures")
    if scope not in RESTRICTION_SCOPES:
        raise DeadlineRuleError("Choose where the restriction applies", "scope")
    if "call_limits" in chosen and not str(call_limit or "").strip():
        raise DeadlineRuleError("Say what the limits on calls are", "call_limit")
    if "visit_limits" in chosen and not str(visit_limit or "").strip():
        raise DeadlineRuleError("Say what the limits on visits are", "visit_limit")
    _current().restriction_changes.append(("decided", {
        "measures": chosen, "scope": scope,
        "single_point_of_contact": _required_text(single_point_of_contact, "single_point_of_contact",
                                                  "Name the officer who will be the single point of contact"),
        "reasons": _required_text(reasons, "decision_reasons", "Give the reasons for the decision"),
        "review_on": _as_date(review_on).isoformat(),
        "call_limit": str(call_limit or "").strip(), "visit_limit": str(visit_limit or "").strip(),
    }))
    return _as_date(review_on).isoformat()


def refuse_restriction(reasons) -> None:
    """A senior manager decided not to restrict contact; the reasons are recorded."""
    _current().restriction_changes.append(
        ("refused", {"reasons": _required_text(reasons, "decision_reasons", "Give the reasons for the decision")}))


def record_decision_letter(sent_on, method) -> None:
    """The decision letter (restriction, scope, review date, right to go to the Ombudsman) was sent."""
    _current().restriction_changes.append(("letter_sent", {"sent_on": _as_date(sent_on).isoformat(),
                                                           "method": str(method or "")}))


def renew_restriction(reasons, review_on) -> str:
    """At review, the restriction is renewed with reasons until a new review date; return that date."""
    _current().restriction_changes.append(("renewed", {
        "reasons": _required_text(reasons, "review_reasons", "Give the reasons for renewing the restriction"),
        "review_on": _as_date(review_on).isoformat()}))
    return _as_date(review_on).isoformat()


def end_restriction(reasons) -> None:
    """At review, the restriction is ended before its review date."""
    _current().restriction_changes.append(
        ("ended", {"reasons": _required_text(reasons, "review_reasons", "Give the reasons for ending it")}))


def lapse_restriction() -> None:
    """The review date came without a renewal: the restriction lapses."""
    _current().restriction_changes.append(("lapsed", {}))


DIAGRAM_FUNCTIONS = {
    f.__name__: f
    for f in (
        start_deadline,
        extend_deadline,
        complete_deadline,
        add_working_days,
        working_days_before,
        next_working_day,
        add_calendar_months,
        last_day_of_months,
        end_of_day,
        start_of_day,
        today,
        set_stage,
        set_outcome,
        allow_next_stage_until,
        send_reminder,
        mark_overdue,
        appoint,
        withdraw,
        more_than_a_year_between,
        confirm_procedure,
        add_history,
        refuse,
        action_reminder,
        action_overdue,
        action_completed,
        calendar_months_after,
        record_restriction,
        refuse_restriction,
        record_decision_letter,
        renew_restriction,
        end_restriction,
        lapse_restriction,
    )
}
