"""The JSON API of ../shared/api-contract.md, driven over HTTP with bearer tokens (SQLite and PostgreSQL)."""
from __future__ import annotations

import re
from datetime import date

import pytest

from engine import clock, users
from tests.factories import (
    acknowledge, acknowledge_stage2, at, intake, make_user, stage1_response, stage2_review,
)

REFERENCE = re.compile(r"^CMP-\d{4}-\d{6}$")
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class Caller:
    """One person calling the API with their own bearer token, on a chosen (frozen) day."""

    def __init__(self, client, user):
        self.client, self.user = client, user
        self.headers = {"Authorization": f"Bearer {users.issue_token(user.username)}"}

    def _call(self, method, url, on: date, **kwargs):
        with clock.frozen_at(at(on)):
            return self.client.open(url, method=method, headers=self.headers, **kwargs)

    def get(self, url, on: date = date(2025, 12, 19), **kwargs):
        return self._call("GET", url, on, **kwargs)

    def post(self, url, json=None, on: date = date(2025, 12, 19)):
        return self._call("POST", url, on, json={} if json is None else json)


@pytest.fixture
def people(client):
    def caller(username, roles=("officer",), teams=("customer_relations",)):
        return Caller(client, make_user(username=username, roles=roles, teams=teams))

    return {
        "cr": caller("cr.officer"),
        "reviewer": caller("cr.reviewer"),
        "highways": caller("highways.officer", teams=["highways"]),
        "waste": caller("waste.officer", teams=["waste"]),
        "manager": caller("manager", roles=["complaints_manager"]),
        "ip": caller("independent.person", roles=["independent_person"], teams=[]),
    }


def by_step(case: dict) -> dict:
    return {d["step"]: d for d in case["deadlines"]}


def task_named(caller: Caller, name: str, on: date) -> dict:
    response = caller.get("/api/tasks", on=on)
    assert response.status_code == 200
    matching = [t for t in response.get_json()["items"] if t["name"] == name]
    assert len(matching) == 1, f"{caller.user.username} should see exactly one {name!r} task"
    return matching[0]


def log_complaint(caller: Caller, on: date = date(2025, 12, 19), **overrides) -> dict:
    response = caller.post("/api/complaints", intake(received_on=on.isoformat(), **overrides), on=on)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def assert_case_shape(case: dict) -> None:
    assert REFERENCE.match(case["reference"])
    for key in ("kind", "procedure", "stage", "status", "service_area", "received_on", "deadlines",
                "open_tasks"):
        assert key in case
    for deadline in case["deadlines"]:
        assert set(deadline) >= {"step", "due_on", "completed_on", "overdue", "basis"}
        assert ISO_DATE.match(deadline["due_on"])
        assert deadline["completed_on"] is None or ISO_DATE.match(deadline["completed_on"])
        assert isinstance(deadline["overdue"], bool) and deadline["basis"]
    for task in case["open_tasks"]:
        assert set(task) >= {"id", "name", "role", "team", "assignee", "due_on"}


