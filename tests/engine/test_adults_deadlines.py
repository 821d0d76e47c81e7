"""Every adults' deadline in the diagram, across Christmas and Easter; the six months of reg 14(2); the 12 months of reg 12.

Local Authority Social Services and NHS Complaints (England) Regulations 2009. Each script of the diagram
is run on its own, so the test checks the diagram's own numbers and conditions, not a copy of them.
"""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from engine.calendar import add_working_days
from engine.diagram_api import DeadlineChange, DeadlineRuleError, StepEffects, collecting
from engine.spiff import build_specs
from engine.spiff.scripting import RestrictedEnvironment

DIAGRAM = Path(__file__).resolve().parents[2] / "processes" / "adults_statutory_complaint.bpmn"
SPEC, _ = build_specs(DIAGRAM.read_bytes(), DIAGRAM.name, {}, "adults_statutory_complaint")
HOLIDAY_STARTS = {
    "christmas": (date(2026, 12, 22), "Christmas Day"),
    "easter": (date(2027, 3, 24), "Good Friday"),
}


def script(task_id: str) -> str:
    return SPEC.task_specs[task_id].script


def run(task_id: str, data: dict, deadlines: tuple[str, ...] = ()) -> tuple[StepEffects, dict]:
    """Run one script of the diagram on `data`; return its effects and the task data after it."""
    known = {step: DeadlineChange(step, date(2027, 1, 1), "", date(2026, 12, 1), 1) for step in deadlines}
    effects = StepEffects(known_deadlines=known)
    context = dict(data)
    with collecting(effects):
        RestrictedEnvironment().execute(script(task_id), context)
    return effects, context


def open_case(received: date, channel: str = "letter"):
    return run("Script_open_case", {"received_on": received.isoformat(), "channel": channel})


def start_plan(received: date, acknowledged: date):
    return run("Script_start_plan", {"received_on": received.isoformat(), "acknowledged_on": acknowledged.isoformat()})


def record_plan(received: date, plan_on: date, working_days: int, basis: str = "agreed", **extra):
    _effects, data = start_plan(received, plan_on)
    return run("Script_record_plan", {
        "received_on": received.isoformat(), "acknowledged_on": plan_on.isoformat(),
        "six_month_last_day": data["six_month_last_day"], "plan_agreed_on": plan_on.isoformat(),
        "plan_basis": basis, "response_working_days": working_days, "joint_with_nhs": "no", **extra,
    }, deadlines=("complaint_plan",))


def eligibility(received: date, occurred: date, **extra):
    data = {"received_on": received.isoformat(), "matter_occurred_on": occurred.isoformat(), "aware_on": "",
            "late_decision": "", "late_reason": "", "complainant_role": "person", "representative_decision": "",
            "representative_basis": "", "person_name": "", "acknowledged_on": received.isoformat(), **extra}
    return run("Script_record_eligibility", data, deadlines=("acknowledgement",))


# --- Working-day deadlines -------------------------------------------------------------------------


@pytest.mark.parametrize("holiday", sorted(HOLIDAY_STARTS))
def test_acknowledgement_is_due_3_working_days_after_receipt(holiday):
    start, name = HOLIDAY_STARTS[holiday]
    effects, data = open_case(start)
    deadline = effects.deadlines["acknowledgement"]
    assert deadline.due_on == add_working_days(start, 3) and deadline.working_days == 3
    assert "reg 13(2)" in deadline.basis and name in deadline.basis
    assert data["acknowledgement_due"] == deadline.due_on.isoformat()
    assert effects.stage == "intake"


def test_acknowledgement_across_christmas_and_easter_on_the_calendar():
    assert open_case(date(2026, 12, 22))[0].deadlines["acknowledgement"].due_on == date(2026, 12, 29)
    assert open_case(date(2027, 3, 24))[0].deadlines["acknowledgement"].due_on == date(2027, 3, 31)


