"""Actions promised after an upheld complaint: the owner's inbox, a reminder, overdue, done; and remedies recorded."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest
from sqlalchemy import select

from engine import actions, cases, clock, human_tasks, inbox, timers
from engine.errors import NotFound, ValidationFailed
from engine.models import Action, Deadline, Notification, Remedy, db
from tests.factories import acknowledge, at, make_user, open_complaint, open_task, stage1_response

from .test_corporate_procedure import complete


@pytest.fixture
def answered(app):
    """A partly upheld complaint answered at Stage 1 with an apology, a service action and £150 redress."""
    people = {"cr": make_user(username="cr.officer"),
              "highways": make_user(username="highways.officer", teams=["highways"]),
              "waste": make_user(username="waste.officer", teams=["waste"])}
    ref = open_complaint(people["cr"], on=date(2025, 12, 19))["reference"]
    complete(ref, "Acknowledge complaint", acknowledge("2025-12-22"), people["cr"], date(2025, 12, 22))
    response = {**stage1_response("2026-01-07"), "remedy": ["apology", "service_action", "financial_redress"],
                "financial_redress_amount": 150.5}
    complete(ref, "Stage 1 response", response, people["highways"], date(2026, 1, 7))
    return {**people, "ref": ref}


def add(answered, on=date(2026, 1, 8), **overrides):
    values = {"description": "Inspect Mill Lane monthly", "theme": "service_quality",
              "owner_username": "highways.officer", "due_on": date(2026, 2, 2)} | overrides
    with clock.frozen_at(at(on)):
        return actions.add_action(answered["ref"], user=answered["cr"], **values)


def test_the_response_records_its_remedies_and_the_redress_in_pence(answered):
    rows = db.session.scalars(select(Remedy).order_by(Remedy.remedy)).all()
    assert [(r.stage, r.remedy, r.amount_pence) for r in rows] == [
        ("stage1", "apology", None), ("stage1", "financial_redress", 15050), ("stage1", "service_action", None)]


def test_a_completed_step_records_the_working_days_it_took(answered):
    ack = db.session.scalar(select(Deadline).where(Deadline.step == "acknowledgement"))
    response = db.session.scalar(select(Deadline).where(Deadline.step == "stage1_response"))
    # 19 Dec (day 0) to 22 Dec: 1 working day; 22 Dec to 7 Jan 2026 skips 25, 26 Dec and 1 Jan: 9 working days.
    assert (ack.working_days_taken, response.working_days_taken) == (1, 9)


def test_an_action_goes_to_its_owners_inbox_with_its_due_date(answered):
    added = add(answered)
    assert (added["status"], added["owner"], added["theme_label"]) == (
        "open", "highways.officer", "Quality of the service")
    [task] = [t for t in inbox.inbox_for(answered["highways"])["items"] if t["name"] == "Complete the action"]
    assert task["due_on"] == "2026-02-02"
    assert "Complete the action" not in [t["name"] for t in inbox.inbox_for(answered["waste"])["items"]]


def test_the_owner_is_reminded_then_the_action_is_marked_overdue(answered):
    action_id = add(answered)["id"]
    # Due Mon 2 Feb: the reminder is due at the start of Thu 29 Jan, the overdue mark at the end of 2 Feb.
    assert timers.fire_due_timers(datetime(2026, 1, 28, 12, tzinfo=timezone.utc)).fired == 0
    assert timers.fire_due_timers(datetime(2026, 1, 29, 9, tzinfo=timezone.utc)).fired == 1
    [email] = db.session.scalars(select(Notification)).all()
    assert (email.kind, email.recipients) == ("action_reminder", ["highways.officer@council.example"])
    assert timers.fire_due_timers(datetime(2026, 2, 3, 9, tzinfo=timezone.utc)).fired == 1
    db.session.expire_all()
    assert db.session.get(Action, action_id).overdue is True
    assert [n.kind for n in db.session.scalars(select(Notification).order_by(Notification.id))] == [
        "action_reminder", "action_overdue"]


def test_completing_the_task_records_the_action_done(answered):
    action_id = add(answered)["id"]
    task = open_task(answered["ref"], "Complete the action")
    with clock.frozen_at(at(date(2026, 1, 20))):
        done = {"what_was_done": "Monthly inspections booked", "completed_on": "2026-01-19"}
        human_tasks.complete_task(task.id, done, user=answered["highways"])
    db.session.expire_all()
    action = db.session.get(Action, action_id)
    assert (action.status, action.completed_on, action.completion_note) == (
        "done", date(2026, 1, 19), "Monthly inspections booked")
    case = cases.read_case(answered["ref"], user=answered["cr"])
    assert case["status"] == "open"  # an action's diagram ending does not close the case
    timers.fire_due_timers(datetime(2026, 3, 1, 9, tzinfo=timezone.utc))  # (the procedure's own timers may fire)
    assert [n.kind for n in db.session.scalars(select(Notification))
            if n.kind.startswith("action")] == []  # the action's timers went when it was done


def test_an_action_needs_a_theme_from_the_list_an_owner_and_a_date(answered):
    with pytest.raises(ValidationFailed) as refused:
        add(answered, theme="other", owner_username="nobody", due_on=date(2026, 1, 1), description=" ")
    assert set(refused.value.errors) == {"theme", "owner", "due_on", "description"}


def test_actions_only_on_upheld_or_partly_upheld_complaints_and_visible_cases(app):
    cr = make_user(username="cr.officer")
    ref = open_complaint(cr, on=date(2025, 12, 19))["reference"]
    with clock.frozen_at(at(date(2025, 12, 22))), pytest.raises(ValidationFailed) as refused:
        actions.add_action(ref, description="x", theme="delay", owner_username="cr.officer",
                           due_on=date(2026, 1, 5), user=cr)
    assert "_form" in refused.value.errors
    with pytest.raises(NotFound):
        actions.add_action(ref, description="x", theme="delay", owner_username="cr.officer",
                           due_on=date(2026, 1, 5), user=make_user(username="w", teams=["waste"]))
