"""The corporate procedure, end to end through the engine's service functions (SQLite and PostgreSQL)."""
from datetime import date

import pytest

from engine import cases, clock, human_tasks, instances, timers
from engine.errors import Conflict, Forbidden, ValidationFailed
from engine.models import Case, db
from tests.factories import (
    acknowledge, acknowledge_stage2, at, make_user, open_complaint, open_task, stage1_extension,
    stage1_response, stage2_review,
)


@pytest.fixture
def people(app):
    return {
        "cr": make_user(username="cr.officer", teams=["customer_relations"]),
        "reviewer": make_user(username="cr.reviewer", teams=["customer_relations"]),
        "highways": make_user(username="highways.officer", teams=["highways"]),
        "manager": make_user(username="manager", roles=["complaints_manager"], teams=["customer_relations"]),
    }


def complete(reference, task_name, data, user, on: date):
    task = open_task(reference, task_name)
    with clock.frozen_at(at(on)):
        return human_tasks.complete_task(task.id, data, user=user)


def deadlines(case_view: dict) -> dict:
    return {d["step"]: d for d in case_view["deadlines"]}


def test_new_complaint_is_acknowledged_within_5_working_days_skipping_christmas(people):
    case = open_complaint(people["cr"], on=date(2025, 12, 19))
    assert case["reference"].startswith("CMP-2025-")
    assert (case["procedure"], case["stage"], case["status"]) == ("corporate", "stage1", "open")
    ack = deadlines(case)["acknowledgement"]
    assert ack["due_on"] == "2025-12-30"
    assert "Christmas Day (2025-12-25)" in ack["basis"] and "Ombudsman Complaint Handling Code" in ack["basis"]
    [task] = case["open_tasks"]
    assert (task["name"], task["role"], task["team"], task["due_on"]) == (
        "Acknowledge complaint", "officer", "customer_relations", "2025-12-30")


def test_full_corporate_lifecycle_through_both_stages(people):
    ref = open_complaint(people["cr"], on=date(2025, 12, 19))["reference"]
    case = complete(ref, "Acknowledge complaint", acknowledge("2025-12-22"), people["cr"], date(2025, 12, 22))
    assert deadlines(case)["stage1_response"]["due_on"] == "2026-01-08"
    assert case["open_tasks"][0]["team"] == "highways"

    case = complete(ref, "Stage 1 response", stage1_response("2026-01-07"), people["highways"], date(2026, 1, 7))
    assert case["outcome"] == "partly_upheld" and case["open_tasks"] == []
    assert deadlines(case)["stage1_response"]["completed_on"] == "2026-01-07"
    assert case["next_stage_request_by"] == "2026-02-04"

    with clock.frozen_at(at(date(2026, 1, 20))):
        case = cases.escalate_case(ref, "The repair was poor", actor=people["cr"])
    assert case["stage"] == "stage2"
    assert deadlines(case)["stage2_acknowledgement"]["due_on"] == "2026-01-27"

    case = complete(ref, "Acknowledge Stage 2 request", acknowledge_stage2("2026-01-21"), people["cr"],
                    date(2026, 1, 21))
    assert deadlines(case)["stage2_response"]["due_on"] == "2026-02-18"

    case = complete(ref, "Stage 2 review", stage2_review("2026-02-10"), people["reviewer"], date(2026, 2, 10))
    assert (case["stage"], case["status"], case["outcome"]) == ("closed", "closed", "upheld")
    assert all(d["completed_on"] and not d["overdue"] for d in case["deadlines"])
    events = [h["event"] for h in case["history"]]
    assert events[0] == "case_opened" and events.count("task_completed") == 4
    assert "next_stage_requested" in events and events[-1] == "case_closed"


def test_stage1_extension_is_recorded_and_capped_at_10_working_days(people):
    ref = open_complaint(people["cr"], on=date(2025, 12, 19))["reference"]
    complete(ref, "Acknowledge complaint", acknowledge("2025-12-22"), people["cr"], date(2025, 12, 22))
    case = complete(ref, "Stage 1 response", stage1_extension(6), people["highways"], date(2026, 1, 5))
    stage1 = deadlines(case)["stage1_response"]
    assert stage1["due_on"] == "2026-01-16" and "contractor" in stage1["basis"]
    with pytest.raises(ValidationFailed) as refused:
        complete(ref, "Stage 1 response", stage1_extension(5), people["highways"], date(2026, 1, 12))
    assert "extension_working_days" in refused.value.errors
    assert deadlines(cases.read_case(ref, user=people["manager"]))["stage1_response"]["due_on"] == "2026-01-16"