@pytest.mark.parametrize("holiday", sorted(HOLIDAY_STARTS))
def test_complaint_plan_is_due_10_working_days_after_the_acknowledgement_by_policy(holiday):
    start, name = HOLIDAY_STARTS[holiday]
    effects, _data = start_plan(date(2026, 12, 1), start)
    deadline = effects.deadlines["complaint_plan"]
    assert deadline.due_on == add_working_days(start, 10) and deadline.working_days == 10
    assert "policy" in deadline.basis and "from acknowledgement" in deadline.basis and name in deadline.basis
    assert effects.stage == "response"


@pytest.mark.parametrize("holiday", sorted(HOLIDAY_STARTS))
@pytest.mark.parametrize("working_days", [5, 20, 40])
def test_response_is_due_the_agreed_number_of_working_days_after_the_plan(holiday, working_days):
    start, name = HOLIDAY_STARTS[holiday]
    effects, data = record_plan(date(2026, 12, 1), start, working_days)
    deadline = effects.deadlines["response"]
    assert deadline.due_on == add_working_days(start, working_days)
    assert "agreed with the complainant" in deadline.basis and "reg 13(7)" in deadline.basis
    assert name in deadline.basis and "the complaint plan" in deadline.basis
    assert effects.deadlines["complaint_plan"].completed_on == start
    assert data["response_due"] == deadline.due_on.isoformat()


def test_a_response_period_set_by_the_council_says_so():
    effects, _ = record_plan(date(2027, 1, 15), date(2027, 1, 25), 20, "set_by_council", complainant_told_in_writing=True)
    assert "set by the council" in effects.deadlines["response"].basis
    assert "reg 13(8)" in effects.deadlines["response"].basis


def test_the_response_can_be_extended_by_at_most_65_working_days_in_all():
    known = {"response": DeadlineChange("response", add_working_days(date(2027, 1, 25), 20), "", date(2027, 1, 25), 20)}
    effects = StepEffects(known_deadlines=known)
    data = {"extension_working_days": 65, "extension_reason": "The provider's records arrive in May"}
    with collecting(effects):
        RestrictedEnvironment().execute(script("Script_extend_response"), data)
    assert effects.deadlines["response"].due_on == add_working_days(date(2027, 1, 25), 85)
    effects = StepEffects(known_deadlines=dict(effects.deadlines))
    with collecting(effects), pytest.raises(DeadlineRuleError, match="at most 65"):
        RestrictedEnvironment().execute(script("Script_extend_response"), {**data, "extension_working_days": 1})


# --- Six months (reg 14(2)): calendar months, not working days --------------------------------------


@pytest.mark.parametrize("received, last_day", [
    (date(2027, 1, 15), date(2027, 7, 14)),  # six months beginning on 15 January end on 14 July
    (date(2026, 12, 22), date(2027, 6, 21)),
    (date(2026, 8, 31), date(2027, 2, 28)),  # no 31 February: the end of the month
    (date(2027, 8, 31), date(2028, 2, 29)),  # leap year
    (date(2027, 3, 1), date(2027, 8, 31)),
])
def test_six_months_beginning_on_receipt_end_on_the_day_before_the_corresponding_date(received, last_day):
    _effects, data = start_plan(received, received)
    assert data["six_month_last_day"] == last_day.isoformat()


def test_the_explanation_falls_due_after_six_months_unless_a_longer_period_was_agreed():
    received = date(2027, 1, 15)
    effects, data = record_plan(received, date(2027, 1, 25), 20)
    assert data["explanation_after"] == "2027-07-14" and effects.notes == []
    # 130 working days from 25 January 2027 ends after 14 July: agreed in the plan, before the six months ended.
    effects, data = record_plan(received, date(2027, 1, 25), 130)
    assert data["explanation_after"] == data["response_due"] > "2027-07-14"
    assert effects.notes[0][0] == "longer_period_agreed" and "reg 14(2)" in effects.notes[0][1]
    # A period the council set without the complainant's agreement does not move the six months.
    _effects, data = record_plan(received, date(2027, 1, 25), 130, "set_by_council", complainant_told_in_writing=True)
    assert data["explanation_after"] == "2027-07-14"


