"""Run processes/adults_statutory_complaint.bpmn straight through with the engine's SpiffWorkflow helpers.

The diagram's shape (lanes, forms, deadlines, reminders and escalations, layout) and its paths run with a
save and restore at every wait: the response in time, the six-month explanation letter, a longer period
agreed before the six months end, and the early closures (oral next-day resolution, not accepted).
"""
from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator
from lxml import etree
from SpiffWorkflow.util.task import TaskState

from engine import clock
from engine.calendar import add_working_days, end_of_day
from engine.diagram_api import StepEffects, collecting
from engine.spiff import (
    build_specs, check_files, complete_user_task, decide, dump_state, find_ready_user_task, load_state,
    ready_user_tasks, start_workflow, waiting_timers,
)
from engine.spiff.running import advance

PROCESSES = Path(__file__).resolve().parents[2] / "processes"
BPMN = PROCESSES / "adults_statutory_complaint.bpmn"
PROCESS_ID = "adults_statutory_complaint"
CASE = {"case_reference": "CMP-2027-000007", "received_on": "2027-01-15", "service_area": "adult_social_care",
        "summary": "Home care visits cut without a review", "details": "", "complainant_name": "A",
        "kind": "complaint", "channel": "letter"}
FORMS = {
    "Task_oral_resolution": "forms/adults/oral_resolution.json",
    "Task_check_eligibility": "forms/adults/eligibility.json",
    "Task_complaint_plan": "forms/adults/complaint_plan.json",
    "Task_investigate": "forms/adults/investigation.json",
    "Task_sign_response": "forms/adults/response.json",
    "Task_explanation_letter": "forms/adults/explanation_letter.json",
}
LANES = {
    "Task_oral_resolution": "Complaints manager", "Task_check_eligibility": "Complaints manager",
    "Task_complaint_plan": "Complaints manager", "Task_explanation_letter": "Complaints manager",
    "Task_investigate": "Service", "Task_sign_response": "Senior manager",
}
# deadline task -> (short id, deadline step, lane of its escalation)
DEADLINE_TASKS = {
    "Task_oral_resolution": ("oral_resolution", "acknowledgement", "Complaints manager"),
    "Task_check_eligibility": ("check_eligibility", "acknowledgement", "Complaints manager"),
    "Task_complaint_plan": ("complaint_plan", "complaint_plan", "Complaints manager"),
    "Task_investigate": ("investigate", "response", "Service manager"),
    "Task_sign_response": ("sign_response", "response", "Complaints manager"),
}
OVERDUE_FORM = "forms/adults/overdue.json"
ELIGIBILITY = {"complainant_role": "person", "matter_occurred_on": "2026-12-01", "discussion_offered": True,
               "acknowledged_on": "2027-01-18"}
PLAN = {"plan_basis": "agreed", "points_of_complaint": "1. Visits cut.", "how_handled": "Team manager",
        "response_working_days": 20, "plan_agreed_on": "2027-01-25", "joint_with_nhs": "no"}
REPORT = {"decision": "report", "findings": "Cut before review.", "investigation_completed_on": "2027-02-15"}
RESPONSE = {"outcome": "upheld", "conclusions": "c", "actions": "Visits restored.", "ombudsman_signposted": True,
            "signed_by": "Director of Adult Social Care", "responded_on": "2027-02-17"}


def form_schema(relative: str) -> dict:
    return json.loads((PROCESSES / relative).read_text())


def ends_reached(wf) -> list[str]:
    return sorted(t.task_spec.bpmn_id for t in wf.get_tasks(state=TaskState.COMPLETED)
                  if (t.task_spec.bpmn_id or "").startswith("End_"))


@pytest.fixture(scope="module")
def specs():
    return build_specs(BPMN.read_bytes(), BPMN.name, {}, PROCESS_ID)