def test_stage2_review_must_be_done_by_someone_other_than_the_stage1_responder(people):
    both = make_user(username="dual.officer", teams=["highways", "customer_relations"])
    ref = open_complaint(people["cr"], on=date(2025, 12, 19))["reference"]
    complete(ref, "Acknowledge complaint", acknowledge("2025-12-22"), people["cr"], date(2025, 12, 22))
    complete(ref, "Stage 1 response", stage1_response("2026-01-07"), both, date(2026, 1, 7))
    with clock.frozen_at(at(date(2026, 1, 8))):
        cases.escalate_case(ref, "Unhappy", actor=people["cr"])
    complete(ref, "Acknowledge Stage 2 request", acknowledge_stage2("2026-01-09"), people["cr"], date(2026, 1, 9))
    with pytest.raises(Forbidden):
        complete(ref, "Stage 2 review", stage2_review("2026-01-12"), both, date(2026, 1, 12))


def test_invalid_form_data_is_refused_field_by_field_and_nothing_changes(people):
    ref = open_complaint(people["cr"], on=date(2025, 12, 19))["reference"]
    with pytest.raises(ValidationFailed) as refused:
        complete(ref, "Acknowledge complaint", {"acknowledged_on": "2025-13-45"}, people["cr"], date(2025, 12, 22))
    assert {"acknowledged_on", "acknowledgement_method", "points_raised"} <= set(refused.value.errors)
    assert open_task(ref, "Acknowledge complaint") is not None


def test_an_officer_cannot_see_another_services_task(people):
    ref = open_complaint(people["cr"], on=date(2025, 12, 19))["reference"]
    waste = make_user(username="waste.officer", teams=["waste"])
    task = open_task(ref, "Acknowledge complaint")
    from engine.errors import NotFound

    with pytest.raises(NotFound):
        human_tasks.complete_task(task.id, acknowledge("2025-12-22"), user=waste)
    with pytest.raises(NotFound):
        cases.read_case(ref, user=waste)


def _respond_at_stage1(people, ref):
    complete(ref, "Acknowledge complaint", acknowledge("2025-12-22"), people["cr"], date(2025, 12, 22))
    complete(ref, "Stage 1 response", stage1_response("2026-01-07"), people["highways"], date(2026, 1, 7))


def test_case_closes_when_the_stage2_window_passes_and_a_late_request_is_refused(people):
    ref = open_complaint(people["cr"], on=date(2025, 12, 19))["reference"]
    _respond_at_stage1(people, ref)
    assert timers.fire_due_timers(at(date(2026, 2, 4), 23)).fired == 0
    assert timers.fire_due_timers(at(date(2026, 2, 5), 9)).fired == 1
    assert timers.fire_due_timers(at(date(2026, 2, 5), 9)).fired == 0
    case = cases.read_case(ref, user=people["manager"])
    assert (case["stage"], case["status"]) == ("closed", "closed")
    assert any(h["event"] == "timer_fired" for h in case["history"])
    with clock.frozen_at(at(date(2026, 2, 6))), pytest.raises(Conflict):
        cases.escalate_case(ref, "Too late", actor=people["cr"])


def test_asking_for_stage2_while_stage1_is_open_is_a_conflict(people):
    ref = open_complaint(people["cr"], on=date(2025, 12, 19))["reference"]
    with clock.frozen_at(at(date(2025, 12, 22))), pytest.raises(Conflict):
        cases.escalate_case(ref, "Now please", actor=people["cr"])


def test_a_crash_mid_step_leaves_the_case_as_it_was(people, monkeypatch):
    ref = open_complaint(people["cr"], on=date(2025, 12, 19))["reference"]
    case = db.session.query(Case).filter_by(reference=ref).one()
    before = (case.stage, case.instance.state, case.instance.lock_version, len(case.deadlines))
    task_id = open_task(ref, "Acknowledge complaint").id

    from engine import instances

    def explode(*args, **kwargs):
        raise RuntimeError("power cut")

    monkeypatch.setattr(instances, "_sync_timers", explode)
    with pytest.raises(RuntimeError):
        complete(ref, "Acknowledge complaint", acknowledge("2025-12-22"), people["cr"], date(2025, 12, 22))
    monkeypatch.undo()
    db.session.expire_all()
    case = db.session.query(Case).filter_by(reference=ref).one()
    assert (case.stage, case.instance.state, case.instance.lock_version, len(case.deadlines)) == before
    assert open_task(ref, "Acknowledge complaint").id == task_id
    events = [h["event"] for h in cases.read_case(ref, user=people["manager"])["history"]]
    assert "task_completed" not in events


def test_the_next_step_takes_the_workflow_kept_in_memory_but_a_closed_case_keeps_none(people):
    ref = open_complaint(people["cr"], on=date(2025, 12, 19))["reference"]
    _respond_at_stage1(people, ref)
    case = db.session.scalar(db.select(Case).where(Case.reference == ref))
    assert instances.load(case).read_models is not None  # remembered from the last step: no JSON restore
    db.session.rollback()  # (and taken out of memory by that load: the sweep below restores it)
    assert timers.fire_due_timers(at(date(2026, 2, 5), 9)).fired == 1
    db.session.expire_all()
    closed = instances.load(db.session.get(Case, case.id))
    assert closed.instance.status == "completed"
    assert closed.read_models is None  # restored from its saved state: nothing of a closed case stays in memory
