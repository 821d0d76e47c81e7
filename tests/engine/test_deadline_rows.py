"""A case's deadline rows as a step sees them: current whoever wrote them last.

A case has several process instances (its procedure and side processes) and triage's change of
procedure deletes the rows, so a remembered workflow says nothing about its case's deadlines.
"""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import delete, select, update

from engine import cases, clock, deadlines, instances
from engine.models import Case, Deadline, db
from tests.factories import at, intake, make_user

pytestmark = pytest.mark.usefixtures("app")
RECEIVED = date(2025, 12, 19)


def _new_case() -> Case:
    with clock.frozen_at(at(RECEIVED)):
        view = cases.open_case(intake(received_on=RECEIVED.isoformat()), actor=make_user(username="logger"))
    return db.session.scalar(select(Case).where(Case.reference == view["reference"]))


def test_a_step_sees_deadline_rows_another_writer_changed_since_its_workflow_was_remembered():
    case = _new_case()
    [row] = db.session.scalars(select(Deadline).where(Deadline.case_id == case.id)).all()
    moved = date(2026, 1, 30)
    # Another writer (not a save of this instance, so its lock version stays the same).
    db.session.execute(update(Deadline).where(Deadline.id == row.id).values(due_on=moved))
    db.session.commit()
    loaded = instances.load(db.session.get(Case, case.id), for_update=True)
    assert loaded.read_models is not None  # the remembered workflow was taken
    with clock.frozen_at(at(RECEIVED)), instances.step(loaded, "tester") as effects:
        assert effects.known_deadlines[row.step].due_on == moved
    db.session.rollback()


def test_rows_read_in_a_transaction_are_read_again_after_a_statement_or_a_flush_writes_the_table():
    case = _new_case()
    assert set(deadlines.rows_for(case.id)) == {"acknowledgement"}
    db.session.execute(delete(Deadline).where(Deadline.case_id == case.id))
    assert deadlines.rows_for(case.id) == {}
    db.session.add(Deadline(case_id=case.id, step="by_hand", due_on=date(2026, 2, 2), basis="test"))
    db.session.flush()
    assert set(deadlines.rows_for(case.id)) == {"by_hand"}
    db.session.rollback()
    assert set(deadlines.rows_for(case.id)) == {"acknowledgement"}
    db.session.rollback()
