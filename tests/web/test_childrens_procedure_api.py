"""The children's statutory procedure over HTTP, with a real user in every role (SQLite and PostgreSQL).

Children Act 1989 Representations Procedure (England) Regulations 2006: Stage 1 local resolution,
Stage 2 investigation with an Investigating Officer and an Independent Person, Stage 3 Review Panel.
"""
from __future__ import annotations

from datetime import date

import pytest

from engine.calendar import add_working_days
from tests.factories import intake
from tests.web.test_api import Caller, by_step, task_named

RECEIVED = date(2027, 3, 24)  # the Wednesday before Easter 2027


@pytest.fixture
def team(client):
    from tests.factories import make_user

    def caller(username, roles, teams=()):
        return Caller(client, make_user(username=username, roles=list(roles), teams=list(teams)))

    return {
        "manager": caller("complaints.manager", ["complaints_manager"], ["customer_relations"]),
        "social_worker": caller("cs.officer", ["officer"], ["childrens_social_care"]),
        "io": caller("external.io", ["investigating_officer"]),
        "ip": caller("independent.person", ["independent_person"]),
        "other_ip": caller("other.ip", ["independent_person"]),
        "senior": caller("head.of.service", ["senior_manager"], ["childrens_social_care"]),
        "chair": caller("panel.chair", ["panel_member"]),
        "member2": caller("panel.two", ["panel_member"]),
        "member3": caller("panel.three", ["panel_member"]),
    }


def complete(caller, name, data, on):
    task = task_named(caller, name, on)
    response = caller.post(f"/api/tasks/{task['id']}/complete", {"data": data}, on=on)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def log_childrens_complaint(manager, received=RECEIVED):
    body = intake(received_on=received.isoformat(), service_area="childrens_social_care", social_care="children",
                  summary="Contact arrangements with my son were changed without telling me")
    response = manager.post("/api/complaints", body, on=received)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def eligibility(on):
    return {"complainant_type": "parent", "child_name": "Alex", "advocacy_offered": True,
            "grounds_arose_on": "2027-02-01", "acknowledged_on": on}


def respond_stage1(on):
    return {"decision": "respond", "outcome": "not_upheld", "response": "We explained the decision.",
            "points_addressed": True, "responded_on": on}


def through_stage1(team, received=RECEIVED):
    case = log_childrens_complaint(team["manager"], received)
    ref = case["reference"]
    complete(team["manager"], "Check eligibility and acknowledge", eligibility("2027-03-25"), date(2027, 3, 25))
    complete(team["social_worker"], "Stage 1 response", respond_stage1("2027-04-08"), date(2027, 4, 8))
    return ref


def into_stage2_reports(team):
    ref = through_stage1(team)
    assert team["manager"].post(f"/api/complaints/{ref}/escalate", {"reason": "Not resolved"},
                                on=date(2027, 4, 20)).status_code == 200
    complete(team["manager"], "Agree the complaint record",
             {"complaint_record": "1. Contact changed. 2. Not told.", "agreed_on": "2027-04-22",
              "complainant_agreed": True}, date(2027, 4, 22))
    complete(team["manager"], "Appoint Investigating Officer and Independent Person",
             {"investigating_officer": "external.io", "independent_person": "independent.person"}, date(2027, 4, 23))
    return ref


def test_deadlines_count_working_days_across_easter(team):
    case = log_childrens_complaint(team["manager"])
    assert (case["procedure"], case["stage"]) == ("childrens_statutory", "intake")
    ack = by_step(case)["acknowledgement"]
    assert ack["due_on"] == "2027-03-31"  # Good Friday and Easter Monday skipped
    assert "Good Friday" in ack["basis"] and "Easter Monday" in ack["basis"]
    case = complete(team["manager"], "Check eligibility and acknowledge", eligibility("2027-03-25"), date(2027, 3, 25))
    stage1 = by_step(case)["stage1_response"]
    assert stage1["due_on"] == "2027-04-09" and "reg 14" in stage1["basis"]


def test_stage2_deadline_counts_working_days_across_christmas(team):
    ref = through_stage1(team, received=date(2026, 10, 26))
    manager = team["manager"]
    assert manager.post(f"/api/complaints/{ref}/escalate", {"reason": "x"}, on=date(2026, 11, 25)).status_code == 200
    case = complete(manager, "Agree the complaint record",
                    {"complaint_record": "Points", "agreed_on": "2026-12-01", "complainant_agreed": True},
                    date(2026, 12, 1))
    stage2 = by_step(case)["stage2_response"]
    assert stage2["due_on"] == add_working_days(date(2026, 12, 1), 25).isoformat() == "2027-01-08"
    assert "Christmas Day" in stage2["basis"] and "reg 17" in stage2["basis"]