def test_a_longer_period_agreed_later_moves_the_six_months_only_if_agreed_before_they_end():
    context = {"explanation_after": "2027-07-14",
               "period_change": {"response_due": "2027-09-01", "agreed_on": "2027-07-14"}}
    effects = StepEffects()
    with collecting(effects):
        RestrictedEnvironment().execute(script("Script_move_six_months"), context)
    assert context["explanation_after"] == "2027-09-01" and effects.notes[0][0] == "longer_period_agreed"
    late = {"explanation_after": "2027-07-14", "period_change": {"response_due": "2027-09-01", "agreed_on": "2027-07-15"}}
    with collecting(StepEffects()):
        RestrictedEnvironment().execute(script("Script_move_six_months"), late)
    assert late["explanation_after"] == "2027-07-14"


def test_the_six_month_timer_waits_for_the_end_of_the_last_day():
    timer = SPEC.task_specs["Timer_six_months"]
    assert timer.event_definition.expression == "end_of_day(explanation_after)"
    assert timer.cancel_activity


# --- Twelve months (reg 12) ---------------------------------------------------------------------------


def test_a_complaint_made_on_the_anniversary_is_in_time():
    effects, data = eligibility(date(2027, 3, 24), date(2026, 3, 24))
    assert (data["late"], data["accepted"]) == (False, True) and effects.notes == []
    assert effects.deadlines["acknowledgement"].completed_on == date(2027, 3, 24)


def test_a_day_more_is_late_and_the_council_must_record_a_decision():
    with pytest.raises(DeadlineRuleError) as raised:
        eligibility(date(2027, 3, 24), date(2026, 3, 23))
    assert raised.value.field_name == "late_decision" and "12 months" in str(raised.value)
    _effects, data = eligibility(date(2027, 3, 24), date(2026, 3, 23), late_decision="refused", late_reason="Records destroyed")
    assert (data["late"], data["accepted"]) == (True, False)
    reason = "She was in hospital for most of the year; the staff involved are still employed."
    effects, data = eligibility(date(2027, 3, 24), date(2026, 3, 23), late_decision="accepted", late_reason=reason)
    assert data["accepted"] and effects.notes == [("late_complaint_accepted", reason)]


def test_the_twelve_months_run_from_becoming_aware_if_later():
    _effects, data = eligibility(date(2027, 3, 24), date(2025, 6, 1), aware_on="2026-05-01")
    assert (data["late"], data["accepted"]) == (False, True)
    # An awareness date before the event does not shorten the time.
    with pytest.raises(DeadlineRuleError):
        eligibility(date(2027, 3, 24), date(2026, 3, 1), aware_on="2026-01-01")


def test_a_matter_on_29_february_is_in_time_on_28_february_next_year():
    _effects, data = eligibility(date(2029, 2, 28), date(2028, 2, 29))
    assert data["late"] is False
    with pytest.raises(DeadlineRuleError):
        eligibility(date(2029, 3, 1), date(2028, 2, 29))


# --- Next working day (reg 8(1)(b)) -------------------------------------------------------------------


@pytest.mark.parametrize("received, resolved, outside", [
    ("2027-03-24", "2027-03-25", True),   # Wednesday, resolved Thursday
    ("2027-03-25", "2027-03-30", True),   # Thursday before Easter: Good Friday and Easter Monday are not working days
    ("2027-03-25", "2027-03-31", False),
    ("2026-12-24", "2026-12-29", True),   # Christmas Eve: Christmas Day, Boxing Day and the substitute day skipped
    ("2027-01-09", "2027-01-11", True),   # made on a Saturday: the next working day is Monday
    ("2027-01-09", "2027-01-12", False),
])
def test_an_oral_complaint_is_outside_the_procedure_only_if_resolved_by_the_next_working_day(received, resolved, outside):
    data = {"received_on": received, "resolution": "resolved", "resolved_on": resolved}
    effects, data = run("Script_record_oral", data)
    assert data["resolved_outside"] is outside
    assert [e for e, _ in effects.notes] == ([] if outside else ["handled_under_procedure"])