def test_a_corporate_complaint_goes_through_both_stages_over_http(people):
    cr, highways, reviewer = people["cr"], people["highways"], people["reviewer"]

    # Logged by phone on Friday 19 December 2025.
    case = log_complaint(cr, on=date(2025, 12, 19))
    assert_case_shape(case)
    ref = case["reference"]
    assert ref.startswith("CMP-2025-")
    assert (case["kind"], case["procedure"], case["stage"], case["status"]) == (
        "complaint", "corporate", "stage1", "open")
    assert (case["service_area"], case["received_on"]) == ("highways", "2025-12-19")
    ack = by_step(case)["acknowledgement"]
    assert (ack["due_on"], ack["completed_on"], ack["overdue"]) == ("2025-12-30", None, False)
    assert "2025-12-19" in ack["basis"] and "Christmas Day" in ack["basis"]
    assert [t["name"] for t in case["open_tasks"]] == ["Acknowledge complaint"]
    assert case["history"][0]["event"] == "case_opened" and case["history"][0]["actor"] == "cr.officer"
    assert set(case["history"][0]) >= {"at", "actor", "event", "detail"}

    # The customer relations officer finds the acknowledgement in their inbox; highways does not yet.
    task = task_named(cr, "Acknowledge complaint", date(2025, 12, 22))
    assert (task["case_reference"], task["procedure"], task["stage"]) == (ref, "corporate", "stage1")
    assert (task["role"], task["team"], task["assignee"], task["due_on"]) == (
        "officer", "customer_relations", None, "2025-12-30")
    assert "form" not in task
    assert highways.get("/api/tasks").get_json()["items"] == []

    detail = cr.get(f"/api/tasks/{task['id']}", on=date(2025, 12, 22))
    assert detail.status_code == 200
    form = detail.get_json()["form"]
    assert form["type"] == "object"
    assert {"acknowledged_on", "acknowledgement_method", "points_raised"} <= set(form["required"])
    assert form["properties"]["acknowledged_on"]["format"] == "date"

    claimed = cr.post(f"/api/tasks/{task['id']}/claim", on=date(2025, 12, 22))
    assert claimed.status_code == 200 and claimed.get_json()["assignee"] == "cr.officer"
    # Claiming again is harmless for the holder; a colleague is told someone else holds it.
    assert cr.post(f"/api/tasks/{task['id']}/claim", on=date(2025, 12, 22)).status_code == 200
    taken = reviewer.post(f"/api/tasks/{task['id']}/claim", on=date(2025, 12, 22))
    assert taken.status_code == 409 and taken.get_json()["error"]
    assert all(t["id"] != task["id"] for t in reviewer.get("/api/tasks").get_json()["items"])

    done = cr.post(f"/api/tasks/{task['id']}/complete", {"data": acknowledge("2025-12-22")}, on=date(2025, 12, 22))
    assert done.status_code == 200, done.get_json()
    case = done.get_json()
    assert_case_shape(case)
    assert by_step(case)["acknowledgement"]["completed_on"] == "2025-12-22"
    assert by_step(case)["stage1_response"]["due_on"] == "2026-01-08"
    [stage1] = case["open_tasks"]
    assert (stage1["name"], stage1["team"]) == ("Stage 1 response", "highways")

    # The highways officer responds at Stage 1.
    task = task_named(highways, "Stage 1 response", date(2026, 1, 7))
    assert task["id"] == stage1["id"]
    done = highways.post(f"/api/tasks/{task['id']}/complete", {"data": stage1_response("2026-01-07")},
                         on=date(2026, 1, 7))
    assert done.status_code == 200, done.get_json()
    case = done.get_json()
    assert (case["stage"], case["open_tasks"]) == ("stage1", [])
    assert by_step(case)["stage1_response"]["completed_on"] == "2026-01-07"

    # The complainant asks for Stage 2.
    escalated = cr.post(f"/api/complaints/{ref}/escalate", {"reason": "The repair was poor"}, on=date(2026, 1, 20))
    assert escalated.status_code == 200, escalated.get_json()
    case = escalated.get_json()
    assert (case["stage"], case["status"]) == ("stage2", "open")
    assert by_step(case)["stage2_acknowledgement"]["due_on"] == "2026-01-27"

    task = task_named(cr, "Acknowledge Stage 2 request", date(2026, 1, 21))
    done = cr.post(f"/api/tasks/{task['id']}/complete", {"data": acknowledge_stage2("2026-01-21")},
                   on=date(2026, 1, 21))
    assert done.status_code == 200, done.get_json()
    assert by_step(done.get_json())["stage2_response"]["due_on"] == "2026-02-18"

    # The Stage 2 review is done by an officer who took no part at Stage 1.
    task = task_named(reviewer, "Stage 2 review", date(2026, 2, 10))
    done = reviewer.post(f"/api/tasks/{task['id']}/complete", {"data": stage2_review("2026-02-10")},
                         on=date(2026, 2, 10))
    assert done.status_code == 200, done.get_json()

    read = cr.get(f"/api/complaints/{ref}", on=date(2026, 2, 11))
    assert read.status_code == 200
    case = read.get_json()
    assert_case_shape(case)
    assert (case["stage"], case["status"], case["open_tasks"]) == ("closed", "closed", [])
    assert all(d["completed_on"] and not d["overdue"] for d in case["deadlines"])
    events = [h["event"] for h in case["history"]]
    assert events[0] == "case_opened" and events.count("task_completed") == 4
    assert "task_claimed" in events and "next_stage_requested" in events and events[-1] == "case_closed"
    assert cr.get("/api/tasks", on=date(2026, 2, 11)).get_json()["items"] == []


@pytest.fixture
def three_cases(people):
    """A highways complaint left unacknowledged, a waste complaint acknowledged, a waste compliment."""
    cr = people["cr"]
    pothole = log_complaint(cr, on=date(2025, 12, 19))
    bins = log_complaint(cr, on=date(2025, 12, 22), service_area="waste", summary="Bins missed twice")
    task = next(t for t in cr.get("/api/tasks").get_json()["items"] if t["case_reference"] == bins["reference"])
    done = cr.post(f"/api/tasks/{task['id']}/complete", {"data": acknowledge("2025-12-23")}, on=date(2025, 12, 23))
    assert done.status_code == 200
    thanks = log_complaint(cr, on=date(2025, 12, 22), kind="compliment", service_area="waste",
                           summary="The crew were helpful")
    return {"pothole": pothole["reference"], "bins": bins["reference"], "thanks": thanks["reference"]}


def refs(response) -> list[str]:
    assert response.status_code == 200, response.get_json()
    return [item["reference"] for item in response.get_json()["items"]]


