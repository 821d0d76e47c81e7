"""Staff log a contact on a GOV.UK form that uses the API's validation."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from engine import clock
from engine.models import Case
from tests.factories import at, make_user

from .officer_client import csrf_token, fresh, page_client_for, signed_in

TODAY = date(2025, 12, 22)
GOOD = {
    "kind": "complaint", "channel": "phone",
    "received_on-day": "19", "received_on-month": "12", "received_on-year": "2025",
    "service_area": "highways", "summary": "Pothole reported three times, not repaired",
    "details": "Outside 12 Mill Lane.", "social_care": "none",
    "complainant.name": "Sam Resident", "complainant.email": "sam@example.org",
    "complainant.phone": "01632 960000", "complainant.address": "12 Mill Lane",
}


@pytest.fixture
def client(app):
    make_user(username="cr.officer")
    make_user(username="ip.person", roles=["independent_person"], teams=[])
    return signed_in(page_client_for(app), "cr.officer")


def _post(client, data):
    with clock.frozen_at(at(TODAY)):
        return client.post("/contacts/new", data={**data, "csrf_token": csrf_token(client, "/contacts/new")})


def test_the_form_has_the_intake_fields(client):
    html = client.get("/contacts/new").get_data(as_text=True)
    for name in ("kind", "channel", "service_area", "summary", "details", "social_care", "complainant.name",
                 "complainant.email", "complainant.phone", "complainant.address", "on_behalf_of.name",
                 "on_behalf_of.relationship", "on_behalf_of.consent", "contractor"):
        assert f'name="{name}"' in html, name
    assert 'id="received_on-day"' in html
    assert 'value="childrens_social_care"' in html and "Children&#39;s social care" in html
    assert 'value="social_media"' not in html  # staff log what came by phone, letter, email or in person
    assert "Log a contact" in html  # in the service navigation


def test_a_complaint_is_logged_and_opens_its_case_page(client):
    response = _post(client, {**GOOD, "on_behalf_of.name": "Pat Resident", "on_behalf_of.relationship": "Mother",
                              "on_behalf_of.consent": "true", "contractor": "Roadworks Ltd"})
    assert response.status_code == 302, response.get_data(as_text=True)
    case = fresh().scalars(select(Case)).one()
    assert response.headers["Location"].endswith(f"/cases/{case.reference}")
    assert case.complainant_name == "Sam Resident" and case.received_on == date(2025, 12, 19)
    assert case.on_behalf_of == {"name": "Pat Resident", "relationship": "Mother", "consent": True}
    assert case.contractor == "Roadworks Ltd" and case.channel == "phone"
    with clock.frozen_at(at(TODAY)):
        html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert f"Complaint {case.reference} logged" in html


def test_errors_are_listed_with_links_to_the_fields_and_values_are_kept(client):
    data = {**GOOD, "complainant.name": "", "complainant.email": "not-an-email", "kind": "",
            "received_on-day": "31", "received_on-month": "2"}
    response = _post(client, data)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "govuk-error-summary" in html
    assert 'href="#complainant-name"' in html and 'id="complainant-name"' in html
    assert 'href="#complainant-email"' in html
    assert 'href="#kind"' in html
    assert 'href="#received_on-day"' in html
    assert "Pothole reported three times, not repaired" in html  # kept
    assert 'value="not-an-email"' in html
    assert 'value="31"' in html  # the date as typed
    assert fresh().scalars(select(Case)).all() == []


def test_a_future_date_is_refused_by_the_engine_rule(client):
    response = _post(client, {**GOOD, "received_on-year": "2026"})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'href="#received_on-day"' in html and "today or in the past" in html


def test_on_behalf_of_needs_consent(client):
    response = _post(client, {**GOOD, "on_behalf_of.name": "Pat Resident", "on_behalf_of.relationship": "Mother"})
    assert response.status_code == 400
    assert 'href="#on_behalf_of-consent"' in response.get_data(as_text=True)


def test_appointed_people_cannot_log_a_contact(app, client):
    appointed = signed_in(page_client_for(app), "ip.person")
    assert appointed.get("/contacts/new").status_code == 404
