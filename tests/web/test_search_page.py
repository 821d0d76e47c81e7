"""Find a case by reference, name or email, within the cases the user may see."""
from __future__ import annotations

import pytest

from tests.factories import make_user, open_complaint

from .officer_client import page_client_for, signed_in


@pytest.fixture
def cases(app):
    actor = make_user(username="cr.officer")
    make_user(username="highways.officer", teams=["highways"])
    make_user(username="ip.person", roles=["independent_person"], teams=[])
    road = open_complaint(actor, complainant={"name": "Sam Resident", "email": "sam@example.org"})
    bins = open_complaint(actor, service_area="waste", summary="Bins not collected",
                          complainant={"name": "Alex Smith", "email": "alex.smith@example.net"})
    return {"road": road["reference"], "bins": bins["reference"]}


def _search(app, username, **params):
    client = signed_in(page_client_for(app), username)
    return client.get("/cases", query_string=params)


def test_search_by_name_is_case_insensitive_and_partial(app, cases):
    html = _search(app, "cr.officer", q="resid").get_data(as_text=True)
    assert f'href="/cases/{cases["road"]}"' in html and cases["bins"] not in html
    assert "1 case found" in html


def test_search_by_email_and_reference(app, cases):
    html = _search(app, "cr.officer", q="ALEX.SMITH@").get_data(as_text=True)
    assert cases["bins"] in html and cases["road"] not in html
    html = _search(app, "cr.officer", q=cases["road"][-6:]).get_data(as_text=True)
    assert cases["road"] in html and cases["bins"] not in html


def test_service_area_filter(app, cases):
    html = _search(app, "cr.officer", service_area="waste").get_data(as_text=True)
    assert cases["bins"] in html and cases["road"] not in html


def test_an_officer_finds_only_the_cases_of_their_teams(app, cases):
    html = _search(app, "highways.officer").get_data(as_text=True)
    assert cases["road"] in html and cases["bins"] not in html
    html = _search(app, "highways.officer", q="alex").get_data(as_text=True)
    assert cases["bins"] not in html and "No cases match" in html


def test_percent_and_underscore_are_matched_literally(app, cases):
    html = _search(app, "cr.officer", q="%").get_data(as_text=True)
    assert "No cases match" in html


def test_appointed_people_cannot_search(app, cases):
    assert _search(app, "ip.person", q="sam").status_code == 404


def test_results_are_paginated(app, cases):
    actor = make_user(username="manager", roles=["complaints_manager"], teams=[])
    for n in range(21):
        open_complaint(actor, summary=f"Case {n}", complainant={"name": f"Paged Person {n}"})
    html = _search(app, "manager", q="paged").get_data(as_text=True)
    assert "21 cases found" in html and "govuk-pagination" in html
    html = _search(app, "manager", q="paged", page="2").get_data(as_text=True)
    assert html.count('class="govuk-table__row"') == 2  # header + the 21st
