"""The customer relations team moves a case to another procedure from the case page, with a reason."""
from __future__ import annotations

from datetime import date

from engine import clock
from tests.factories import at

from .officer_client import csrf_token

TODAY = date(2025, 12, 22)


def _post(client, reference, data):
    with clock.frozen_at(at(TODAY)):
        token = csrf_token(client, f"/cases/{reference}")
        return client.post(f"/cases/{reference}/procedure", data={**data, "csrf_token": token})


def _html(client, reference) -> str:
    with clock.frozen_at(at(TODAY)):
        return client.get(f"/cases/{reference}").get_data(as_text=True)


def test_the_case_page_says_why_the_case_follows_its_procedure(case, as_user):
    html = _html(as_user("highways.officer"), case["reference"])
    assert "Why this procedure" in html and "Corporate complaint" in html
    # Service officers see the triage but do not change it.
    assert "Change the procedure" not in html


def test_changing_without_a_reason_shows_the_error_summary_and_changes_nothing(case, as_user):
    cr = as_user("cr.officer")
    response = _post(cr, case["reference"], {"procedure": "adults_statutory", "reason": ""})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "govuk-error-summary" in html and 'href="#reason"' in html
    assert "Give the reason for changing the procedure" in html
    assert "Acknowledge complaint" in _html(cr, case["reference"])


def test_the_customer_relations_team_moves_a_case_and_the_history_says_why(case, as_user):
    cr = as_user("cr.officer")
    response = _post(cr, case["reference"], {"procedure": "childrens_statutory",
                                             "reason": "About a child in care"})
    assert response.status_code == 302
    html = _html(cr, case["reference"])
    assert "Complaint, Children&#39;s statutory procedure" in html
    assert "changed to the children&#39;s statutory procedure: About a child in care" in html


def test_a_service_officer_cannot_change_the_procedure(case, as_user):
    response = _post(as_user("highways.officer"), case["reference"],
                     {"procedure": "adults_statutory", "reason": "x"})
    assert response.status_code == 404
