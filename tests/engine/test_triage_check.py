"""A person checks the triage of website contacts and exclusions, and may move a case to another procedure."""
from __future__ import annotations

from datetime import date

import pytest

from engine import cases, clock, human_tasks
from engine.errors import Forbidden, ValidationFailed
from tests.factories import at, intake, make_user

pytestmark = pytest.mark.usefixtures("app")
RECEIVED = date(2025, 12, 19)


@pytest.fixture
def people():
    return {
        "cr": make_user(username="cr.officer"),
        "highways": make_user(username="highways.officer", teams=["highways"]),
        "manager": make_user(username="manager", roles=["complaints_manager"]),
    }


def log(actor, *, source="staff", on=RECEIVED, **overrides) -> dict:
    with clock.frozen_at(at(on)):
        return cases.open_case(intake(received_on=on.isoformat(), channel="web", **overrides), actor=actor,
                               source=source)


def task(case: dict, name: str) -> dict:
    [found] = [t for t in case["open_tasks"] if t["name"] == name]
    return found


def complete(case: dict, name: str, data: dict, actor, on=date(2025, 12, 22)) -> dict:
    with clock.frozen_at(at(on)):
        return human_tasks.complete_task(task(case, name)["id"], data, user=actor)


def events(case: dict) -> dict[str, str]:
    return {h["event"]: h["detail"] for h in case["history"]}


def deadlines(case: dict) -> dict[str, str]:
    return {d["step"]: d["due_on"] for d in case["deadlines"]}


def test_a_website_complaint_starts_its_procedure_at_once_and_a_person_checks_it(people):
    case = log(people["cr"], source="public")
    assert case["procedure"] == "corporate"
    assert deadlines(case) == {"acknowledgement": "2025-12-30"}
    check = task(case, "Check the procedure")
    assert (check["role"], check["team"]) == ("officer", "customer_relations")
    assert "Corporate procedure: Corporate complaint" in events(case)["triaged"]

    confirmed = complete(case, "Check the procedure", {"procedure": "corporate"}, people["cr"])
    assert [t["name"] for t in confirmed["open_tasks"]] == ["Acknowledge complaint"]
    assert events(confirmed)["triage_confirmed"] == "The corporate procedure was confirmed"


def test_a_complaint_logged_by_staff_is_triaged_by_them_and_not_checked_again(people):
    case = log(people["cr"])
    assert [t["name"] for t in case["open_tasks"]] == ["Acknowledge complaint"]


def test_moving_a_complaint_to_the_childrens_procedure_stops_the_corporate_one_and_is_recorded(people):
    case = log(people["cr"], source="public", summary="My son's social worker never visits")
    moved = complete(case, "Check the procedure",
                     {"procedure": "childrens_statutory", "reason": "About a looked-after child's care plan"},
                     people["cr"])
    assert (moved["procedure"], moved["status"]) == ("childrens_statutory", "open")
    # The children's acknowledgement is 3 working days from the same receipt, not 5.
    assert deadlines(moved)["acknowledgement"] == "2025-12-24"
    assert "Acknowledge complaint" not in [t["name"] for t in moved["open_tasks"]]
    assert moved["open_tasks"], "the children's procedure has its first task"
    assert events(moved)["triage_overridden"] == (
        "Corporate procedure changed to the children's statutory procedure: About a looked-after child's care plan")
    assert "case_closed" not in events(moved)


def test_changing_the_procedure_needs_a_reason_and_nothing_changes_without_one(people):
    case = log(people["cr"], source="public")
    with pytest.raises(ValidationFailed) as refused:
        complete(case, "Check the procedure", {"procedure": "adults_statutory"}, people["cr"])
    assert "reason" in refused.value.errors
    with clock.frozen_at(at(date(2025, 12, 22))):
        unchanged = cases.read_case(case["reference"], user=people["cr"])
    assert unchanged["procedure"] == "corporate"
    assert sorted(t["name"] for t in unchanged["open_tasks"]) == ["Acknowledge complaint", "Check the procedure"]


def test_an_excluded_matter_waits_for_a_person_who_confirms_it_and_the_case_closes_with_the_reason(people):
    case = log(people["cr"], exclusion="insurance_claim", summary="My car was damaged by a pothole")
    assert (case["procedure"], case["stage"], case["status"]) == ("none", "intake", "open")
    assert [t["name"] for t in case["open_tasks"]] == ["Check the procedure"]
    assert case["deadlines"] == []

    closed = complete(case, "Check the procedure", {"procedure": "none"}, people["cr"])
    assert (closed["stage"], closed["status"]) == ("closed", "closed")
    assert "insurers" in events(closed)["not_under_policy"]


def test_a_person_can_accept_an_excluded_matter_into_the_corporate_procedure(people):
    case = log(people["cr"], happened_on="2024-06-01", summary="Bins missed all of last summer")
    assert case["procedure"] == "none"
    accepted = complete(case, "Check the procedure",
                        {"procedure": "corporate", "reason": "Delayed by a long illness; still fair to look into"},
                        people["cr"])
    assert (accepted["procedure"], accepted["stage"]) == ("corporate", "stage1")
    assert [t["name"] for t in accepted["open_tasks"]] == ["Acknowledge complaint"]


def test_the_customer_relations_team_can_change_the_procedure_later_but_a_service_officer_cannot(people):
    case = log(people["cr"], service_area="highways")
    with clock.frozen_at(at(date(2025, 12, 22))):
        with pytest.raises(Forbidden):
            cases.change_procedure(case["reference"], "adults_statutory", "About home care", actor=people["highways"])
        with pytest.raises(ValidationFailed):
            cases.change_procedure(case["reference"], "adults_statutory", "  ", actor=people["manager"])
        moved = cases.change_procedure(case["reference"], "adults_statutory", "About home care",
                                       actor=people["manager"])
    assert moved["procedure"] == "adults_statutory"
    assert events(moved)["triage_overridden"].endswith("About home care")
