"""Complaints managers record the Ombudsman's enquiry, decision and recommendations on the case page."""
from __future__ import annotations

from datetime import date

from engine import clock
from tests.factories import at, make_user
from tests.web.officer_client import csrf_token, fresh

TODAY = date(2026, 6, 15)


def post(client, url, data, token_page):
    with clock.frozen_at(at(TODAY)):
        return client.post(url, data={**data, "csrf_token": csrf_token(client, token_page)})


def get(client, url):
    with clock.frozen_at(at(TODAY)):
        return client.get(url)


ENQUIRY = {"omb_reference": "25 012 345", "omb_category": "highways_transport", "omb_enquiry_received_on": "2026-03-02",
           "omb_reply_due_on": "2026-03-30", "omb_reply_sent_on": "2026-03-27"}
DECISION = {"omb_decision": "upheld", "omb_decided_on": "2026-06-10", "omb_remedy": "Apologise and pay £200",
            "omb_remedied_before": "", "omb_compliance_due_on": "2026-07-08"}


def test_a_complaints_manager_records_the_ombudsman_from_the_case_page(case, as_user, app):
    make_user(username="complaints.manager", roles=["complaints_manager"])
    manager, page = as_user("complaints.manager"), f"/cases/{case['reference']}"
    html = get(manager, page).get_data(as_text=True)
    assert "Record an enquiry from the Ombudsman" in html
    assert '<option value="highways_transport" selected>' in html  # suggested from the service area

    refused = post(manager, f"{page}/ombudsman", {**ENQUIRY, "omb_reference": "", "omb_enquiry_received_on": ""}, page)
    assert refused.status_code == 400
    text = refused.get_data(as_text=True)
    assert "There is a problem" in text and 'href="#omb_reference"' in text
    assert 'href="#omb_enquiry_received_on"' in text and text.startswith("<!DOCTYPE html>")

    assert post(manager, f"{page}/ombudsman", ENQUIRY, page).status_code == 302
    assert post(manager, f"{page}/ombudsman/decision", DECISION, page).status_code == 302
    added = post(manager, f"{page}/ombudsman/recommendations",
                 {"rec_description": "Apologise in writing and pay £200", "rec_due_on": "2026-07-08"}, page)
    assert added.status_code == 302
    html = get(manager, page).get_data(as_text=True)
    for shown in ("25 012 345", "Highways &amp; transport", "Upheld, 10 June 2026", "Apologise in writing and pay £200",
                  "8 July 2026", "Change the decision"):
        assert shown in html
    assert "Comply with the Ombudsman&#39;s recommendation" in get(manager, "/tasks?view=team").get_data(as_text=True)
    fresh()


def test_only_complaints_managers_see_the_forms_and_may_post(case, as_user):
    officer, page = as_user("cr.officer"), f"/cases/{case['reference']}"
    html = get(officer, page).get_data(as_text=True)
    assert "Record an enquiry from the Ombudsman" not in html and 'id="ombudsman"' not in html
    assert post(officer, f"{page}/ombudsman", ENQUIRY, page).status_code == 404
    assert post(officer, f"{page}/ombudsman/decision", DECISION, page).status_code == 404
    assert post(as_user("waste.officer"), f"{page}/ombudsman", ENQUIRY, "/tasks").status_code == 404


def test_the_dashboard_shows_the_ombudsman_letter(case, as_user):
    make_user(username="complaints.manager", roles=["complaints_manager"])
    manager, page = as_user("complaints.manager"), f"/cases/{case['reference']}"
    post(manager, f"{page}/ombudsman", ENQUIRY, page)
    post(manager, f"{page}/ombudsman/decision", DECISION, page)
    html = get(manager, "/reports/dashboard?from=2026-04-01&to=2027-03-31").get_data(as_text=True)
    assert "The Ombudsman" in html and "Ombudsman&#39;s decisions by category" in html
    assert "Upheld rate" in html and "Compliance rate" in html
