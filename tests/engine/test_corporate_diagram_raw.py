"""Run processes/corporate_complaint.bpmn straight through with the engine's SpiffWorkflow helpers.

These tests read as the corporate procedure (Ombudsman Complaint Handling Code):
acknowledge within 5 working days, Stage 1 within 10 (+10), Stage 2 request
within 20, Stage 2 acknowledged within 5 and answered within 20 (+20).
"""
from __future__ import annotations

import json
from datetime import date, datetime, time, timezone
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator, ValidationError
from SpiffWorkflow.exceptions import WorkflowException
from SpiffWorkflow.util.task import TaskState

from engine import clock
from engine.calendar import add_working_days, end_of_day
from engine.diagram_api import DeadlineRuleError, StepEffects, collecting
from engine.spiff import (
    build_specs,
    check_files,
    complete_user_task,
    dump_state,
    find_ready_user_task,
    load_state,
    ready_user_tasks,
    send_message,
    start_workflow,
    waiting_timers,
)
from engine.spiff.running import advance

PROCESSES = Path(__file__).resolve().parents[2] / "processes"
BPMN = PROCESSES / "corporate_complaint.bpmn"
RECEIVED_ON = "2025-12-19"  # a Friday, just before Christmas and New Year's Day
LATEST_ACTION = "2026-01-07"  # decisions without a date of their own (extensions) are taken on this day

CASE = {
    "case_reference": "CMP-2026-000001",
    "received_on": RECEIVED_ON,
    "service_area": "highways",
    "summary": "Pothole outside 12 High Street not repaired",
    "details": "",
    "complainant_name": "A",
    "kind": "complaint",
}

ACKNOWLEDGE = {
    "acknowledged_on": "2025-12-22",
    "acknowledgement_method": "email",
    "points_raised": "1. The pothole reported in October is still there.\n2. Nobody replied to my report.",
}
STAGE1_RESPOND = {
    "decision": "respond",
    "outcome": "partly_upheld",
    "response": "We should have repaired the pothole within 28 days. We did not reply to your report because ...",
    "points_addressed": True,
    "remedy": ["apology", "service_action"],
    "actions_promised": "Repair the pothole by 16 January 2026.",
    "responded_on": "2026-01-07",
}
STAGE1_EXTEND = {
    "decision": "extend",
    "extension_working_days": 5,
    "extension_reason": "The highways inspector is on leave until 12 January.",
    "complainant_told": True,
}
STAGE2_REQUEST = {"requested_on": "2026-01-20", "reason": "The repair was a temporary patch."}
ACKNOWLEDGE_STAGE2 = {
    "stage2_acknowledged_on": "2026-01-22",
    "stage2_points": "The repair was only a temporary patch and has failed again.",
}
STAGE2_RESPOND = {
    "stage2_decision": "respond",
    "stage2_outcome": "upheld",
    "stage2_response": "The patch did not meet our standard. A permanent repair was made on 2 February.",
    "stage2_points_addressed": True,
    "stage2_remedy": ["apology", "service_action", "financial_redress"],
    "stage2_financial_redress_amount": 50,
    "stage2_actions_promised": "Inspect the road again in three months.",
    "stage2_responded_on": "2026-02-10",
    "ombudsman_signposted": True,
}
STAGE2_EXTEND = {
    "stage2_decision": "extend",
    "stage2_extension_working_days": 10,
    "stage2_extension_reason": "We are waiting for the contractor's report.",
    "stage2_complainant_told": True,
}

FORMS = {
    "Task_acknowledge": "forms/corporate/acknowledge.json",
    "Task_stage1_response": "forms/corporate/stage1_response.json",
    "Task_acknowledge_stage2": "forms/corporate/acknowledge_stage2.json",
    "Task_stage2_review": "forms/corporate/stage2_review.json",
}


def iso(start: str, working_days: int) -> str:
    return add_working_days(date.fromisoformat(start), working_days).isoformat()


def form_schema(relative: str) -> dict:
    return json.loads((PROCESSES / relative).read_text())


@pytest.fixture(scope="module")
def xml_bytes() -> bytes:
    return BPMN.read_bytes()


@pytest.fixture(scope="module")
def specs(xml_bytes):
    return build_specs(xml_bytes, "corporate_complaint.bpmn", {}, "corporate_complaint")


def on(day: str):
    """Freeze the engine clock at midday on `day`, so timers judge 'now' as the case's own dates."""
    return clock.frozen_at(datetime.combine(date.fromisoformat(day), time(12), tzinfo=timezone.utc))


def start(specs, effects: StepEffects | None = None):
    spec, subs = specs
    with on(RECEIVED_ON), collecting(effects or StepEffects()):
        return start_workflow(spec, subs, dict(CASE))


def only_ready(wf):
    tasks = ready_user_tasks(wf)
    assert len(tasks) == 1, [t.spec_id for t in tasks]
    return tasks[0]


