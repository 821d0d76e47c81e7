"""How the API refuses: JSON error bodies with the contract's status codes, field errors, and never a 500."""
from __future__ import annotations

import re
from datetime import date

import pytest

from engine import users
from tests.factories import acknowledge, intake, make_user
from tests.web.test_api import Caller

TODAY = date(2025, 12, 22)


@pytest.fixture
def cr(client):
    return Caller(client, make_user(username="cr.officer", teams=["customer_relations"]))


@pytest.fixture
def case(cr):
    response = cr.post("/api/complaints", intake(received_on="2025-12-19"), on=date(2025, 12, 19))
    assert response.status_code == 201
    return response.get_json()


def assert_error(response, status: int) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.is_json
    body = response.get_json()
    assert isinstance(body["error"], str) and body["error"]
    return body


# --- authentication --------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/api/complaints", "/api/tasks", "/api/complaints/CMP-2025-000001"])
def test_a_request_without_a_token_is_401_with_a_json_error(client, url):
    assert_error(client.get(url), 401)


@pytest.mark.parametrize("header", [
    "Bearer not-a-real-token", "Bearer ", "Basic dXNlcjpwYXNz", "not-a-real-token", "Bearer a b c",
])
def test_a_bad_token_is_401_with_a_json_error(client, header):
    make_user(username="someone")
    users.issue_token("someone")
    body = assert_error(client.get("/api/complaints", headers={"Authorization": header}), 401)
    assert "Bearer" in body["error"]


def test_a_missing_token_is_401_even_for_posting_a_complaint(client):
    assert_error(client.post("/api/complaints", json=intake()), 401)


# --- malformed requests ----------------------------------------------------------------------


def test_malformed_json_is_400(cr):
    response = cr.client.post("/api/complaints", headers=cr.headers, data='{"kind": "complaint",',
                              content_type="application/json")
    assert_error(response, 400)
    response = cr.client.post("/api/complaints", headers=cr.headers, data="kind=complaint",
                              content_type="application/x-www-form-urlencoded")
    assert_error(response, 400)


def test_nan_and_infinity_are_not_json_and_are_400(cr, case):
    for number in ("NaN", "Infinity", "-Infinity"):
        response = cr.client.post(f"/api/tasks/{case['open_tasks'][0]['id']}/complete", headers=cr.headers,
                                  data='{"data": {"amount": %s}}' % number, content_type="application/json")
        assert_error(response, 400)


def test_a_json_array_body_is_422(cr):
    body = assert_error(cr.post("/api/complaints", [intake()]), 422)
    assert body["errors"]


def test_intake_errors_are_keyed_by_field_path(cr):
    body = intake(kind="grumble", complainant={"email": "not-an-email"}, received_on="2025-12-23")
    errors = assert_error(cr.post("/api/complaints", body, on=TODAY), 422)["errors"]
    assert {"kind", "complainant.name", "complainant.email"} <= set(errors)
    assert all(isinstance(message, str) and message for message in errors.values())

    missing = assert_error(cr.post("/api/complaints", {"kind": "complaint"}), 422)["errors"]
    assert {"channel", "service_area", "summary", "complainant"} <= set(missing)
    assert "kind" not in missing


def test_a_contact_received_in_the_future_is_refused(cr, client):
    errors = assert_error(cr.post("/api/complaints", intake(received_on="2025-12-23"), on=TODAY), 422)["errors"]
    assert set(errors) == {"received_on"} and "past" in errors["received_on"]
    assert cr.post("/api/complaints", intake(received_on="2025-12-22"), on=TODAY).status_code == 201


@pytest.mark.parametrize("received_on", ["2025-02-30", "19/12/2025", "20251219", "2025-12-19T10:00"])
def test_received_on_must_be_a_real_iso_date(cr, received_on):
    errors = assert_error(cr.post("/api/complaints", intake(received_on=received_on), on=TODAY), 422)["errors"]
    assert set(errors) == {"received_on"}


def test_nothing_is_logged_when_intake_fails(cr):
    cr.post("/api/complaints", intake(summary=""), on=TODAY)
    assert cr.get("/api/complaints", on=TODAY).get_json()["total"] == 0


def test_page_must_be_a_whole_number_from_1(cr):
    for page in ("abc", "0", "-1", "1.5", "²", "99999999999999999999"):
        errors = assert_error(cr.get(f"/api/complaints?page={page}"), 422)["errors"]
        assert set(errors) == {"page"}


# --- tasks -----------------------------------------------------------------------------------


