"""Plain-dict views of cases and tasks, in the shape of the API contract."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from . import clock
from .calendar import london_date, working_days_between
from .models import AuditEvent, Case, Deadline, HumanTask, db


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
    }
    if form is not None:
        view["form"] = form
    return view


def case_view(case: Case, *, with_history: bool = True) -> dict:
    today = london_date(clock.now())
    tasks = db.session.scalars(select(HumanTask).where(HumanTask.case_id == case.id).order_by(HumanTask.created_at))
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
        "closed_on": _iso(case.closed_on),
        "outcome": case.outcome,
        "next_stage_request_by": _iso(case.next_stage_request_by),
        "complainant": case.complainant,
        "on_behalf_of": case.on_behalf_of,
        "contractor": case.contractor,
        "deadlines": [deadline_view(d, today) for d in case.deadlines],
        "open_tasks": [
            {"id": t.id, "name": t.name, "role": t.role, "team": t.team,
             "assignee": t.assignee.username if t.assignee_id else None, "due_on": _iso(t.due_on)}
            for t in tasks
        ],
    }
    if with_history:
        events = db.session.scalars(
            select(AuditEvent).where(AuditEvent.case_id == case.id).order_by(AuditEvent.at, AuditEvent.id)
        )
        view["history"] = [
            {"at": e.at.isoformat(), "actor": e.actor, "event": e.event, "detail": e.detail} for e in events
        ]
    return view
