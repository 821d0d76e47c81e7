"""Plain-dict views of cases and tasks, in the shape of the API contract."""
from __future__ import annotations

from datetime import date

from sqlalchemy import bindparam, select

from . import audit, clock, deadlines
from .calendar import add_working_days, london_date, working_days_between
from .models import AuditEvent, Case, Deadline, HumanTask, User, db, execute_core

DUE_SOON_WORKING_DAYS = 2


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def is_overdue(deadline: Deadline | deadlines.DeadlineRow, today: date) -> bool:
    if deadline.completed_on is not None:
        return deadline.completed_on > deadline.due_on
    return deadline.overdue or today > deadline.due_on


def deadline_view(deadline: Deadline | deadlines.DeadlineRow, today: date) -> dict:
    return {
        "step": deadline.step,
        "due_on": _iso(deadline.due_on),
        "completed_on": _iso(deadline.completed_on),
        "overdue": is_overdue(deadline, today),
        "basis": deadline.basis,
    }


def task_view(task: HumanTask, today: date | None = None, form: dict | None = None) -> dict:
    today = today or london_date(clock.now())
    view = {
        "id": task.id,
        "name": task.name,
        "case_reference": task.case_reference,
        "procedure": task.procedure,
        "stage": task.stage,
        "service_area": task.service_area,
        "role": task.role,
        "team": task.team,
        "assignee": task.assignee.username if task.assignee_id else None,
        "due_on": _iso(task.due_on),
        "working_days_left": working_days_between(today, task.due_on) if task.due_on else None,
        "overdue": bool(task.due_on and today > task.due_on),
        "due_soon": bool(task.due_on and today <= task.due_on <= add_working_days(today, DUE_SOON_WORKING_DAYS)),
    }
    if form is not None:
        view["form"] = form
    return view


def case_view(case: Case, *, with_history: bool = True) -> dict:
    today = london_date(clock.now())
    # The reads below are Core statements, which do not autoflush: write what the caller changed first.
    db.session.flush()
    audit.write_pending()
    view = {
        "reference": case.reference,
        "kind": case.kind,
        "procedure": case.procedure,
        "stage": case.stage,
        "status": case.status,
        "service_area": case.service_area,
        "channel": case.channel,
        "summary": case.summary,
        "received_on": _iso(case.received_on),
        "happened_on": _iso(case.happened_on),
        "triage_reason": case.triage_reason,
        "closed_on": _iso(case.closed_on),
        "outcome": case.outcome,
        "next_stage_request_by": _iso(case.next_stage_request_by),
        "complainant": case.complainant,
        "on_behalf_of": case.on_behalf_of,
        "contractor": case.contractor,
        "desired_outcome": case.desired_outcome,
        "advocate_requested": case.advocate_requested,
        "deadlines": [deadline_view(d, today) for d in deadlines.rows_for(case.id).values()],
        "open_tasks": _open_tasks(case.id),
    }
    if with_history:
        view["history"] = _history(case.id)
    return view


# Core statements on the tables, not ORM objects: a view is read once and thrown away, and building
# and tracking objects (and loading each assignee) cost more than the queries.
_TASKS, _USERS, _EVENTS = HumanTask.__table__, User.__table__, AuditEvent.__table__
_OPEN_TASKS = (
    select(_TASKS.c.id, _TASKS.c.name, _TASKS.c.role, _TASKS.c.team, _USERS.c.username, _TASKS.c.due_on)
    .select_from(_TASKS.outerjoin(_USERS, _USERS.c.id == _TASKS.c.assignee_id))
    .where(_TASKS.c.case_id == bindparam("case_id"))
    .order_by(_TASKS.c.created_at)
)
_HISTORY = (
    select(_EVENTS.c.at, _EVENTS.c.actor, _EVENTS.c.event, _EVENTS.c.detail)
    .where(_EVENTS.c.case_id == bindparam("case_id"))
    .order_by(_EVENTS.c.at, _EVENTS.c.id)
)


def _open_tasks(case_id: int) -> list[dict]:
    return [
        {"id": task_id, "name": name, "role": role, "team": team, "assignee": username, "due_on": _iso(due_on)}
        for task_id, name, role, team, username, due_on in execute_core(_OPEN_TASKS, {"case_id": case_id})
    ]


def _history(case_id: int) -> list[dict]:
    return [
        {"at": at.isoformat(), "actor": actor, "event": event, "detail": detail}
        for at, actor, event, detail in execute_core(_HISTORY, {"case_id": case_id})
    ]
