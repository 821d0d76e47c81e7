"""Restrictions where they matter: proposing from a case, the senior manager's decision, the banner on the case,
the intake form and the contact record, a restricted person's new complaint going to the named officer,
abuse towards staff, merging contacts, and the report of restrictions in force."""
from __future__ import annotations

import re
from datetime import date

from sqlalchemy import select

from engine import clock
from engine.models import Case, HumanTask
from tests.factories import at, make_user

from .officer_client import csrf_token, fresh

TODAY = date(2026, 1, 6)


def _get(client, url):
    with clock.frozen_at(at(TODAY)):
        return client.get(url)


def _post(client, url, data, page):
    with clock.frozen_at(at(TODAY)):
        return client.post(url, data={**data, "csrf_token": csrf_token(client, page)})


def _task_id(reference: str, name: str) -> str:
    return fresh().scalars(select(HumanTask.id).where(HumanTask.case_reference == reference,
                                                      HumanTask.name == name)).one()


def _contact_id(reference: str) -> int:
    return fresh().scalar(select(Case.contact_id).where(Case.reference == reference))


def _propose_and_decide(case, as_user, **decision):
    ref = case["reference"]
    officer = as_user("highways.officer")
    response = _post(officer, f"/cases/{ref}/restriction", {
        "behaviour": "Calls 20 times a day", "evidence": "Call log, November",
        "adjustments": "Offered a weekly call; declined", "case_references": [ref]}, f"/cases/{ref}/restriction")
    assert response.status_code == 302, response.get_data(as_text=True)
    senior = as_user("head.of.highways")
    task_id = _task_id(ref, "Decide on the restriction")
    page = _get(senior, f"/tasks/{task_id}").get_data(as_text=True)
    assert "Calls 20 times a day" in page and "Offered a weekly call; declined" in page
    response = _post(senior, f"/tasks/{task_id}", {
        "decision": "restrict", "adjustments_considered": "true", "measures": ["single_point_of_contact", "written_only"],
        "single_point_of_contact": "named.officer", "scope": decision.get("scope", "service_area"),
        "decision_reasons": "The calls stop the team working"}, f"/tasks/{task_id}")
    assert response.status_code == 302, response.get_data(as_text=True)
    return ref


def _people(app):
    make_user(username="named.officer")
    make_user(username="head.of.highways", roles=["senior_manager"], teams=["highways"])
    make_user(username="complaints.manager", roles=["complaints_manager"])


def test_a_restriction_proposed_and_decided_shows_a_banner_on_the_case_and_the_contact_record(app, case, as_user):
    _people(app)
    ref = _propose_and_decide(case, as_user)
    html = _get(as_user("highways.officer"), f"/cases/{ref}").get_data(as_text=True)
    assert "Contact with Sam Resident is restricted" in html
    assert "named.officer" in html and "Applies to: highways only" in html
    record = _get(as_user("cr.officer"), f"/contacts/{_contact_id(ref)}").get_data(as_text=True)
    assert "Contact with Sam Resident is restricted" in record
    assert "The decision letter" in record and "Ombudsman" in record


def test_a_service_officer_cannot_open_the_decision_task(app, case, as_user):
    _people(app)
    ref = case["reference"]
    _post(as_user("highways.officer"), f"/cases/{ref}/restriction", {
        "behaviour": "Calls 20 times a day", "evidence": "Call log", "adjustments": "Considered",
        "case_references": [ref]}, f"/cases/{ref}/restriction")
    task_id = _task_id(ref, "Decide on the restriction")
    assert _get(as_user("highways.officer"), f"/tasks/{task_id}").status_code == 404