def test_form_data_failing_the_schema_is_422_and_the_task_stays_open(cr, case):
    task_id = case["open_tasks"][0]["id"]
    data = {"acknowledged_on": "2025-13-45", "acknowledgement_method": "pigeon"}
    errors = assert_error(cr.post(f"/api/tasks/{task_id}/complete", {"data": data}, on=TODAY), 422)["errors"]
    assert {"acknowledged_on", "acknowledgement_method", "points_raised"} <= set(errors)

    assert cr.get(f"/api/tasks/{task_id}", on=TODAY).status_code == 200
    after = cr.get(f"/api/complaints/{case['reference']}", on=TODAY).get_json()
    assert [t["id"] for t in after["open_tasks"]] == [task_id]
    assert all(d["completed_on"] is None for d in after["deadlines"])
    assert "task_completed" not in [h["event"] for h in after["history"]]


@pytest.mark.parametrize("body", [{}, {"data": None}, {"data": []}, {"data": "text"}, {"data": 3}])
def test_complete_needs_data_as_an_object(cr, case, body):
    errors = assert_error(cr.post(f"/api/tasks/{case['open_tasks'][0]['id']}/complete", body, on=TODAY), 422)
    assert "data" in errors["errors"]


def test_completing_a_task_that_is_no_longer_open_is_409(cr, case):
    task_id = case["open_tasks"][0]["id"]
    done = cr.post(f"/api/tasks/{task_id}/complete", {"data": acknowledge("2025-12-22")}, on=TODAY)
    assert done.status_code == 200
    again = cr.post(f"/api/tasks/{task_id}/complete", {"data": acknowledge("2025-12-22")}, on=TODAY)
    assert_error(again, 409)
    events = [h["event"] for h in cr.get(f"/api/complaints/{case['reference']}", on=TODAY).get_json()["history"]]
    assert events.count("task_completed") == 1


def test_completing_a_task_twice_never_completes_it_twice(cr, case):
    task_id = case["open_tasks"][0]["id"]
    assert cr.post(f"/api/tasks/{task_id}/complete", {"data": acknowledge("2025-12-22")}, on=TODAY).status_code == 200
    again = cr.post(f"/api/tasks/{task_id}/complete", {"data": acknowledge("2025-12-22")}, on=TODAY)
    assert again.status_code == 409 and again.get_json()["error"]
    after = cr.get(f"/api/complaints/{case['reference']}", on=TODAY).get_json()
    assert [h["event"] for h in after["history"]].count("task_completed") == 1
    assert [t["name"] for t in after["open_tasks"]] == ["Stage 1 response"]


def test_unknown_tasks_are_404(cr):
    assert_error(cr.get("/api/tasks/00000000-0000-0000-0000-000000000000"), 404)
    assert_error(cr.post("/api/tasks/nope/claim"), 404)
    assert_error(cr.post("/api/tasks/nope/complete", {"data": {}}), 404)


# --- cases -----------------------------------------------------------------------------------


def test_asking_for_stage2_while_stage1_is_open_is_409(cr, case):
    body = assert_error(cr.post(f"/api/complaints/{case['reference']}/escalate", {"reason": "Now"}, on=TODAY), 409)
    assert "stage1" in body["error"]
    assert cr.get(f"/api/complaints/{case['reference']}", on=TODAY).get_json()["stage"] == "stage1"


def test_escalating_a_closed_contact_is_409(cr):
    thanks = cr.post("/api/complaints", intake(kind="compliment"), on=TODAY).get_json()
    assert_error(cr.post(f"/api/complaints/{thanks['reference']}/escalate", {"reason": "?"}, on=TODAY), 409)


def test_escalate_reason_must_be_text(cr, case):
    errors = assert_error(cr.post(f"/api/complaints/{case['reference']}/escalate", {"reason": 5}), 422)["errors"]
    assert set(errors) == {"reason"}


def test_unknown_case_is_404(cr):
    assert_error(cr.get("/api/complaints/CMP-2025-999999"), 404)
    assert_error(cr.post("/api/complaints/CMP-2025-999999/escalate", {"reason": "x"}), 404)
    assert_error(cr.get("/api/complaints/not%20a%20reference"), 404)


# --- routing ---------------------------------------------------------------------------------


def test_an_unknown_api_route_is_404_json(cr, client):
    assert_error(cr.get("/api/no-such-thing"), 404)
    assert_error(client.get("/api/no-such-thing"), 404)


