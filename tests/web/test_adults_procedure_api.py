"""The adults' statutory procedure over HTTP, with a real user in every role (SQLite and PostgreSQL).

Local Authority Social Services and NHS Complaints (England) Regulations 2009: one stage. An oral complaint
resolved by the next working day is outside the procedure (reg 8); who may complain (reg 5) and the 12-month
limit (reg 12) are checked and the complaint acknowledged within 3 working days (reg 13(2)); a complaint plan
records the response period (reg 13(7)-(8)); a signed response (reg 14(1)); and, with no response within six
months of receipt, a letter explaining why (reg 14(2)).
"""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from engine.calendar import add_working_days
from engine.timers import fire_due_timers
from tests.factories import intake, make_user
from tests.web.test_api import Caller, by_step, task_named

RECEIVED = date(2027, 3, 24)  # the Wednesday before Easter 2027


@pytest.fixture
def team(client):
    def caller(username, roles, teams=()):
        return Caller(client, make_user(username=username, roles=list(roles), teams=list(teams)))

    return {
        "manager": caller("complaints.manager", ["complaints_manager"], ["customer_relations"]),
        "social_worker": caller("asc.officer", ["officer"], ["adult_social_care"]),
        "head": caller("head.of.adults", ["senior_manager"], ["adult_social_care"]),
        "highways": caller("highways.officer", ["officer"], ["highways"]),
    }


def complete(caller, name, data, on):
    task = task_named(caller, name, on)
    response = caller.post(f"/api/tasks/{task['id']}/complete", {"data": data}, on=on)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def refused(caller, name, data, on):
    task = task_named(caller, name, on)
    response = caller.post(f"/api/tasks/{task['id']}/complete", {"data": data}, on=on)
    assert response.status_code == 422, response.get_json()
    return response.get_json()["errors"]


def log_adults_complaint(manager, received=RECEIVED, channel="letter"):
    body = intake(received_on=received.isoformat(), service_area="adult_social_care", social_care="adults",
                  channel=channel, summary="My mother's home care visits were cut without an assessment")
    response = manager.post("/api/complaints", body, on=received)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def eligibility(on, occurred="2027-02-01", **extra):
    return {"complainant_role": "person", "matter_occurred_on": occurred, "discussion_offered": True,
            "acknowledged_on": on, **extra}


def plan(on, working_days=20, **extra):
    return {"plan_basis": "agreed", "points_of_complaint": "1. Visits cut. 2. No assessment.",
            "how_handled": "The team manager investigates and phones weekly.", "response_working_days": working_days,
            "plan_agreed_on": on, "joint_with_nhs": "no", **extra}


def findings(on):
    return {"decision": "report", "findings": "Visits were cut before the review was done.",
            "investigation_completed_on": on}


def signed_response(on, outcome="partly_upheld"):
    return {"outcome": outcome, "conclusions": "The visits should not have been cut before a review.",
            "actions": "Visits restored from 3 May; reviews before any change.", "remedy": ["apology", "service_action"],
            "ombudsman_signposted": True, "signed_by": "Director of Adult Social Care", "responded_on": on}


def events(case):
    return [h["event"] for h in case["history"]]


