"""Plain-dict views of cases and tasks, in the shape of the API contract."""
from __future__ import annotations

from datetime import date

from sqlalchemy import bindparam, select

from . import clock
from .calendar import add_working_days, london_date, working_days_between
from .models import AuditEvent, Case, Deadline, HumanTask, User, db

DUE_SOON_WORKING_DAYS = 2


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def is_overdue(deadline: Deadline, today: date) -> bool:
    if deadline.completed_on is not None:
        return deadline.completed_on > deadline.due_on
    return deadline.overdue or today > deadline.due_on


def deadline_view(deadline: Deadline, today: date) -> dict:
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
        "deadlines": [deadline_view(d, today) for d in case.deadlines],
        "open_tasks": _open_tasks(case.id),
    }
    if with_history:
        view["history"] = _history(case.id)
    return view


# Columns, not ORM objects: a view is read once and thrown away, and building and tracking
# objects (and loading each assignee) cost more than the queries.
_OPEN_TASKS = (
    select(HumanTask.id, HumanTask.name, HumanTask.role, HumanTask.team, User.username, HumanTask.due_on)
    .outerjoin(User, User.id == HumanTask.assignee_id)
    .where(HumanTask.case_id == bindparam("case_id"))
    .order_by(HumanTask.created_at)
)
_HISTORY = (
    select(AuditEvent.at, AuditEvent.actor, AuditEvent.event, AuditEvent.detail)
    .where(AuditEvent.case_id == bindparam("case_id"))
    .order_by(AuditEvent.at, AuditEvent.id)
)


def _open_tasks(case_id: int) -> list[dict]:
    return [
        {"id": task_id, "name": name, "role": role, "team": team, "assignee": username, "due_on": _iso(due_on)}
        for task_id, name, role, team, username, due_on in db.session.execute(_OPEN_TASKS, {"case_id": case_id})
    ]


def _history(case_id: int) -> list[dict]:
    return [
        {"at": at.isoformat(), "actor": actor, "event": event, "detail": detail}
        for at, actor, event, detail in db.session.execute(_HISTORY, {"case_id": case_id})
    ]
