"""The append-only case history.

`record` only remembers the event in the session; the rows are written with one
multi-row INSERT when the session next flushes or commits (or when something
reads the history first). Building an ORM object and running it through the
unit of work cost more than the rest of a step's SQL, and history rows are never
changed after being written. They belong to the session's transaction: a rollback
drops the events not yet written along with everything else.
"""
from __future__ import annotations

from sqlalchemy import event, insert
from sqlalchemy.orm import Session

from . import clock
from .models import AuditEvent, db

_PENDING = "pending_audit_events"
_INSERT = insert(AuditEvent.__table__)


def record(case_id: int | None, actor: str, event: str, detail: str = "") -> None:
    db.session.info.setdefault(_PENDING, []).append(
        {"case_id": case_id, "actor": actor, "event": event, "detail": detail, "at": clock.now()}
    )


def write_pending(session: Session | None = None) -> None:
    """Insert the events recorded so far, in the order recorded (so ids follow that order)."""
    session = session if session is not None else db.session()
    rows = session.info.pop(_PENDING, None)
    if rows:
        session.connection().execute(_INSERT, rows)


# Written after the ORM's own rows (cases, tasks) so foreign keys always find them.
@event.listens_for(Session, "after_flush")
def _write_after_flush(session, _flush_context) -> None:
    write_pending(session)


@event.listens_for(Session, "before_commit")
def _write_before_commit(session) -> None:
    if session.info.get(_PENDING):
        session.flush()  # a flush writes them too, after any pending cases they refer to
        write_pending(session)  # the session was clean: nothing flushed


@event.listens_for(Session, "do_orm_execute")
def _write_before_reading_history(orm_execute_state) -> None:
    # The ORM's autoflush, for history only: a query on audit_events sees the events recorded so far.
    session = orm_execute_state.session
    if session.info.get(_PENDING) and orm_execute_state.is_select and any(
        mapper.class_ is AuditEvent for mapper in orm_execute_state.all_mappers
    ):
        write_pending(session)


@event.listens_for(Session, "after_soft_rollback")
def _forget_on_rollback(session, _previous_transaction) -> None:
    session.info.pop(_PENDING, None)