class Case:
    """One workflow as the engine drives it, saved and restored after every step."""

    def __init__(self, specs, case=None):
        self.specs, self.deadlines = specs, {}
        self.effects = StepEffects()
        data = dict(case or CASE)
        with self.on(data["received_on"]), collecting(self.effects):
            self.wf = start_workflow(*specs, data)
        self._after()

    @staticmethod
    def on(day: str):
        return clock.frozen_at(datetime.combine(date.fromisoformat(day), time(12), tzinfo=timezone.utc))

    def _after(self):
        self.deadlines.update(self.effects.deadlines)
        self.wf = load_state(dump_state(self.wf), *self.specs)

    def ready(self) -> dict:
        return {v.spec_id: v for v in ready_user_tasks(self.wf)}

    def complete(self, spec_id, data, day) -> StepEffects:
        view = self.ready()[spec_id]
        Draft202012Validator(form_schema(view.properties["formJsonSchemaFilename"])).validate(data)
        self.effects = StepEffects(known_deadlines=dict(self.deadlines))
        with self.on(day), collecting(self.effects):
            complete_user_task(self.wf, find_ready_user_task(self.wf, view.id), dict(data))
        self._after()
        return self.effects

    def timers_at(self, instant) -> StepEffects:
        self.effects = StepEffects(known_deadlines=dict(self.deadlines))
        with clock.frozen_at(instant), collecting(self.effects):
            advance(self.wf)
        self._after()
        return self.effects

    def timers(self) -> dict:
        return {t.spec_id: t.due_at for t in waiting_timers(self.wf)}


# --- The diagram, its forms and its layout ----------------------------------------------------------


def test_diagram_passes_the_engine_checks_and_every_form_is_strict():
    report = check_files({BPMN.name: BPMN.read_bytes()}, {})
    assert report.errors == [] and report.warnings == []
    assert report.forms[BPMN.name] == set(FORMS.values()) | {OVERDUE_FORM}
    for relative in report.forms[BPMN.name]:
        Draft202012Validator.check_schema(form_schema(relative))
        assert form_schema(relative)["additionalProperties"] is False
    assert form_schema(OVERDUE_FORM) == form_schema("forms/corporate/overdue.json")


def test_user_tasks_carry_lane_form_and_guidance_and_every_lane_is_routed(specs):
    spec, _ = specs
    dmn = (PROCESSES / "task_routing.dmn").read_text()
    for task_id, lane in LANES.items():
        task = spec.task_specs[task_id]
        assert task.lane == lane, task_id
        assert task.extensions["properties"]["formJsonSchemaFilename"] == FORMS[task_id]
        assert task.documentation and task.extensions["instructionsForEndUser"].startswith("## ")
        assert "reg " in task.extensions["instructionsForEndUser"], task_id
    for lane in {t.lane for t in spec.task_specs.values() if getattr(t, "lane", None)}:
        route = decide(("test", dmn), lambda: dmn, "task_routing", {"lane": lane, "service_area": "adult_social_care"})
        assert route and route["role"], lane


def test_every_deadline_task_has_a_reminder_and_an_escalation(specs):
    spec, _ = specs
    for task_id, (short, step, escalation_lane) in DEADLINE_TASKS.items():
        task = spec.task_specs[task_id]
        assert task.extensions["properties"]["deadline"] == step
        reminder, overdue = spec.task_specs[f"Timer_{short}_reminder"], spec.task_specs[f"Timer_{short}_overdue"]
        assert reminder.event_definition.expression == f"start_of_day(working_days_before({step}_due, 2))"
        assert overdue.event_definition.expression == f"end_of_day({step}_due)"
        assert not reminder.cancel_activity and not overdue.cancel_activity
        assert spec.task_specs[f"Script_{short}_remind"].script == f'send_reminder("{step}")'
        assert spec.task_specs[f"Script_{short}_mark_overdue"].script == f'mark_overdue("{step}")'
        escalation = spec.task_specs[f"Task_{short}_overdue"]
        assert escalation.bpmn_name == f"Overdue: {task.bpmn_name}" and escalation.lane == escalation_lane
        assert escalation.extensions["properties"] == {"formJsonSchemaFilename": OVERDUE_FORM}
        assert "Ombudsman" in escalation.extensions["instructionsForEndUser"]