def test_the_case_list_filters_and_counts(people, three_cases):
    manager = people["manager"]
    everything = manager.get("/api/complaints", on=date(2026, 1, 5))
    body = everything.get_json()
    assert (body["page"], body["total"]) == (1, 3)
    assert set(refs(everything)) == set(three_cases.values())
    assert "history" not in body["items"][0]
    assert_case_shape(body["items"][0])

    def listed(query, on=date(2026, 1, 5)):
        response = manager.get(f"/api/complaints?{query}", on=on)
        return set(refs(response)), response.get_json()["total"]

    assert listed("procedure=corporate") == ({three_cases["pothole"], three_cases["bins"]}, 2)
    assert listed("procedure=none") == ({three_cases["thanks"]}, 1)
    assert listed("status=closed") == (set(), 0)
    assert listed("status=open&service_area=waste&procedure=corporate") == ({three_cases["bins"]}, 1)
    assert listed("stage=stage1&service_area=highways") == ({three_cases["pothole"]}, 1)
    assert listed("stage=stage3") == (set(), 0)
    # On 5 January the pothole's acknowledgement (due 30 December) and the compliment's (due 31 December,
    # passing it on to the crew) are late; the bins complaint was acknowledged in time.
    assert listed("overdue=true") == ({three_cases["pothole"], three_cases["thanks"]}, 2)
    assert listed("overdue=true", on=date(2025, 12, 23)) == (set(), 0)

    beyond = manager.get("/api/complaints?page=2", on=date(2026, 1, 5)).get_json()
    assert (beyond["items"], beyond["page"], beyond["total"]) == ([], 2, 3)


def test_an_officer_of_another_team_neither_reads_nor_lists_the_case(people, three_cases):
    highways, waste = people["highways"], people["waste"]
    pothole = three_cases["pothole"]

    hidden = waste.get(f"/api/complaints/{pothole}")
    assert hidden.status_code == 404
    missing = waste.get("/api/complaints/CMP-2025-999999")
    assert missing.status_code == 404
    # Hidden and missing read the same: nothing tells the caller the case exists.
    assert hidden.get_json() == {"error": missing.get_json()["error"].replace("CMP-2025-999999", pothole)}
    assert waste.post(f"/api/complaints/{pothole}/escalate", {"reason": "x"}).status_code == 404
    listed = waste.get("/api/complaints")
    assert set(refs(listed)) == {three_cases["bins"], three_cases["thanks"]}
    assert listed.get_json()["total"] == 2

    assert highways.get(f"/api/complaints/{pothole}").status_code == 200
    assert set(refs(highways.get("/api/complaints"))) == {pothole}


def test_an_officer_of_another_team_cannot_see_or_take_the_task(people, three_cases):
    task = next(t for t in people["cr"].get("/api/tasks").get_json()["items"]
                if t["case_reference"] == three_cases["pothole"])
    waste = people["waste"]
    assert all(t["case_reference"] != three_cases["pothole"] for t in waste.get("/api/tasks").get_json()["items"])
    assert waste.get(f"/api/tasks/{task['id']}").status_code == 404
    assert waste.post(f"/api/tasks/{task['id']}/claim").status_code == 404
    assert waste.post(f"/api/tasks/{task['id']}/complete", {"data": acknowledge("2025-12-22")}).status_code == 404


def test_an_independent_person_cannot_list_cases_or_log_a_contact(people, three_cases):
    ip = people["ip"]
    listed = ip.get("/api/complaints")
    assert listed.status_code == 404 and "items" not in listed.get_json()
    logged = ip.post("/api/complaints", intake())
    assert logged.status_code == 404 and logged.get_json()["error"]
    assert ip.get(f"/api/complaints/{three_cases['pothole']}").status_code == 404
    assert ip.get("/api/tasks").get_json()["items"] == []
    assert people["manager"].get("/api/complaints").get_json()["total"] == 3


def test_a_comment_follows_no_complaint_procedure_and_goes_to_the_service_to_pass_on(people):
    case = log_complaint(people["cr"], kind="comment", summary="Please add a bench in the park")
    assert (case["kind"], case["procedure"], case["status"]) == ("comment", "none", "open")
    [task] = case["open_tasks"]
    assert (task["name"], task["role"], task["team"]) == ("Acknowledge and pass on", "officer", "highways")
    assert [d["step"] for d in case["deadlines"]] == ["acknowledgement"]


def test_received_on_defaults_to_today(people):
    body = intake()
    del body["received_on"]
    response = people["cr"].post("/api/complaints", body, on=date(2026, 1, 6))
    assert response.status_code == 201
    assert response.get_json()["received_on"] == "2026-01-06"
    assert response.get_json()["reference"].startswith("CMP-2026-")


def test_the_openapi_case_schema_describes_every_field_a_case_has(people, client):
    case = log_complaint(people["cr"], happened_on="2025-11-30", contractor="Ringway")
    described = client.get("/api/openapi.json").get_json()["components"]["schemas"]["Case"]["properties"]
    assert set(case) <= set(described), set(case) - set(described)
    assert (case["happened_on"], case["contractor"], case["triage_reason"]) == (
        "2025-11-30", "Ringway", "Corporate complaint")
