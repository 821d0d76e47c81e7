"""Run processes/corporate_complaint.bpmn straight through with the engine's SpiffWorkflow helpers.

These tests read as the corporate procedure (Ombudsman Complaint Handling Code):
acknowledge within 5 working days, Stage 1 within 10 (+10), Stage 2 request
within 20, Stage 2 acknowledged within 5 and answered within 20 (+20). Each of those four
deadlines reminds the task's holder 2 working days before it falls due and, once
it has passed, marks the deadline overdue and escalates to a manager.
"""
from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta, timezone
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
    decide,
    dump_state,
    find_ready_user_task,
    load_state,
    ready_user_tasks,
    send_message,
    start_workflow,
    timer_fired,
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
OVERDUE_FORM = "forms/corporate/overdue.json"
# deadline task -> (short id used in the element ids, deadline step, manager lane of the escalation)
DEADLINE_TASKS = {
    "Task_acknowledge": ("acknowledge", "acknowledgement", "Customer relations manager"),
    "Task_stage1_response": ("stage1_response", "stage1_response", "Service manager"),
    "Task_acknowledge_stage2": ("acknowledge_stage2", "stage2_acknowledgement", "Customer relations manager"),
    "Task_stage2_review": ("stage2_review", "stage2_response", "Customer relations manager"),
}
FORMS.update({f"Task_{short}_overdue": OVERDUE_FORM for short, _step, _lane in DEADLINE_TASKS.values()})
OVERDUE_HANDLED = {
    "action_taken": "The officer was off sick; I reassigned the complaint to J. Smith, who will reply by 9 January.",
    "complainant_told_new_date": True,
    "new_target_date": "2026-01-09",
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


def complete_named(wf, spec_id: str, data: dict, day: str, effects: StepEffects | None = None) -> StepEffects:
    """Complete the ready task `spec_id` on `day` when several tasks are ready (an escalation beside its task)."""
    [view] = [v for v in ready_user_tasks(wf) if v.spec_id == spec_id]
    assert view.properties["formJsonSchemaFilename"] == FORMS[spec_id]
    Draft202012Validator(form_schema(FORMS[spec_id])).validate(data)
    effects = effects or StepEffects()
    with on(day), collecting(effects):
        complete_user_task(wf, find_ready_user_task(wf, view.id), dict(data))
    return effects


def run_timers_at(wf, instant: datetime, effects: StepEffects | None = None) -> StepEffects:
    """What the engine's timer job does: advance the workflow with the clock at `instant`."""
    effects = effects or StepEffects()
    with clock.frozen_at(instant), collecting(effects):
        advance(wf)
    return effects


def working_days_before(due: str, working_days: int) -> str:
    from engine.diagram_api import working_days_before as before
    return before(due, working_days)


def start_of(day: str) -> datetime:
    """Midnight at the start of a London day, as an aware UTC instant (the day before's end_of_day)."""
    return end_of_day(date.fromisoformat(day) - timedelta(days=1))


def timer_task(wf, spec_id: str):
    """The latest task of timer `spec_id` (a loop back to its task creates a new one)."""
    tasks = [t for t in wf.get_tasks() if t.task_spec.bpmn_id == spec_id]
    assert tasks, spec_id
    return tasks[-1]


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
    assert OVERDUE_FORM in report.forms["corporate_complaint.bpmn"]
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
    stage2_acknowledgement_due = iso("2026-01-20", 5)
    assert effects.deadlines["stage2_acknowledgement"].due_on.isoformat() == stage2_acknowledgement_due
    # The Stage 2 window timer went with the request; only the new task's reminder and escalation wait.
    assert {t.spec_id: t.due_at for t in waiting_timers(wf)} == {
        "Timer_acknowledge_stage2_reminder": start_of(working_days_before(stage2_acknowledgement_due, 2)),
        "Timer_acknowledge_stage2_overdue": end_of_day(date.fromisoformat(stage2_acknowledgement_due)),
    }
    view = only_ready(wf)
    assert (view.spec_id, view.lane, view.properties["deadline"]) == (
        "Task_acknowledge_stage2", "Customer relations", "stage2_acknowledgement")

    effects = complete(wf, "Task_acknowledge_stage2", ACKNOWLEDGE_STAGE2,
                       StepEffects(known_deadlines=effects.deadlines))
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


# --- Reminders and escalations -------------------------------------------------------------------


def test_every_deadline_task_has_a_reminder_and_an_escalation(specs, xml_bytes):
    spec, _subs = specs
    dmn = (PROCESSES / "task_routing.dmn").read_text()
    for task_id, (short, step, manager_lane) in DEADLINE_TASKS.items():
        task = spec.task_specs[task_id]
        split = spec.task_specs[f"{task_id}.BoundaryEventSplit"]
        timers = {t.bpmn_id: t for t in split.outputs if t is not task}
        assert set(timers) == {f"Timer_{short}_reminder", f"Timer_{short}_overdue"}
        reminder, overdue = timers[f"Timer_{short}_reminder"], timers[f"Timer_{short}_overdue"]
        assert not reminder.cancel_activity and not overdue.cancel_activity  # the task stays open
        due = task.extensions["properties"]["deadline"] + "_due"
        assert step + "_due" == due
        assert reminder.event_definition.expression == f"start_of_day(working_days_before({due}, 2))"
        assert overdue.event_definition.expression == f"end_of_day({due})"
        assert [o.bpmn_id for o in reminder.outputs if o.bpmn_id] == [f"Script_{short}_remind"]
        assert spec.task_specs[f"Script_{short}_remind"].script == f'send_reminder("{step}")'
        assert spec.task_specs[f"Script_{short}_mark_overdue"].script == f'mark_overdue("{step}")'

        escalation = spec.task_specs[f"Task_{short}_overdue"]
        assert escalation.bpmn_name == f"Overdue: {task.bpmn_name}"
        assert escalation.lane == manager_lane
        assert escalation.extensions["properties"] == {"formJsonSchemaFilename": OVERDUE_FORM}
        assert "Ombudsman" in escalation.extensions["instructionsForEndUser"]
        assert escalation.documentation
        route = decide(("test", dmn), lambda: dmn, "task_routing", {"lane": manager_lane, "service_area": "highways"})
        assert dict(route) == ({"role": "complaints_manager", "team": "customer_relations"}
                               if manager_lane == "Customer relations manager"
                               else {"role": "senior_manager", "team": "highways"})


def test_overdue_form_needs_what_was_done_and_the_complainant_told():
    schema = form_schema(OVERDUE_FORM)
    Draft202012Validator.check_schema(schema)
    Draft202012Validator(schema).validate(OVERDUE_HANDLED)
    Draft202012Validator(schema).validate({k: v for k, v in OVERDUE_HANDLED.items() if k != "new_target_date"})
    for bad in ({**OVERDUE_HANDLED, "complainant_told_new_date": False},
                {k: v for k, v in OVERDUE_HANDLED.items() if k != "action_taken"},
                {k: v for k, v in OVERDUE_HANDLED.items() if k != "complainant_told_new_date"},
                {**OVERDUE_HANDLED, "extra": 1}):
        with pytest.raises(ValidationError):
            Draft202012Validator(schema).validate(bad)


def test_reminder_two_working_days_before_the_acknowledgement_is_due(specs):
    wf = start(specs)
    # Due 30 December; two working days before is Christmas Eve (25 and 26 Dec, 27-28 the weekend).
    assert working_days_before("2025-12-30", 2) == "2025-12-24"
    reminder_at = start_of("2025-12-24")
    assert reminder_at == datetime(2025, 12, 24, tzinfo=timezone.utc)  # GMT in winter
    assert {t.spec_id: t.due_at for t in waiting_timers(wf)} == {
        "Timer_acknowledge_reminder": reminder_at,
        "Timer_acknowledge_overdue": end_of_day(date(2025, 12, 30)),
    }

    # SpiffWorkflow fires a timeDate timer only once the clock is strictly past it.
    effects = run_timers_at(wf, reminder_at)
    assert effects.reminders == [] and len(waiting_timers(wf)) == 2

    effects = run_timers_at(wf, reminder_at + timedelta(seconds=1))
    assert effects.reminders == ["acknowledgement"]
    assert effects.overdue == set()
    assert only_ready(wf).spec_id == "Task_acknowledge"  # the reminder does not interrupt the task
    fired = timer_task(wf, "Timer_acknowledge_reminder")
    assert fired.state == TaskState.COMPLETED and timer_fired(wf, str(fired.id))
    assert "End_acknowledge_reminded" in ends_reached(wf)
    assert [t.spec_id for t in waiting_timers(wf)] == ["Timer_acknowledge_overdue"]

    # A non-interrupting timeDate timer fires once: it is not re-armed.
    spec, subs = specs
    wf = load_state(dump_state(wf), spec, subs)
    effects = run_timers_at(wf, reminder_at + timedelta(hours=12))
    assert effects.reminders == []


@pytest.mark.parametrize("first", ["Task_acknowledge_overdue", "Task_acknowledge"])
def test_missed_acknowledgement_is_escalated_and_the_case_goes_on(specs, first):
    known = StepEffects()
    wf = start(specs, known)
    overdue_at = end_of_day(date(2025, 12, 30))  # once 30 December has passed
    effects = run_timers_at(wf, overdue_at)  # the last moment of the due date: not yet overdue
    assert effects.overdue == set()
    assert effects.reminders == ["acknowledgement"]  # a late timer run catches up with the reminder

    effects = run_timers_at(wf, overdue_at + timedelta(seconds=1))
    assert effects.overdue == {"acknowledgement"}
    assert waiting_timers(wf) == []
    ready = {v.spec_id: v for v in ready_user_tasks(wf)}
    assert set(ready) == {"Task_acknowledge", "Task_acknowledge_overdue"}
    escalation = ready["Task_acknowledge_overdue"]
    assert (escalation.title, escalation.lane) == ("Overdue: Acknowledge complaint", "Customer relations manager")
    assert "deadline" not in escalation.properties
    assert ready["Task_acknowledge"].lane == "Customer relations"
    assert timer_fired(wf, str(timer_task(wf, "Timer_acknowledge_overdue").id))

    spec, subs = specs
    wf = load_state(dump_state(wf), spec, subs)
    late = {**ACKNOWLEDGE, "acknowledged_on": "2026-01-02"}
    if first == "Task_acknowledge_overdue":
        complete_named(wf, "Task_acknowledge_overdue", OVERDUE_HANDLED, "2025-12-31")
        assert only_ready(wf).spec_id == "Task_acknowledge"
        effects = complete_named(wf, "Task_acknowledge", late, "2026-01-02",
                                 StepEffects(known_deadlines=known.deadlines))
        assert only_ready(wf).spec_id == "Task_stage1_response"
    else:
        effects = complete_named(wf, "Task_acknowledge", late, "2026-01-02",
                                 StepEffects(known_deadlines=known.deadlines))
        assert {v.spec_id for v in ready_user_tasks(wf)} == {"Task_stage1_response", "Task_acknowledge_overdue"}
        complete_named(wf, "Task_acknowledge_overdue", OVERDUE_HANDLED, "2026-01-02")
        assert only_ready(wf).spec_id == "Task_stage1_response"
    assert effects.deadlines["acknowledgement"].completed_on == date(2026, 1, 2)
    stage1_due = effects.deadlines["stage1_response"].due_on.isoformat()
    assert stage1_due == iso("2026-01-02", 10)
    assert "End_acknowledge_overdue_handled" in ends_reached(wf)
    assert {t.spec_id: t.due_at for t in waiting_timers(wf)} == {
        "Timer_stage1_response_reminder": start_of(working_days_before(stage1_due, 2)),
        "Timer_stage1_response_overdue": end_of_day(date.fromisoformat(stage1_due)),
    }
    # The Stage 1 officer works from the acknowledgement's data, not the escalation's.
    [stage1] = [t for t in wf.get_tasks(state=TaskState.READY) if t.task_spec.bpmn_id == "Task_stage1_response"]
    assert stage1.data["acknowledged_on"] == "2026-01-02"
    assert "action_taken" not in stage1.data


def test_stage1_extension_rearms_the_reminder_and_the_escalation(specs):
    known = StepEffects()
    wf = start(specs, known)
    known = complete(wf, "Task_acknowledge", ACKNOWLEDGE, known)
    assert known.deadlines["stage1_response"].due_on == date(2026, 1, 8)
    assert {t.spec_id: t.due_at for t in waiting_timers(wf)} == {
        "Timer_stage1_response_reminder": start_of("2026-01-06"),
        "Timer_stage1_response_overdue": end_of_day(date(2026, 1, 8)),
    }
    # The officer gets the reminder on 6 January and extends on the 7th.
    assert run_timers_at(wf, start_of("2026-01-06") + timedelta(hours=8)).reminders == ["stage1_response"]
    first_reminder = timer_task(wf, "Timer_stage1_response_reminder")
    first_overdue = timer_task(wf, "Timer_stage1_response_overdue")
    known = complete(wf, "Task_stage1_response", STAGE1_EXTEND, StepEffects(known_deadlines=known.deadlines))
    new_due = known.deadlines["stage1_response"].due_on.isoformat()
    assert new_due == "2026-01-15"

    # The old escalation went with the completed task (CANCELLED, not fired); new timers wait on the new date.
    assert first_reminder.state == TaskState.COMPLETED
    assert first_overdue.state == TaskState.CANCELLED and not timer_fired(wf, str(first_overdue.id))
    timers = {t.spec_id: t for t in waiting_timers(wf)}
    assert {k: t.due_at for k, t in timers.items()} == {
        "Timer_stage1_response_reminder": start_of(working_days_before(new_due, 2)),  # 13 January
        "Timer_stage1_response_overdue": end_of_day(date(2026, 1, 15)),
    }
    assert start_of(working_days_before(new_due, 2)) == datetime(2026, 1, 13, tzinfo=timezone.utc)
    assert timers["Timer_stage1_response_overdue"].task_id != str(first_overdue.id)

    # Nothing fires on the old due date any more; the new reminder fires on the new schedule.
    effects = run_timers_at(wf, end_of_day(date(2026, 1, 8)) + timedelta(hours=9))
    assert (effects.reminders, effects.overdue) == ([], set())
    assert run_timers_at(wf, start_of("2026-01-13") + timedelta(hours=8)).reminders == ["stage1_response"]
    assert only_ready(wf).spec_id == "Task_stage1_response"

    respond = {**STAGE1_RESPOND, "responded_on": "2026-01-14"}
    known = complete(wf, "Task_stage1_response", respond, StepEffects(known_deadlines=known.deadlines))
    assert known.deadlines["stage1_response"].completed_on == date(2026, 1, 14)
    assert [t.spec_id for t in waiting_timers(wf)] == ["Timer_stage2_window"]
    assert timer_task(wf, "Timer_stage1_response_overdue").state == TaskState.CANCELLED
