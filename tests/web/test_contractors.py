"""Complaints about contractors follow the council's procedure and can be filtered and counted by contractor."""
from __future__ import annotations

from datetime import date

import pytest

from engine import cases, clock
from engine.contractor_report import complaints_by_contractor
from engine.errors import NotFound
from tests.factories import at, make_user, open_complaint

from .test_api import Caller


@pytest.fixture
def logged(app):
    cr = make_user(username="cr.officer")
    make_user(username="highways.officer", teams=["highways"])
    manager = make_user(username="manager", roles=["complaints_manager"])
    made = {
        "veolia_bins": open_complaint(cr, service_area="waste", contractor="Veolia", summary="Bins missed"),
        "veolia_again": open_complaint(cr, service_area="waste", contractor=" veolia ", summary="Bins missed again"),
        "ringway": open_complaint(cr, service_area="highways", contractor="Ringway", summary="Poor repair",
                                  on=date(2026, 1, 6)),
        "in_house": open_complaint(cr, service_area="highways", summary="Pothole"),
    }
    return {"cr": cr, "manager": manager, **{k: v["reference"] for k, v in made.items()}}


def test_a_complaint_about_a_contractor_follows_the_councils_procedure_and_names_them(logged):
    with clock.frozen_at(at(date(2025, 12, 22))):
        case = cases.read_case(logged["ringway"], user=logged["manager"])
    assert (case["procedure"], case["contractor"]) == ("corporate", "Ringway")


def test_the_api_filters_cases_by_contractor_whatever_the_case_of_the_name(logged, client):
    manager = Caller(client, logged["manager"])
    listed = manager.get("/api/complaints?contractor=VEOLIA", on=date(2026, 1, 7)).get_json()
    assert {c["reference"] for c in listed["items"]} == {logged["veolia_bins"], logged["veolia_again"]}
    assert listed["total"] == 2


def test_the_report_counts_complaints_by_contractor_within_the_period(logged):
    with clock.frozen_at(at(date(2026, 1, 7))):
        rows = complaints_by_contractor(logged["manager"])
        january = complaints_by_contractor(logged["manager"], received_from=date(2026, 1, 1))
    assert [(r["contractor"].lower(), r["complaints"], r["open"]) for r in rows] == [("veolia", 2, 2), ("ringway", 1, 1)]
    assert [(r["contractor"], r["complaints"]) for r in january] == [("Ringway", 1)]


def test_only_people_who_see_every_case_get_the_report(logged, as_user):
    with pytest.raises(NotFound):
        complaints_by_contractor(make_user(username="w", teams=["waste"]))
    with clock.frozen_at(at(date(2026, 1, 7))):
        assert as_user("highways.officer").get("/reports/contractors").status_code == 404
        page = as_user("cr.officer").get("/reports/contractors")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Ringway" in html and '<th scope="row" class="govuk-table__header">' in html


def test_the_search_page_filters_by_contractor(logged, as_user):
    with clock.frozen_at(at(date(2026, 1, 7))):
        html = as_user("cr.officer").get("/cases?contractor=ringway").get_data(as_text=True)
    assert logged["ringway"] in html and logged["veolia_bins"] not in html and "1 case found" in html
