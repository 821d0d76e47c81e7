"""Reminder and escalation emails: queued in the step's transaction, sent afterwards by SMTP.

Queuing in the same transaction as the workflow step (an outbox) means an email
is never sent for a step that rolled back, and never lost for one that
committed: a sender picks up pending rows and retries until they go.
"""
from __future__ import annotations

import smtplib
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from sqlalchemy import select

from . import audit, clock
from .calendar import london_date, working_days_between
from .models import Case, Deadline, HumanTask, Notification, User, db

_TEMPLATES = Environment(
    loader=FileSystemLoader(Path(__file__).resolve().parent / "templates" / "email"),
    undefined=StrictUndefined,
    autoescape=False,  # plain-text email, never rendered as HTML
    keep_trailing_newline=True,
)


@dataclass(frozen=True)
class SmtpSettings:
    host: str | None
    port: int = 25
    sender: str = "complaints@council.example"
    inbox_url: str = "http://localhost:5000/"

    @classmethod
    def from_config(cls, config) -> "SmtpSettings":
        return cls(config["SMTP_HOST"], config["SMTP_PORT"], config["MAIL_FROM"], config["PUBLIC_URL"])


def _audience_emails(task: HumanTask) -> list[str]:
    """The assignee if the task is claimed, else everyone who may pick it up."""
    if task.assignee_id is not None:
        user = db.session.get(User, task.assignee_id)
        return [user.email] if user and user.email else []
    candidates = db.session.scalars(select(User).where(User.active.is_(True))).all()
    return sorted({
        u.email for u in candidates
        if u.email and task.role in u.roles and (task.team is None or task.team in u.teams)
    })


def queue(case: Case, kind: str, step: str, task: HumanTask | None, audience: list[HumanTask]) -> None:
    """Write one reminder or escalation email to the outbox."""
    deadline = db.session.scalar(select(Deadline).where(Deadline.case_id == case.id, Deadline.step == step))
    recipients = sorted({email for t in audience for email in _audience_emails(t)})
    task_name = task.name if task else step.replace("_", " ")
    today = london_date(clock.now())
    context = {
        "reference": case.reference, "task_name": task_name, "summary": case.summary,
        "service_area": case.service_area, "due_on": deadline.due_on.isoformat() if deadline else "unknown",
        "basis": deadline.basis if deadline else "", "greeting": "Hello,", "inbox_url": "{inbox_url}",
        "working_days_left": working_days_between(today, deadline.due_on) if deadline else 0,
    }
    subject, _, body = _TEMPLATES.get_template(f"{kind}.txt").render(**context).partition("\n")
    db.session.add(Notification(
        case_id=case.id, kind=kind, step=step, recipients=recipients, subject=subject.strip(),
        body=body.lstrip("\n"), created_at=clock.now(),
    ))


def queue_action(case: Case, kind: str, action) -> None:
    """Write an action reminder or overdue email, to the action's owner, to the outbox."""
    owner = db.session.get(User, action.owner_id)
    context = {"reference": case.reference, "description": action.description, "due_on": action.due_on.isoformat(),
               "greeting": f"Hello {owner.display_name}," if owner else "Hello,", "inbox_url": "{inbox_url}"}
    subject, _, body = _TEMPLATES.get_template(f"{kind}.txt").render(**context).partition("\n")
    db.session.add(Notification(
        case_id=case.id, kind=kind, step=f"action_{action.id}",
        recipients=[owner.email] if owner and owner.email else [], subject=subject.strip(),
        body=body.lstrip("\n"), created_at=clock.now(),
    ))


def pending_ids(limit: int = 100) -> list[int]:
    ids = db.session.scalars(
        select(Notification.id).where(Notification.status == "pending").order_by(Notification.id).limit(limit)
    ).all()
    db.session.rollback()
    return list(ids)


def send_notification(notification_id: int, smtp: SmtpSettings) -> str:
    """Send one queued email; return its new status. Raises on SMTP failure so the caller can retry."""
    row = db.session.scalars(
        select(Notification).where(Notification.id == notification_id, Notification.status == "pending")
        .with_for_update(skip_locked=True)
    ).one_or_none()
    if row is None:
        db.session.rollback()
        return "gone"
    if not smtp.host:
        row.status = "not_sent"
        audit.record(row.case_id, "system", f"{row.kind}_not_sent",
                     f"{row.subject}: no email sent because SMTP_HOST is not configured")
    elif not row.recipients:
        row.status = "not_sent"
        audit.record(row.case_id, "system", f"{row.kind}_not_sent", f"{row.subject}: nobody to send it to")
    else:
        try:
            _smtp_send(row, smtp)
        except (OSError, smtplib.SMTPException) as err:
            row.attempts += 1
            row.last_error = f"{type(err).__name__}: {err}"
            db.session.commit()
            raise
        row.status, row.sent_at = "sent", clock.now()
        audit.record(row.case_id, "system", f"{row.kind}_sent", f"{row.subject} to {', '.join(row.recipients)}")
    db.session.commit()
    return row.status


def _smtp_send(row: Notification, smtp: SmtpSettings) -> None:
    message = EmailMessage()
    message["From"] = smtp.sender
    message["To"] = ", ".join(row.recipients)
    message["Subject"] = row.subject
    message.set_content(row.body.replace("{inbox_url}", smtp.inbox_url))
    with smtplib.SMTP(smtp.host, smtp.port, timeout=30) as client:
        client.send_message(message)


def send_pending(smtp: SmtpSettings) -> int:
    """Send every pending email (embedded mode); failures stay pending for the next sweep."""
    sent = 0
    for notification_id in pending_ids():
        try:
            sent += send_notification(notification_id, smtp) == "sent"
        except (OSError, smtplib.SMTPException):
            continue
    return sent