def test_the_adults_procedure_from_receipt_to_the_signed_response(team):
    manager, worker, head = team["manager"], team["social_worker"], team["head"]
    case = log_adults_complaint(manager)
    ref = case["reference"]
    assert (case["procedure"], case["stage"], case["status"]) == ("adults_statutory", "intake", "open")
    ack = by_step(case)["acknowledgement"]
    assert ack["due_on"] == "2027-03-31"  # Good Friday and Easter Monday are not working days
    assert "reg 13(2)" in ack["basis"] and "Good Friday" in ack["basis"] and "Easter Monday" in ack["basis"]
    assert [t["name"] for t in case["open_tasks"]] == ["Check eligibility and acknowledge"]  # a letter: no oral check
    task = task_named(manager, "Check eligibility and acknowledge", date(2027, 3, 25))
    assert (task["role"], task["team"], task["due_on"]) == ("complaints_manager", "customer_relations", "2027-03-31")
    assert team["highways"].get(f"/api/complaints/{ref}", on=date(2027, 3, 25)).status_code == 404

    case = complete(manager, "Check eligibility and acknowledge", eligibility("2027-03-25"), date(2027, 3, 25))
    assert case["stage"] == "response"
    assert by_step(case)["acknowledgement"]["completed_on"] == "2027-03-25"
    complaint_plan = by_step(case)["complaint_plan"]
    assert complaint_plan["due_on"] == add_working_days(date(2027, 3, 25), 10).isoformat() == "2027-04-12"
    assert "policy" in complaint_plan["basis"]

    joint = plan("2027-04-01", joint_with_nhs="yes", nhs_body="Anytown Hospitals NHS Trust", lead_body="council")
    case = complete(manager, "Agree the complaint plan", joint, date(2027, 4, 1))
    response = by_step(case)["response"]
    assert response["due_on"] == add_working_days(date(2027, 4, 1), 20).isoformat() == "2027-04-29"
    assert "agreed with the complainant" in response["basis"]
    assert "joint_complaint" in events(case)
    assert any("Anytown Hospitals NHS Trust" in h["detail"] for h in case["history"])

    task = task_named(worker, "Investigate the complaint", date(2027, 4, 20))
    assert (task["role"], task["team"], task["due_on"]) == ("officer", "adult_social_care", "2027-04-29")
    extend = {"decision": "extend", "extension_working_days": 5, "extension_reason": "The provider's logs arrive late",
              "complainant_agreed": True}
    case = complete(worker, "Investigate the complaint", extend, date(2027, 4, 20))
    assert by_step(case)["response"]["due_on"] == add_working_days(date(2027, 4, 1), 25).isoformat()
    complete(worker, "Investigate the complaint", findings("2027-04-28"), date(2027, 4, 28))

    task = task_named(head, "Sign and send the response", date(2027, 4, 30))
    assert (task["role"], task["team"]) == ("senior_manager", "adult_social_care")
    errors = refused(head, "Sign and send the response", {**signed_response("2027-04-30"), "ombudsman_signposted": False},
                     date(2027, 4, 30))
    assert "ombudsman_signposted" in errors
    case = complete(head, "Sign and send the response", signed_response("2027-04-30"), date(2027, 4, 30))
    assert (case["stage"], case["status"], case["outcome"]) == ("closed", "closed", "partly_upheld")
    assert by_step(case)["response"]["completed_on"] == "2027-04-30"
    assert {d["step"] for d in case["deadlines"]} == {"acknowledgement", "complaint_plan", "response"}
    assert "response_signed" in events(case) and case["open_tasks"] == []
    # One stage only: there is no next stage to ask for.
    assert manager.post(f"/api/complaints/{ref}/escalate", {"reason": "x"}, on=date(2027, 5, 3)).status_code == 409