def complete(wf, spec_id: str, data: dict, effects: StepEffects | None = None) -> StepEffects:
    """Validate `data` against the task's form, as the web would, then complete the task."""
    view = only_ready(wf)
    assert view.spec_id == spec_id
    assert view.properties["formJsonSchemaFilename"] == FORMS[spec_id]
    Draft202012Validator(form_schema(FORMS[spec_id])).validate(data)
    effects = effects or StepEffects()
    day = next((v for k, v in data.items() if k.endswith("_on")), LATEST_ACTION)
    with on(day), collecting(effects):
        complete_user_task(wf, find_ready_user_task(wf, view.id), dict(data))
    return effects


def ends_reached(wf) -> list[str]:
    return [t.task_spec.bpmn_id for t in wf.get_tasks(state=TaskState.COMPLETED)
            if (t.task_spec.bpmn_id or "").startswith("End_")]


def request_stage2(wf, effects: StepEffects) -> StepEffects:
    with on(STAGE2_REQUEST["requested_on"]), collecting(effects):
        send_message(wf, "stage2_requested", dict(STAGE2_REQUEST))
    return effects


def test_diagram_passes_the_engine_checks(xml_bytes):
    report = check_files({"corporate_complaint.bpmn": xml_bytes}, {})
    assert report.errors == []
    assert report.warnings == []
    assert report.forms["corporate_complaint.bpmn"] == set(FORMS.values())
    for relative in FORMS.values():
        Draft202012Validator.check_schema(form_schema(relative))


def test_user_tasks_carry_lane_deadline_and_guidance(specs):
    wf = start(specs)
    view = only_ready(wf)
    assert (view.spec_id, view.title, view.lane) == ("Task_acknowledge", "Acknowledge complaint", "Customer relations")
    assert view.properties["deadline"] == "acknowledgement"
    assert "5 working days" in view.instructions
    assert view.documentation


def test_straight_through_to_closed_after_stage2(specs):
    effects = StepEffects()
    wf = start(specs, effects)
    acknowledgement_due = iso(RECEIVED_ON, 5)
    assert acknowledgement_due == "2025-12-30"  # 22, 23, 24, 29, 30 Dec: 25 and 26 Dec are bank holidays
    assert effects.stage == "stage1"
    assert effects.deadlines["acknowledgement"].due_on.isoformat() == acknowledgement_due
    assert "Ombudsman Complaint Handling Code 6.2" in effects.deadlines["acknowledgement"].basis

    effects = complete(wf, "Task_acknowledge", ACKNOWLEDGE, StepEffects(known_deadlines=effects.deadlines))
    assert effects.deadlines["acknowledgement"].completed_on == date(2025, 12, 22)
    stage1_due = effects.deadlines["stage1_response"].due_on.isoformat()
    assert stage1_due == iso("2025-12-22", 10) == "2026-01-08"  # skips 25, 26 Dec and 1 Jan
    view = only_ready(wf)
    assert (view.spec_id, view.lane, view.properties["deadline"]) == (
        "Task_stage1_response", "Service", "stage1_response")

    effects = complete(wf, "Task_stage1_response", STAGE1_RESPOND, StepEffects(known_deadlines=effects.deadlines))
    assert effects.deadlines["stage1_response"].completed_on == date(2026, 1, 7)
    assert effects.outcome == "partly_upheld"
    assert ready_user_tasks(wf) == []
    request_by = iso("2026-01-07", 20)
    [timer] = waiting_timers(wf)
    assert timer.spec_id == "Timer_stage2_window"
    assert timer.due_at == end_of_day(date.fromisoformat(request_by))

    effects = request_stage2(wf, StepEffects(known_deadlines=effects.deadlines))
    assert effects.stage == "stage2"
    assert effects.deadlines["stage2_acknowledgement"].due_on.isoformat() == iso("2026-01-20", 5)
    assert waiting_timers(wf) == []
    view = only_ready(wf)
    assert (view.spec_id, view.lane, view.properties["deadline"]) == (
        "Task_acknowledge_stage2", "Customer relations", "stage2_acknowledgement")

    effects = complete(wf, "Task_acknowledge_stage2", ACKNOWLEDGE_STAGE2, StepEffects(known_deadlines=effects.deadlines))
    assert effects.deadlines["stage2_acknowledgement"].completed_on == date(2026, 1, 22)
    assert effects.deadlines["stage2_response"].due_on.isoformat() == iso("2026-01-22", 20)
    view = only_ready(wf)
    assert (view.spec_id, view.lane) == ("Task_stage2_review", "Stage 2 reviewer")
    assert view.properties["notSameAssigneeAs"] == "Task_stage1_response"
    assert view.properties["deadline"] == "stage2_response"

    effects = complete(wf, "Task_stage2_review", STAGE2_RESPOND, StepEffects(known_deadlines=effects.deadlines))
    assert effects.deadlines["stage2_response"].completed_on == date(2026, 2, 10)
    assert (effects.stage, effects.outcome) == ("closed", "upheld")
    assert wf.is_completed()
    assert ends_reached(wf) == ["End_closed_after_stage2"]
    assert wf.last_task.data["stage2_request"] == STAGE2_REQUEST