def test_a_wrong_method_is_405_json(cr):
    assert_error(cr._call("DELETE", "/api/complaints", TODAY), 405)
    assert_error(cr._call("PUT", "/api/tasks", TODAY), 405)
    assert_error(cr.get("/api/tasks/abc/complete"), 405)


# --- the OpenAPI document --------------------------------------------------------------------


def test_the_openapi_document_is_public_and_describes_every_api_route(client, app):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200 and response.is_json
    document = response.get_json()
    assert document["openapi"].startswith("3")
    paths = document["paths"]
    routes = [rule for rule in app.url_map.iter_rules() if rule.rule.startswith("/api/")]
    assert routes
    for rule in routes:
        path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)
        assert path in paths, f"{rule.rule} is missing from the OpenAPI document"
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            assert method.lower() in paths[path], f"{method} {rule.rule} is missing from the OpenAPI document"
    for path, operations in paths.items():
        for operation in operations.values():
            assert "200" in operation["responses"] or "201" in operation["responses"], path


# --- never a 500 -----------------------------------------------------------------------------

WRONG_VALUES = [None, True, 0, -1, 1.5, 10**30, "", " ", "x" * 25_000, [], [None], {}, {"a": None},
                "\u0000", "\U0001F4A9" * 600, "2025-12-19", "9999-12-31", "0001-01-01"]
INTAKE_FIELDS = ["kind", "channel", "received_on", "service_area", "summary", "details", "social_care",
                 "complainant", "on_behalf_of", "contractor"]


def junk_intakes():
    yield from ["", "complaint", 42, None, True, [], [[]], {"complainant": None}]
    yield {"complainant": {"name": None, "email": None, "phone": None, "address": None}}
    yield intake(complainant={"name": "x" * 201, "email": "@" * 301, "phone": "1" * 41, "address": "a" * 1001})
    yield intake(on_behalf_of={"name": None, "relationship": [], "consent": "yes"})
    yield intake(on_behalf_of={"name": "A", "relationship": "B", "consent": True, "extra": {"deep": [None]}})
    yield intake(summary="s" * 501, details="d" * 20_001, service_area="x" * 61, contractor="c" * 201)
    yield intake(service_area="Highways!")
    yield {**intake(), "unexpected": {"nested": None}}
    for field in INTAKE_FIELDS:
        for value in WRONG_VALUES:
            yield intake(**{field: value})
        yield intake(complainant={"name": "Sam", field: None})


# Values that no field of the acknowledgement form accepts.
FORM_JUNK = [None, True, 0, -1, 1.5, 10**30, "", [], [None], {}, {"a": None}, "x" * 25_000, "\u0000"]


def junk_form_data():
    yield from ["", 7, None, [], {"data": {"acknowledged_on": None}}, {"data": {"": None}}]
    for field in ("acknowledged_on", "acknowledgement_method", "points_raised", "surprise"):
        for value in FORM_JUNK:
            yield {"data": {**acknowledge("2025-12-22"), field: value}}


def test_junk_sent_to_complete_never_gets_a_500_and_leaves_the_task_open(cr, case):
    task_id = case["open_tasks"][0]["id"]
    for body in junk_form_data():
        response = cr.post(f"/api/tasks/{task_id}/complete", body, on=TODAY)
        assert response.status_code < 500, body
        assert response.status_code == 422, body
        assert response.get_json()["errors"]
    after = cr.get(f"/api/complaints/{case['reference']}", on=TODAY).get_json()
    assert [t["id"] for t in after["open_tasks"]] == [task_id]


def test_raw_junk_bytes_never_get_a_500(cr):
    for raw in [b"", b"null", b"[" * 50_000, b"\xff\xfe\x00", b'{"kind": NaN}', b'{"a": 1e999}', b"{" * 3,
                b'"\\ud800"', b'{"summary": "\\u0000"}']:
        for url in ("/api/complaints", "/api/tasks/x/complete", "/api/complaints/CMP-2025-000001/escalate"):
            response = cr.client.post(url, headers=cr.headers, data=raw, content_type="application/json")
            assert response.status_code < 500, (url, raw[:20])
    for query in ("page=%00", "procedure=%00", "status=%FF", "overdue=%00&page=2", "stage=" + "x" * 5000):
        assert cr.get(f"/api/complaints?{query}").status_code < 500, query
    for url in ("/api/complaints/%00", "/api/tasks/%00", "/api/tasks/" + "x" * 5000):
        assert cr.get(url).status_code < 500, url