def test_full_three_stage_lifecycle_with_every_role(team):
    ref = into_stage2_reports(team)
    # The reports go to the named appointees only, in parallel.
    complete(team["io"], "Investigating Officer's report",
             {"findings": "Point 1 upheld; point 2 not upheld.", "recommendations": "Write to parents first.",
              "report_completed_on": "2027-05-10"}, date(2027, 5, 10))
    complete(team["ip"], "Independent Person's report",
             {"ip_view": "Fair and thorough.", "ip_agrees": "agrees", "ip_report_completed_on": "2027-05-11"},
             date(2027, 5, 11))
    case = complete(team["senior"], "Adjudication",
                    {"stage2_decision": "respond", "stage2_outcome": "partly_upheld",
                     "adjudication": "We accept the findings.", "stage2_responded_on": "2027-05-20"},
                    date(2027, 5, 20))
    assert case["outcome"] == "partly_upheld" and by_step(case)["stage2_response"]["completed_on"] == "2027-05-20"

    manager = team["manager"]
    response = manager.post(f"/api/complaints/{ref}/escalate", {"reason": "Want a panel"}, on=date(2027, 6, 1))
    assert response.status_code == 200 and response.get_json()["stage"] == "stage3"
    # The Stage 2 Independent Person may not sit on the panel (reg 19).
    task = task_named(manager, "Appoint the Review Panel", date(2027, 6, 2))
    refused = manager.post(f"/api/tasks/{task['id']}/complete",
                           {"data": {"panel_chair": "independent.person", "panel_member_2": "panel.two",
                                     "panel_member_3": "panel.three", "panel_date": "2027-06-20"}},
                           on=date(2027, 6, 2))
    assert refused.status_code == 422 and "panel_chair" in refused.get_json()["errors"]
    complete(manager, "Appoint the Review Panel",
             {"panel_chair": "panel.chair", "panel_member_2": "panel.two", "panel_member_3": "panel.three",
              "panel_date": "2027-06-20"}, date(2027, 6, 2))
    case = complete(team["chair"], "Hold the Review Panel",
                    {"panel_held_on": "2027-06-21", "attendees": "Complainant, advocate, panel"}, date(2027, 6, 21))
    assert by_step(case)["stage3_panel_report"]["due_on"] == "2027-06-28"
    complete(team["chair"], "Panel report",
             {"panel_findings": "Findings", "panel_recommendations": "Recommendations", "report_sent_on": "2027-06-25"},
             date(2027, 6, 25))
    case = complete(team["senior"], "Council's response to the panel",
                    {"council_response": "We accept the recommendations.", "final_outcome": "upheld",
                     "ombudsman_signposted": True, "council_responded_on": "2027-07-09"}, date(2027, 7, 9))
    assert (case["stage"], case["status"], case["outcome"]) == ("closed", "closed", "upheld")
    assert {d["step"] for d in case["deadlines"]} >= {
        "acknowledgement", "stage1_response", "stage2_response", "stage3_panel", "stage3_panel_report",
        "stage3_council_response"}
    events = [h["event"] for h in case["history"]]
    assert events.count("appointed") == 5


def test_stage1_extension_is_capped_at_20_working_days_in_all(team):
    manager, worker = team["manager"], team["social_worker"]
    log_childrens_complaint(manager)
    complete(manager, "Check eligibility and acknowledge", eligibility("2027-03-25"), date(2027, 3, 25))
    extend = {"decision": "extend", "extension_reason": "Complex", "complainant_told": True}
    case = complete(worker, "Stage 1 response", {**extend, "extension_working_days": 7}, date(2027, 4, 1))
    assert by_step(case)["stage1_response"]["due_on"] == add_working_days(RECEIVED, 17).isoformat()
    task = task_named(worker, "Stage 1 response", date(2027, 4, 2))
    refused = worker.post(f"/api/tasks/{task['id']}/complete",
                          {"data": {**extend, "extension_working_days": 4}}, on=date(2027, 4, 2))
    assert refused.status_code == 422 and "extension_working_days" in refused.get_json()["errors"]


def test_stage2_extension_is_capped_at_65_working_days_in_all(team):
    ref = into_stage2_reports(team)
    complete(team["io"], "Investigating Officer's report",
             {"findings": "f", "recommendations": "r", "report_completed_on": "2027-05-10"}, date(2027, 5, 10))
    complete(team["ip"], "Independent Person's report",
             {"ip_view": "v", "ip_agrees": "agrees", "ip_report_completed_on": "2027-05-11"}, date(2027, 5, 11))
    extend = {"stage2_decision": "extend", "stage2_extension_reason": "Police enquiry", "stage2_complainant_told": True}
    case = complete(team["senior"], "Adjudication", {**extend, "stage2_extension_working_days": 40}, date(2027, 5, 12))
    stage2 = by_step(case)["stage2_response"]
    assert stage2["due_on"] == add_working_days(date(2027, 4, 22), 65).isoformat()
    assert "Police enquiry" in stage2["basis"]
    task = task_named(team["senior"], "Adjudication", date(2027, 5, 13))
    refused = team["senior"].post(f"/api/tasks/{task['id']}/complete",
                                  {"data": {**extend, "stage2_extension_working_days": 1}}, on=date(2027, 5, 13))
    assert refused.status_code == 422
    assert team["manager"].get(f"/api/complaints/{ref}", on=date(2027, 5, 13)).status_code == 200