def test_with_no_response_after_six_months_the_complaints_manager_writes_to_explain(team):
    manager, worker, head = team["manager"], team["social_worker"], team["head"]
    received = date(2027, 1, 15)
    ref = log_adults_complaint(manager, received)["reference"]
    complete(manager, "Check eligibility and acknowledge", eligibility("2027-01-18", occurred="2026-12-01"),
             date(2027, 1, 18))
    complete(manager, "Agree the complaint plan", plan("2027-01-25"), date(2027, 1, 25))

    # The six months beginning on 15 January end on 14 July (end of the day, British Summer Time).
    fire_due_timers(datetime(2027, 7, 14, 23, 0, tzinfo=timezone.utc))  # still 14 July
    assert all(t["name"] != "Write to explain the delay"
               for t in manager.get("/api/tasks", on=date(2027, 7, 14)).get_json()["items"])
    fire_due_timers(datetime(2027, 7, 14, 23, 0, 1, tzinfo=timezone.utc))
    task = task_named(manager, "Write to explain the delay", date(2027, 7, 15))
    assert (task["role"], task["team"]) == ("complaints_manager", "customer_relations")
    case = manager.get(f"/api/complaints/{ref}", on=date(2027, 7, 15)).get_json()
    assert "no_response_in_six_months" in events(case)
    assert by_step(case)["response"]["overdue"] is True  # the response deadline escalated long before
    assert task_named(head, "Overdue: Investigate the complaint", date(2027, 7, 15))

    letter = {"letter_sent_on": "2027-07-15", "delay_reasons": "The care provider has not sent its records.",
              "expected_response_on": "2027-08-06", "ombudsman_signposted": True}
    case = complete(manager, "Write to explain the delay", letter, date(2027, 7, 15))
    assert "explanation_letter_sent" in events(case) and case["status"] == "open"
    complete(worker, "Investigate the complaint", findings("2027-08-02"), date(2027, 8, 2))
    # The signing task opens after the due date, so its own escalation opens at once.
    assert task_named(manager, "Overdue: Sign and send the response", date(2027, 8, 2))
    complete(head, "Sign and send the response", signed_response("2027-08-05", "upheld"), date(2027, 8, 5))
    handled = {"action_taken": "Records chased weekly; complainant phoned.", "complainant_told_new_date": True}
    case = complete(head, "Overdue: Investigate the complaint", handled, date(2027, 8, 5))
    assert (case["stage"], case["status"]) == ("closed", "open")  # until every escalation is dealt with
    complete(manager, "Overdue: Sign and send the response", handled, date(2027, 8, 5))
    case = manager.get(f"/api/complaints/{ref}", on=date(2027, 8, 5)).get_json()
    assert (case["stage"], case["status"], case["outcome"]) == ("closed", "closed", "upheld")


def test_a_response_in_time_leaves_no_six_month_timer_waiting(team):
    manager = team["manager"]
    ref = log_adults_complaint(manager, date(2027, 1, 15))["reference"]
    complete(manager, "Check eligibility and acknowledge", eligibility("2027-01-18", occurred="2026-12-01"),
             date(2027, 1, 18))
    complete(manager, "Agree the complaint plan", plan("2027-01-25"), date(2027, 1, 25))
    complete(team["social_worker"], "Investigate the complaint", findings("2027-02-10"), date(2027, 2, 10))
    complete(team["head"], "Sign and send the response", signed_response("2027-02-12"), date(2027, 2, 12))
    assert fire_due_timers(datetime(2027, 7, 15, 12, tzinfo=timezone.utc)).fired == 0
    case = manager.get(f"/api/complaints/{ref}", on=date(2027, 7, 15)).get_json()
    assert case["status"] == "closed" and "no_response_in_six_months" not in events(case)


def test_a_complaint_more_than_12_months_late_is_refused_with_the_reason(team):
    manager = team["manager"]
    ref = log_adults_complaint(manager)["reference"]
    late = eligibility("2027-03-25", occurred="2026-03-23")  # a year and a day before receipt
    errors = refused(manager, "Check eligibility and acknowledge", late, date(2027, 3, 25))
    assert "12 months" in errors["late_decision"]
    errors = refused(manager, "Check eligibility and acknowledge", {**late, "late_decision": "accepted",
                                                                     "late_reason": "x"}, date(2027, 3, 25))
    assert {"good_reason_for_delay", "fair_investigation_possible"} <= set(errors)
    reason = "No good reason for the delay; the staff involved have left and the records are gone."
    case = complete(manager, "Check eligibility and acknowledge",
                    {**late, "late_decision": "refused", "late_reason": reason}, date(2027, 3, 25))
    assert (case["stage"], case["status"], case["outcome"]) == ("closed", "closed", "not_accepted")
    [detail] = [h["detail"] for h in case["history"] if h["event"] == "not_accepted"]
    assert "reg 12" in detail and reason in detail
    assert by_step(case)["acknowledgement"]["completed_on"] == "2027-03-25"
    assert manager.get(f"/api/complaints/{ref}", on=date(2027, 3, 26)).get_json()["open_tasks"] == []


