"""processes/triage.dmn and triage_check_needed.dmn, row by row, evaluated straight from the files."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from engine import spiff
from engine.triage import months_between

PROCESSES = Path(__file__).resolve().parents[2] / "processes"
TRIAGE = (PROCESSES / "triage.dmn").read_text()
CHECK = (PROCESSES / "triage_check_needed.dmn").read_text()


def triage(kind="complaint", exclusion="none", social_care="none", service_area="highways", age=0) -> dict:
    return dict(spiff.decide(("test", "triage"), lambda: TRIAGE, "procedure_for_contact",
                             {"kind": kind, "exclusion": exclusion, "social_care": social_care,
                              "service_area": service_area, "matter_age_months": age}))


def check(source, kind, procedure) -> bool:
    return spiff.decide(("test", "check"), lambda: CHECK, "triage_check_needed",
                        {"source": source, "kind": kind, "procedure": procedure})["needs_check"]


def test_an_ordinary_complaint_follows_the_corporate_procedure():
    assert triage() == {"procedure": "corporate", "process_id": "corporate_complaint",
                        "reason": "Corporate complaint"}


def test_a_corporate_complaint_made_more_than_12_months_on_is_not_dealt_with_unless_a_person_accepts_it():
    assert triage(age=12)["procedure"] == "corporate"
    late = triage(age=13)
    assert (late["procedure"], late["process_id"]) == ("none", None)
    assert "more than 12 months" in late["reason"]


@pytest.mark.parametrize("social_care, service_area, procedure, process_id", [
    ("children", "highways", "childrens_statutory", "childrens_statutory_complaint"),
    ("adults", "housing", "adults_statutory", "adults_statutory_complaint"),
    ("none", "childrens_social_care", "childrens_statutory", "childrens_statutory_complaint"),
    ("none", "adult_social_care", "adults_statutory", "adults_statutory_complaint"),
])
def test_social_care_complaints_follow_their_statutory_procedure_whatever_their_age(
        social_care, service_area, procedure, process_id):
    decided = triage(social_care=social_care, service_area=service_area, age=30)
    assert (decided["procedure"], decided["process_id"]) == (procedure, process_id)


@pytest.mark.parametrize("exclusion, words", [
    ("legal_proceedings", "court or tribunal"),
    ("insurance_claim", "insurers"),
    ("information_request", "Information Commissioner"),
    ("councillor_conduct", "Monitoring Officer"),
    ("another_body", "another body"),
    ("decided_at_stage2", "Ombudsman"),
])
def test_excluded_matters_are_not_dealt_with_under_the_policy_and_say_why(exclusion, words):
    for social_care in ("none", "children", "adults"):
        decided = triage(exclusion=exclusion, social_care=social_care)
        assert (decided["procedure"], decided["process_id"]) == ("none", None)
        assert words in decided["reason"]


@pytest.mark.parametrize("kind", ["comment", "compliment"])
def test_comments_and_compliments_are_passed_to_the_service_without_a_procedure(kind):
    decided = triage(kind=kind, social_care="children", exclusion="legal_proceedings", age=40)
    assert (decided["procedure"], decided["process_id"]) == ("none", "comment_or_compliment")


@pytest.mark.parametrize("source, kind, procedure, checked", [
    ("public", "complaint", "corporate", True),
    ("public", "complaint", "none", True),
    ("public", "comment", "none", True),
    ("public", "compliment", "none", False),
    ("staff", "complaint", "none", True),
    ("staff", "complaint", "corporate", False),
    ("staff", "complaint", "adults_statutory", False),
    ("staff", "comment", "none", False),
    ("staff", "compliment", "none", False),
])
def test_who_checks_the_triage(source, kind, procedure, checked):
    assert check(source, kind, procedure) is checked


@pytest.mark.parametrize("earlier, later, months", [
    (date(2025, 1, 31), date(2026, 1, 31), 12),
    (date(2025, 1, 31), date(2026, 1, 30), 11),
    (date(2025, 2, 28), date(2026, 3, 1), 12),
    (date(2026, 3, 1), date(2026, 2, 1), 0),
])
def test_the_age_of_the_matter_is_counted_in_whole_calendar_months(earlier, later, months):
    assert months_between(earlier, later) == months