def test_stage2_can_be_asked_for_inside_the_window_but_not_after_it(team):
    ref = through_stage1(team)
    last_day = add_working_days(date(2027, 4, 8), 20)
    late = team["manager"].post(f"/api/complaints/{ref}/escalate", {"reason": "late"},
                                on=date.fromordinal(last_day.toordinal() + 1))
    assert late.status_code == 409 and "ended" in late.get_json()["error"]
    on_time = team["manager"].post(f"/api/complaints/{ref}/escalate", {"reason": "ok"}, on=last_day)
    assert on_time.status_code == 200 and on_time.get_json()["stage"] == "stage2"


def test_stage3_cannot_be_asked_for_while_stage2_is_open(team):
    ref = into_stage2_reports(team)
    response = team["manager"].post(f"/api/complaints/{ref}/escalate", {"reason": "now"}, on=date(2027, 5, 1))
    assert response.status_code == 409


def test_appointed_people_see_only_their_case_and_removal_cuts_access_at_once(team):
    ref = into_stage2_reports(team)
    ip, other_ip = team["ip"], team["other_ip"]
    assert ip.get(f"/api/complaints/{ref}", on=date(2027, 4, 26)).status_code == 200
    assert [t["name"] for t in ip.get("/api/tasks", on=date(2027, 4, 26)).get_json()["items"]] == [
        "Independent Person's report"]
    assert other_ip.get(f"/api/complaints/{ref}", on=date(2027, 4, 26)).status_code == 404
    assert other_ip.get("/api/tasks", on=date(2027, 4, 26)).get_json()["items"] == []
    assert ip.get("/api/complaints", on=date(2027, 4, 26)).status_code == 404

    from engine import appointments, cases
    from engine.models import Appointment, User, db

    manager_user = db.session.query(User).filter_by(username="complaints.manager").one()
    appointment = db.session.query(Appointment).filter_by(role="independent_person").one()
    appointments.remove_appointment(ref, appointment.id, by=manager_user)
    assert ip.get(f"/api/complaints/{ref}", on=date(2027, 4, 26)).status_code == 404
    assert ip.get("/api/tasks", on=date(2027, 4, 26)).get_json()["items"] == []
    # The manager appoints a replacement and gives them the report.
    appointments.appoint_person(ref, "other.ip", "independent_person", by=manager_user)
    case = cases.read_case(ref, user=manager_user)
    [report] = [t for t in case["open_tasks"] if t["name"] == "Independent Person's report"]
    from engine import task_pages

    task_pages.reassign_task(report["id"], "other.ip", by=manager_user)
    assert [t["name"] for t in other_ip.get("/api/tasks", on=date(2027, 4, 27)).get_json()["items"]] == [
        "Independent Person's report"]


def test_a_complaints_manager_removes_and_appoints_from_the_case_page(app, team):
    from tests.web.officer_client import page_client_for, post_form, signed_in

    ref = into_stage2_reports(team)
    manager = signed_in(page_client_for(app), "complaints.manager")
    page = manager.get(f"/cases/{ref}").get_data(as_text=True)
    assert "Appointed people" in page and "independent.person" in page and "external.io" in page
    from engine.models import Appointment, db

    appointment = db.session.query(Appointment).filter_by(role="independent_person").one()
    removed = post_form(manager, f"/cases/{ref}/appointments/{appointment.id}/remove", token_from=f"/cases/{ref}")
    assert removed.status_code == 302
    assert team["ip"].get(f"/api/complaints/{ref}", on=date(2027, 4, 26)).status_code == 404
    refused = post_form(manager, f"/cases/{ref}/appointments", {"role": "independent_person", "username": "cs.officer"},
                        token_from=f"/cases/{ref}")
    assert refused.status_code == 400 and "does not have the role" in refused.get_data(as_text=True)
    appointed = post_form(manager, f"/cases/{ref}/appointments",
                          {"role": "independent_person", "username": "other.ip"}, token_from=f"/cases/{ref}")
    assert appointed.status_code == 302
    assert team["other_ip"].get(f"/api/complaints/{ref}", on=date(2027, 4, 26)).status_code == 200
    ip_view = signed_in(page_client_for(app), "other.ip").get(f"/cases/{ref}").get_data(as_text=True)
    assert "Appoint as" not in ip_view and "Remove" not in ip_view


def test_appointed_people_cannot_move_or_withdraw_the_case_they_work_on(team):
    ref = into_stage2_reports(team)
    for who in ("ip", "io"):
        caller = team[who]
        assert caller.post(f"/api/complaints/{ref}/escalate", {"reason": "x"}, on=date(2027, 4, 26)).status_code == 404
        assert caller.post(f"/api/complaints/{ref}/withdraw", {"reason": "x"}, on=date(2027, 4, 26)).status_code == 404
        assert caller.get(f"/api/complaints/{ref}", on=date(2027, 4, 26)).status_code == 200
