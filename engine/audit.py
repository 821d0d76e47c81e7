"""The append-only case history."""
from __future__ import annotations

from . import clock
from .models import AuditEvent, db


def record(case_id: int | None, actor: str, event: str, detail: str = "") -> None:
    db.session.add(AuditEvent(case_id=case_id, actor=actor, event=event, detail=detail, at=clock.now()))
