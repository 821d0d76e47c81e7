"""A case's deadline rows as plain values, read and written with Core statements.

A step's deadlines are written by `instances.save` (what the diagram set). What a transaction
loaded or wrote is kept in the session until it commits or rolls back, so the step that changes
them and the view returned afterwards read them once between them. Nothing outlives the
transaction: the next one reads the rows again (a case has several process instances, and
triage's change of procedure deletes the rows, so no instance's lock version says they are current).
Anything else that writes the table in the transaction through the Session (a statement on it,
such as triage's DELETE, or a flush of Deadline objects) makes every case's rows be read again.
"""
from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date

from sqlalchemy import bindparam, event, insert, select, update
from sqlalchemy.orm import Session

from .calendar import working_days_between
from .diagram_api import DeadlineChange
from .models import Case, Deadline, db, execute_core

DEADLINES = Deadline.__table__
_KEY = "case_deadlines"


@dataclass
class DeadlineRow:
    step: str
    due_on: date
    basis: str
    start_on: date | None
    working_days: int | None
    extension_reason: str | None
    extended_working_days: int
    completed_on: date | None
    overdue: bool = False
    # Working days from start_on to completed_on, written when the step is completed (for timeliness figures).
    working_days_taken: int | None = None

    def as_change(self) -> DeadlineChange:
        return DeadlineChange(self.step, self.due_on, self.basis, self.start_on, self.working_days,
                              self.extension_reason, self.extended_working_days, self.completed_on)


_CHANGE_FIELDS = tuple(f.name for f in fields(DeadlineChange) if f.name != "step")
_WRITTEN_FIELDS = (*_CHANGE_FIELDS, "working_days_taken")
_SELECT = (
    select(*(DEADLINES.c[f.name] for f in fields(DeadlineRow)))
    .where(DEADLINES.c.case_id == bindparam("case_id"))
    .order_by(DEADLINES.c.id)
)
_INSERT = insert(DEADLINES)
_UPDATE = (
    update(DEADLINES)
    .where(DEADLINES.c.case_id == bindparam("b_case_id"), DEADLINES.c.step == bindparam("b_step"))
    .values({name: bindparam(name) for name in _WRITTEN_FIELDS})
)
_MARK_OVERDUE = (
    update(DEADLINES)
    .where(DEADLINES.c.case_id == bindparam("b_case_id"), DEADLINES.c.step.in_(bindparam("b_steps", expanding=True)))
    .values(overdue=True)
)


def rows_for(case_id: int) -> dict[str, DeadlineRow]:
    """The case's deadlines by step, in the order they were first set (the rows' id order)."""
    known = db.session.info.setdefault(_KEY, {})
    rows = known.get(case_id)
    if rows is None:
        rows = {row.step: DeadlineRow(*row) for row in execute_core(_SELECT, {"case_id": case_id})}
        known[case_id] = rows
    return rows


def new_case(case_id: int) -> None:
    """A case created in this transaction (cases.create_case) has no deadlines yet: nothing to read."""
    db.session.info.setdefault(_KEY, {})[case_id] = {}


def write(case_id: int, changes: dict[str, DeadlineChange], calendar) -> dict[str, DeadlineRow]:
    """Insert or update the deadlines a step set (only those that differ); return all of the case's rows.

    `calendar` is the step's working-day calendar, for the working days a completed step took.
    """
    rows = rows_for(case_id)
    new, changed = [], []
    for step, change in changes.items():
        values = {name: getattr(change, name) for name in _CHANGE_FIELDS}
        values["working_days_taken"] = (working_days_between(change.start_on, change.completed_on, calendar)
                                        if change.start_on and change.completed_on else None)
        row = rows.get(step)
        if row is None:
            new.append({"case_id": case_id, "step": step, "overdue": False, **values})
            rows[step] = DeadlineRow(step=step, **values)
        elif row.as_change() != change or row.working_days_taken != values["working_days_taken"]:
            changed.append({"b_case_id": case_id, "b_step": step, **values})
            rows[step] = DeadlineRow(step=step, overdue=row.overdue, **values)
    if new:
        execute_core(_INSERT, new)
    if changed:
        execute_core(_UPDATE, changed)
    if new or changed:
        _expire_loaded_objects(case_id)
    return rows


def mark_overdue(case_id: int, steps: list[str]) -> None:
    rows = rows_for(case_id)
    steps = [s for s in steps if s in rows]
    if steps:
        execute_core(_MARK_OVERDUE, {"b_case_id": case_id, "b_steps": steps})
        for step in steps:
            rows[step].overdue = True
        _expire_loaded_objects(case_id)


def _expire_loaded_objects(case_id: int) -> None:
    """Anything that loaded the rows as ORM objects in this transaction reads them again."""
    session = db.session()
    for obj in list(session.identity_map.values()):
        # Read from __dict__: an expired attribute must not be loaded just to be compared.
        if isinstance(obj, Deadline) and obj.__dict__.get("case_id", case_id) == case_id:
            session.expire(obj)
        elif isinstance(obj, Case) and obj.__dict__.get("id") == case_id and "deadlines" in obj.__dict__:
            session.expire(obj, ["deadlines"])


@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_soft_rollback")
def _forget(session, *_args) -> None:
    session.info.pop(_KEY, None)


@event.listens_for(Session, "after_transaction_end")
def _forget_at_end(session, transaction) -> None:
    if transaction.parent is None:  # the outermost transaction (also a close() without commit or rollback)
        session.info.pop(_KEY, None)


@event.listens_for(Session, "do_orm_execute")
def _written_by_a_statement(orm_execute_state) -> None:
    """An INSERT, UPDATE or DELETE on the table run through the Session (e.g. triage clearing a case's deadlines)."""
    if (orm_execute_state.is_insert or orm_execute_state.is_update or orm_execute_state.is_delete) \
            and _is_deadlines(getattr(orm_execute_state.statement, "table", None)):
        orm_execute_state.session.info.pop(_KEY, None)


def _is_deadlines(table) -> bool:
    # An ORM statement (delete(Deadline)) names an annotated copy of the table.
    return table is DEADLINES or getattr(table, "name", None) == DEADLINES.name


@event.listens_for(Session, "after_flush")
def _written_by_a_flush(session, _flush_context) -> None:
    """Deadline objects added, changed or deleted through the unit of work."""
    if _KEY in session.info and any(isinstance(obj, Deadline)
                                    for group in (session.new, session.dirty, session.deleted) for obj in group):
        session.info.pop(_KEY, None)