def test_save_and_restore_at_every_wait(specs):
    spec, subs = specs

    def round_trip(wf):
        return load_state(dump_state(wf), spec, subs)

    known = StepEffects()
    wf = round_trip(start(specs, known))
    steps = [
        ("Task_acknowledge", ACKNOWLEDGE),
        ("Task_stage1_response", STAGE1_EXTEND),
        ("Task_stage1_response", STAGE1_RESPOND),
    ]
    for spec_id, data in steps:
        known = complete(wf, spec_id, data, StepEffects(known_deadlines={**known.known_deadlines, **known.deadlines}))
        wf = round_trip(wf)
    assert [t.spec_id for t in waiting_timers(wf)] == ["Timer_stage2_window"]
    known = request_stage2(wf, StepEffects(known_deadlines={**known.known_deadlines, **known.deadlines}))
    wf = round_trip(wf)
    for spec_id, data in [
        ("Task_acknowledge_stage2", ACKNOWLEDGE_STAGE2),
        ("Task_stage2_review", STAGE2_EXTEND),
        ("Task_stage2_review", STAGE2_RESPOND),
    ]:
        known = complete(wf, spec_id, data, StepEffects(known_deadlines={**known.known_deadlines, **known.deadlines}))
        wf = round_trip(wf)
    assert wf.is_completed()
    assert known.stage == "closed"


def test_stage1_extension_loops_back_and_is_capped_at_10_working_days(specs):
    known = StepEffects()
    wf = start(specs, known)
    known = complete(wf, "Task_acknowledge", ACKNOWLEDGE, known)
    original_due = known.deadlines["stage1_response"].due_on

    known = complete(wf, "Task_stage1_response", STAGE1_EXTEND, StepEffects(known_deadlines=known.deadlines))
    extended = known.deadlines["stage1_response"]
    assert extended.due_on.isoformat() == iso("2025-12-22", 15) == "2026-01-15"
    assert extended.due_on > original_due
    assert extended.extended_working_days == 5
    assert extended.extension_reason == STAGE1_EXTEND["extension_reason"]
    assert only_ready(wf).spec_id == "Task_stage1_response"

    # The form allows up to 10 per request; the diagram's script refuses more than 10 in total.
    too_long = {**STAGE1_EXTEND, "extension_working_days": 6}
    with pytest.raises((DeadlineRuleError, WorkflowException)) as raised:
        complete(wf, "Task_stage1_response", too_long, StepEffects(known_deadlines=known.deadlines))
    # engine.spiff.running._raise_rule_error looks for err.exception, which SpiffWorkflow 3.2.0's
    # WorkflowTaskException does not set; the DeadlineRuleError is its __context__.
    cause = raised.value if isinstance(raised.value, DeadlineRuleError) else raised.value.__context__
    assert isinstance(cause, DeadlineRuleError)
    assert "at most 10 extra working days" in str(cause)


def test_stage1_form_refuses_an_extension_without_telling_the_complainant():
    schema = form_schema(FORMS["Task_stage1_response"])
    with pytest.raises(ValidationError):
        Draft202012Validator(schema).validate({**STAGE1_EXTEND, "complainant_told": False})
    with pytest.raises(ValidationError):
        Draft202012Validator(schema).validate({"decision": "extend", "extension_working_days": 11,
                                               "extension_reason": "x", "complainant_told": True})
    with pytest.raises(ValidationError):
        Draft202012Validator(schema).validate({k: v for k, v in STAGE1_RESPOND.items() if k != "points_addressed"})


def test_stage2_form_requires_the_ombudsman_signpost():
    schema = form_schema(FORMS["Task_stage2_review"])
    with pytest.raises(ValidationError):
        Draft202012Validator(schema).validate({k: v for k, v in STAGE2_RESPOND.items() if k != "ombudsman_signposted"})
    with pytest.raises(ValidationError):
        Draft202012Validator(schema).validate({**STAGE2_EXTEND, "stage2_extension_working_days": 21})


def test_case_closes_after_stage1_when_no_stage2_request_arrives(specs):
    known = StepEffects()
    wf = start(specs, known)
    known = complete(wf, "Task_acknowledge", ACKNOWLEDGE, known)
    known = complete(wf, "Task_stage1_response", STAGE1_RESPOND, StepEffects(known_deadlines=known.deadlines))
    [timer] = waiting_timers(wf)

    last_day = date.fromisoformat(iso("2026-01-07", 20))
    assert timer.due_at == end_of_day(last_day)
    # The complainant may still ask on the last day of the window.
    midday = datetime(last_day.year, last_day.month, last_day.day, 12, tzinfo=timezone.utc)
    with clock.frozen_at(midday), collecting(StepEffects()):
        advance(wf)
    assert not wf.is_completed()

    spec, subs = specs
    wf = load_state(dump_state(wf), spec, subs)  # the timer survives a save and restore
    effects = StepEffects(known_deadlines=known.deadlines)
    with clock.frozen_at(datetime(2026, 3, 1, tzinfo=timezone.utc)), collecting(effects):
        advance(wf)
    assert wf.is_completed()
    assert effects.stage == "closed"
    assert ends_reached(wf) == ["End_closed_after_stage1"]
    assert waiting_timers(wf) == []