def test_every_shape_and_edge_is_drawn_without_overlaps():
    root = etree.parse(str(BPMN)).getroot()
    ns = {"bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL", "bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI",
          "dc": "http://www.omg.org/spec/DD/20100524/DC"}
    process = root.find("bpmn:process", ns)
    elements = {e.get("id"): etree.QName(e).localname for e in process if e.get("id")
                and etree.QName(e).localname not in ("laneSet", "documentation")}
    shapes = {s.get("bpmnElement"): s.find("dc:Bounds", ns) for s in root.iter(f"{{{ns['bpmndi']}}}BPMNShape")}
    edges = {e.get("bpmnElement") for e in root.iter(f"{{{ns['bpmndi']}}}BPMNEdge")}
    for element_id, kind in elements.items():
        assert element_id in (edges if kind == "sequenceFlow" else shapes), element_id
    boxes = {i: tuple(float(b.get(k)) for k in ("x", "y", "width", "height"))
             for i, b in shapes.items() if elements.get(i) not in (None, "sequenceFlow")}
    hosts = {b.get("id"): b.get("attachedToRef") for b in process.findall("bpmn:boundaryEvent", ns)}
    ids = sorted(boxes)
    for i, a in enumerate(ids):
        for b in ids[i + 1:]:
            if hosts.get(a) == b or hosts.get(b) == a:
                continue
            (ax, ay, aw, ah), (bx, by, bw, bh) = boxes[a], boxes[b]
            assert not (ax < bx + bw and bx < ax + aw and ay < by + bh and by < ay + ah), (a, b)


# --- Paths, with a save and restore at every wait ---------------------------------------------------


def test_a_response_in_time_closes_the_case_and_stops_the_six_month_watch(specs):
    case = Case(specs)
    assert case.effects.stage == "intake" and list(case.ready()) == ["Task_check_eligibility"]
    effects = case.complete("Task_check_eligibility", ELIGIBILITY, "2027-01-18")
    assert effects.stage == "response"
    assert effects.deadlines["complaint_plan"].due_on == add_working_days(date(2027, 1, 18), 10)
    effects = case.complete("Task_complaint_plan", PLAN, "2027-01-25")
    assert effects.deadlines["response"].due_on == add_working_days(date(2027, 1, 25), 20) == date(2027, 2, 22)
    assert set(case.timers()) == {"Timer_six_months", "Timer_investigate_reminder", "Timer_investigate_overdue"}
    assert case.timers()["Timer_six_months"] == end_of_day(date(2027, 7, 14))
    case.complete("Task_investigate", REPORT, "2027-02-15")
    assert list(case.ready()) == ["Task_sign_response"]
    effects = case.complete("Task_sign_response", RESPONSE, "2027-02-17")
    assert (effects.stage, effects.outcome) == ("closed", "upheld")
    assert effects.deadlines["response"].completed_on == date(2027, 2, 17)
    assert case.wf.is_completed() and case.timers() == {}
    assert ends_reached(case.wf) == ["End_closed", "End_response_sent"]