def test_a_late_complaint_accepted_for_good_reason_goes_on(team):
    manager = team["manager"]
    log_adults_complaint(manager)
    reason = "She was in hospital for most of the year; the care records are all held."
    case = complete(manager, "Check eligibility and acknowledge",
                    eligibility("2027-03-25", occurred="2025-12-01", late_decision="accepted", late_reason=reason,
                                good_reason_for_delay=True, fair_investigation_possible=True), date(2027, 3, 25))
    assert case["stage"] == "response" and "late_complaint_accepted" in events(case)


def test_a_representative_needs_consent_or_a_reason_and_can_be_refused(team):
    manager = team["manager"]
    log_adults_complaint(manager)
    representative = eligibility("2027-03-25", complainant_role="representative", person_name="Mary Smith",
                                 representative_basis="asked", representative_decision="accepted",
                                 representative_reason="Her son; she asked him to act for her by letter.")
    errors = refused(manager, "Check eligibility and acknowledge", representative, date(2027, 3, 25))
    assert "consent_recorded" in errors
    case = complete(manager, "Check eligibility and acknowledge", {**representative, "consent_recorded": True},
                    date(2027, 3, 25))
    assert case["stage"] == "response" and "representative_accepted" in events(case)

    log_adults_complaint(manager)
    not_in_her_interest = {**representative, "representative_basis": "lacks_capacity",
                           "representative_decision": "refused",
                           "representative_reason": "The neighbour is not acting in her best interests."}
    case = complete(manager, "Check eligibility and acknowledge", not_in_her_interest, date(2027, 3, 25))
    assert (case["status"], case["outcome"]) == ("closed", "not_accepted")
    assert any("reg 5" in h["detail"] for h in case["history"] if h["event"] == "not_accepted")


def test_an_oral_complaint_resolved_by_the_next_working_day_is_outside_the_procedure(team):
    manager = team["manager"]
    case = log_adults_complaint(manager, channel="phone")
    assert [t["name"] for t in case["open_tasks"]] == ["Resolved by the next working day?"]
    resolved = {"resolution": "resolved", "resolved_on": "2027-03-25", "complainant_satisfied": True,
                "how_resolved": "The missed visit was rearranged for the same afternoon."}
    case = complete(manager, "Resolved by the next working day?", resolved, date(2027, 3, 25))
    assert (case["stage"], case["status"], case["outcome"]) == ("closed", "closed", "resolved_outside_procedure")
    [detail] = [h["detail"] for h in case["history"] if h["event"] == "resolved_outside_procedure"]
    assert "reg 8(1)(b)" in detail and "rearranged" in detail
    assert by_step(case)["acknowledgement"]["completed_on"] == "2027-03-25"


def test_an_oral_complaint_resolved_later_goes_on_under_the_procedure(team):
    manager = team["manager"]
    log_adults_complaint(manager, channel="in_person")
    late = {"resolution": "resolved", "resolved_on": "2027-03-26", "complainant_satisfied": True,
            "how_resolved": "Visits restored on the Friday."}
    case = complete(manager, "Resolved by the next working day?", late, date(2027, 3, 26))
    assert (case["stage"], case["status"]) == ("intake", "open")
    assert "handled_under_procedure" in events(case)
    assert [t["name"] for t in case["open_tasks"]] == ["Check eligibility and acknowledge"]
    case = complete(manager, "Check eligibility and acknowledge", eligibility("2027-03-26"), date(2027, 3, 26))
    assert case["stage"] == "response"


def test_an_acknowledgement_left_open_is_reminded_and_escalated(team):
    manager = team["manager"]
    ref = log_adults_complaint(manager)["reference"]
    fire_due_timers(datetime(2027, 3, 25, 9, tzinfo=timezone.utc))  # two working days before 31 March
    case = manager.get(f"/api/complaints/{ref}", on=date(2027, 3, 25)).get_json()
    assert "reminder_due" in events(case)
    fire_due_timers(datetime(2027, 3, 31, 23, 30, tzinfo=timezone.utc))
    case = manager.get(f"/api/complaints/{ref}", on=date(2027, 4, 1)).get_json()
    assert by_step(case)["acknowledgement"]["overdue"] is True
    assert task_named(manager, "Overdue: Check eligibility and acknowledge", date(2027, 4, 1))