def test_the_intake_form_from_a_contact_record_shows_the_restriction_and_the_new_complaint_goes_to_the_officer(
        app, case, as_user):
    _people(app)
    ref = _propose_and_decide(case, as_user)
    cr = as_user("cr.officer")
    contact = _contact_id(ref)
    form = _get(cr, f"/contacts/new?contact={contact}").get_data(as_text=True)
    assert "Contact with Sam Resident is restricted" in form and 'value="sam@example.org"' in form
    response = _post(cr, "/contacts/new", {
        "contact": str(contact), "kind": "complaint", "channel": "letter", "service_area": "highways",
        "summary": "The pothole is back", "social_care": "none", "complainant.name": "Sam Resident",
        "complainant.email": "sam@example.org"}, f"/contacts/new?contact={contact}")
    assert response.status_code == 302, response.get_data(as_text=True)
    new_ref = response.headers["Location"].rsplit("/", 1)[1]
    page = _get(cr, f"/cases/{new_ref}").get_data(as_text=True)
    assert "Contact with Sam Resident is restricted" in page
    assert "is under a contact restriction: this contact has gone to their single point of contact" in page
    assert re.search(r"Acknowledge complaint</a>:\s*held by named.officer", page)
    assert "read for new issues and safeguarding" in page


def test_no_banner_on_a_case_outside_the_restrictions_scope(app, case, as_user):
    _people(app)
    _propose_and_decide(case, as_user)
    cr = as_user("cr.officer")
    response = _post(cr, "/contacts/new", {
        "kind": "complaint", "channel": "letter", "service_area": "waste", "summary": "Bin missed",
        "social_care": "none", "complainant.name": "Sam Resident", "complainant.email": "sam@example.org"},
        "/contacts/new")
    waste_ref = response.headers["Location"].rsplit("/", 1)[1]
    page = _get(cr, f"/cases/{waste_ref}").get_data(as_text=True)
    assert "is restricted" not in page
    assert "held by named.officer" not in page


def test_abuse_towards_staff_is_recorded_on_the_case_with_errors_shown_first(app, case, as_user):
    ref = case["reference"]
    officer = as_user("highways.officer")
    refused = _post(officer, f"/cases/{ref}/abuse", {"abuse.kind": "verbal"}, f"/cases/{ref}")
    assert refused.status_code == 400
    assert "There is a problem" in refused.get_data(as_text=True)
    done = _post(officer, f"/cases/{ref}/abuse", {
        "abuse.occurred_on-day": "5", "abuse.occurred_on-month": "1", "abuse.occurred_on-year": "2026",
        "abuse.kind": "threat", "abuse.description": "Threatened the receptionist"}, f"/cases/{ref}")
    assert done.status_code == 302
    page = _get(officer, f"/cases/{ref}").get_data(as_text=True)
    assert "Threatened the receptionist" in page
    proposal = _get(officer, f"/cases/{ref}/restriction").get_data(as_text=True)
    assert "Abuse towards staff recorded on this person" in proposal


def test_duplicate_contact_records_are_merged_from_the_record(app, case, as_user):
    cr = as_user("cr.officer")
    response = _post(cr, "/contacts/new", {
        "kind": "complaint", "channel": "letter", "service_area": "highways", "summary": "Street light out",
        "social_care": "none", "complainant.name": "Samantha Resident", "complainant.email": "s.r@example.net"},
        "/contacts/new")
    other = _contact_id(response.headers["Location"].rsplit("/", 1)[1])
    keep = _contact_id(case["reference"])
    refused = _post(cr, f"/contacts/{keep}/merge", {"merge_id": str(other), "reason": ""}, f"/contacts/{keep}")
    assert refused.status_code == 400
    merged = _post(cr, f"/contacts/{keep}/merge", {"merge_id": str(other), "reason": "Same person, confirmed by phone"},
                   f"/contacts/{keep}")
    assert merged.status_code == 302
    record = _get(cr, f"/contacts/{keep}").get_data(as_text=True)
    assert "Street light out" in record and case["reference"] in record
    assert _get(cr, f"/contacts/{other}").status_code == 302
    assert _post(as_user("highways.officer"), f"/contacts/{keep}/merge",
                 {"merge_id": str(other), "reason": "x"}, f"/contacts/{keep}").status_code == 404


def test_the_report_lists_restrictions_in_force_with_their_review_dates(app, case, as_user):
    _people(app)
    _propose_and_decide(case, as_user)
    page = _get(as_user("complaints.manager"), "/reports/restrictions").get_data(as_text=True)
    assert "Sam Resident" in page and "6 July 2026" in page
    assert _get(as_user("highways.officer"), "/reports/restrictions").status_code == 404