def test_six_months_without_a_response_raise_the_explanation_letter(specs):
    case = Case(specs)
    case.complete("Task_check_eligibility", ELIGIBILITY, "2027-01-18")
    case.complete("Task_complaint_plan", PLAN, "2027-01-25")
    last_moment = end_of_day(date(2027, 7, 14))
    assert "Task_explanation_letter" not in case.ready()
    case.timers_at(last_moment)
    assert "Task_explanation_letter" not in case.ready()
    effects = case.timers_at(last_moment + timedelta(seconds=1))
    assert [e for e, _ in effects.notes] == ["no_response_in_six_months"]
    view = case.ready()["Task_explanation_letter"]
    assert view.lane == "Complaints manager" and "deadline" not in view.properties
    letter = {"letter_sent_on": "2027-07-15", "delay_reasons": "Records awaited", "ombudsman_signposted": True}
    effects = case.complete("Task_explanation_letter", letter, "2027-07-15")
    assert effects.notes == [("explanation_letter_sent", "Letter sent on 2027-07-15: Records awaited")]
    case.complete("Task_investigate_overdue", {"action_taken": "x", "complainant_told_new_date": True}, "2027-07-16")
    case.complete("Task_investigate", {**REPORT, "investigation_completed_on": "2027-07-20"}, "2027-07-20")
    case.complete("Task_sign_response_overdue", {"action_taken": "x", "complainant_told_new_date": True}, "2027-07-21")
    case.complete("Task_sign_response", {**RESPONSE, "responded_on": "2027-07-21"}, "2027-07-21")
    assert case.wf.is_completed()
    assert ends_reached(case.wf) == [
        "End_closed", "End_explained", "End_investigate_overdue_handled", "End_investigate_reminded",
        "End_sign_response_overdue_handled", "End_sign_response_reminded"]


def test_a_longer_period_agreed_before_the_six_months_end_moves_the_letter(specs):
    case = Case(specs)
    case.complete("Task_check_eligibility", ELIGIBILITY, "2027-01-18")
    case.complete("Task_complaint_plan", {**PLAN, "response_working_days": 100}, "2027-01-25")
    due = add_working_days(date(2027, 1, 25), 100)
    extend = {"decision": "extend", "extension_working_days": 30, "extension_reason": "Provider records",
              "complainant_agreed": True}
    effects = case.complete("Task_investigate", extend, "2027-06-10")
    new_due = add_working_days(date(2027, 1, 25), 130)
    assert effects.deadlines["response"].due_on == new_due > date(2027, 7, 14) > due
    assert [e for e, _ in effects.notes] == ["longer_period_agreed"]
    assert case.timers()["Timer_six_months"] == end_of_day(new_due)
    case.timers_at(end_of_day(date(2027, 7, 14)) + timedelta(hours=1))
    assert "Task_explanation_letter" not in case.ready()


def test_an_oral_complaint_resolved_next_day_closes_outside_the_procedure(specs):
    case = Case(specs, {**CASE, "channel": "phone"})
    assert list(case.ready()) == ["Task_oral_resolution"]
    resolved = {"resolution": "resolved", "resolved_on": "2027-01-18", "how_resolved": "Visit rearranged",
                "complainant_satisfied": True}
    effects = case.complete("Task_oral_resolution", resolved, "2027-01-18")  # received Friday, resolved Monday
    assert (effects.stage, effects.outcome) == ("closed", "resolved_outside_procedure")
    assert effects.deadlines["acknowledgement"].completed_on == date(2027, 1, 18)
    assert case.wf.is_completed() and ends_reached(case.wf) == ["End_resolved"]


def test_an_oral_complaint_not_resolved_goes_to_eligibility(specs):
    case = Case(specs, {**CASE, "channel": "in_person"})
    effects = case.complete("Task_oral_resolution", {"resolution": "not_resolved"}, "2027-01-18")
    assert effects.notes == [] and list(case.ready()) == ["Task_check_eligibility"]


def test_a_refused_representative_closes_as_not_accepted(specs):
    case = Case(specs)
    data = {**ELIGIBILITY, "complainant_role": "representative", "person_name": "Mary",
            "representative_basis": "lacks_capacity", "representative_decision": "refused",
            "representative_reason": "Not in her best interests"}
    effects = case.complete("Task_check_eligibility", data, "2027-01-18")
    assert (effects.stage, effects.outcome) == ("closed", "not_accepted")
    assert "reg 5" in effects.notes[0][1]
    assert ends_reached(case.wf) == ["End_not_accepted"]
