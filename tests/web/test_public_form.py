"""The public complaint form: one question per page, check your answers, a case opened with channel web."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from engine.models import AuditEvent, Case, Notification, StatusLink
from engine.status_links import hash_token

from .officer_client import csrf_token, fresh, page_client_for

ADULT = {
    "what-about": {"kind": "complaint"},
    "service": {"service_area": "highways"},
    "social-care": {"social_care": "none"},
    "what-happened": {"what_happened": "The pothole outside 12 Mill Lane was reported three times.\nStill there."},
    "put-right": {"put_right": "Repair the road and apologise."},
    "contractor": {"contractor": "yes"},
    "company-name": {"contractor_name": "Roadworks Ltd"},
    "on-behalf": {"on_behalf": "someone_else"},
    "someone-else": {"behalf_name": "Pat Resident", "behalf_relationship": "Mother"},
    "consent": {"behalf_consent": "agreed"},
    "your-details": {"name": "Sam Resident", "email": "sam@example.org", "phone": "01632 960000", "address": ""},
    "contact-preference": {"preferred_contact": "email"},
}
YOUNG = {
    "what-about": {"kind": "complaint"},
    "what-happened": {"what_happened": "My social worker keeps missing our meetings."},
    "put-right": {"put_right": "Come when you say you will."},
    "advocate": {"advocate": "yes"},
    "your-details": {"name": "Alex", "email": "alex@example.org", "phone": "", "address": ""},
    "contact-preference": {"preferred_contact": "email"},
}


@pytest.fixture
def visitor(app):
    return page_client_for(app)


def answer(client, url: str, data: dict):
    return client.post(url, data={**data, "csrf_token": csrf_token(client, url)})


def fill_in(client, answers: dict, prefix: str = "/complain") -> None:
    for slug, data in answers.items():
        response = answer(client, f"{prefix}/{slug}", data)
        assert response.status_code == 302, (slug, response.get_data(as_text=True))


def send(client, prefix: str = "/complain"):
    return answer(client, f"{prefix}/check-answers", {})


def test_the_start_page_leads_to_the_first_question_and_offers_the_young_persons_form(visitor):
    html = visitor.get("/complain").get_data(as_text=True)
    assert 'href="/complain/what-about"' in html and "Start now" in html
    assert 'href="/complain/young-person"' in html


@pytest.mark.parametrize("slug, anchor, message", [
    ("what-about", "kind", "Select what you would like to tell us about"),
    ("service", "service_area", "Select the service it is about"),
    ("social-care", "social_care", "Select whether it is about social care"),
    ("what-happened", "what_happened", "Tell us what happened"),
    ("contractor", "contractor", "Select whether the service was provided by a company"),
    ("on-behalf", "on_behalf", "Select whether you are contacting us for yourself"),
    ("company-name", "contractor_name", "Enter the name of the company"),
    ("someone-else", "behalf_name", "Enter their full name"),
    ("consent", "behalf_consent", "Select whether they have agreed to you contacting us for them"),
    ("consent-reason", "behalf_reason", "Tell us why they cannot agree"),
    ("your-details", "name", "Enter your full name"),
    ("contact-preference", "preferred_contact", "Select how you would like us to contact you"),
])
def test_each_page_shows_the_error_summary_and_the_error_by_the_field(visitor, slug, anchor, message):
    response = answer(visitor, f"/complain/{slug}", {})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "govuk-error-summary" in html and f'href="#{anchor}"' in html and message in html
    assert f'id="{anchor}-error"' in html  # the inline message, tied to the field
    assert "<title>Error: " in html


def test_answers_are_checked_across_a_page(visitor):
    no_contact = answer(visitor, "/complain/your-details", {"name": "Sam", "email": "", "phone": "", "address": ""})
    assert "Enter an email address, phone number or postal address" in no_contact.get_data(as_text=True)
    bad_email = answer(visitor, "/complain/your-details", {"name": "Sam", "email": "sam-at-home"})
    assert "Enter an email address in the correct format" in bad_email.get_data(as_text=True)
    assert 'value="sam-at-home"' in bad_email.get_data(as_text=True)  # kept as typed
    fill_in(visitor, {"your-details": {"name": "Sam", "email": "", "phone": "01632 960000", "address": ""}})
    by_email = answer(visitor, "/complain/contact-preference", {"preferred_contact": "email"})
    assert by_email.status_code == 400
    assert "Choose a way to contact you that you gave us details for" in by_email.get_data(as_text=True)
    made_up = answer(visitor, "/complain/service", {"service_area": "space_programme"})
    assert made_up.status_code == 400


def test_pages_follow_in_order_and_skip_what_does_not_apply(visitor):
    assert answer(visitor, "/complain/what-about", {"kind": "compliment"}).headers["Location"] == "/complain/service"
    answer(visitor, "/complain/service", {"service_area": "libraries"})
    answer(visitor, "/complain/social-care", {"social_care": "none"})
    # A compliment is not asked what would put it right; a person writing for themselves is not asked about another.
    assert answer(visitor, "/complain/what-happened", {"what_happened": "Lovely staff"}).headers["Location"] \
        == "/complain/contractor"
    assert answer(visitor, "/complain/contractor", {"contractor": "no"}).headers["Location"] == "/complain/on-behalf"
    assert answer(visitor, "/complain/on-behalf", {"on_behalf": "myself"}).headers["Location"] \
        == "/complain/your-details"
    # Check your answers sends the visitor back to anything not yet answered.
    assert visitor.get("/complain/check-answers").headers["Location"] == "/complain/your-details"


def test_check_your_answers_lists_every_answer_with_a_change_link(visitor):
    fill_in(visitor, ADULT)
    html = visitor.get("/complain/check-answers").get_data(as_text=True)
    for shown in ("A complaint", "Highways", "Repair the road and apologise.", "Roadworks Ltd",
                  "Pat Resident", "Mother", "Yes, they have agreed", "sam@example.org", "Email"):
        assert shown in html, shown
    assert 'href="/complain/put-right?change=1#put_right"' in html
    assert '<span class="govuk-visually-hidden"> what would put it right</span>' in html
    # Changing an answer comes straight back to check your answers.
    form_token = csrf_token(visitor, "/complain/put-right")
    change = visitor.post("/complain/put-right?change=1", data={"put_right": "Just repair it",
                                                                "csrf_token": form_token})
    assert change.headers["Location"] == "/complain/check-answers"
    assert "Just repair it" in visitor.get("/complain/check-answers").get_data(as_text=True)


def test_sending_opens_a_case_by_web_and_queues_the_acknowledgement_with_the_private_link(visitor):
    fill_in(visitor, ADULT)
    response = send(visitor)
    assert response.headers["Location"] == "/complain/confirmation"
    case = fresh().scalars(select(Case)).one()
    assert (case.channel, case.kind, case.service_area, case.social_care) == ("web", "complaint", "highways", "none")
    assert case.procedure == "corporate" and case.stage == "stage1"
    assert case.summary == "The pothole outside 12 Mill Lane was reported three times."
    assert case.details.endswith("Still there.") and case.desired_outcome == "Repair the road and apologise."
    assert case.contractor == "Roadworks Ltd"
    assert case.on_behalf_of == {"name": "Pat Resident", "relationship": "Mother", "consent": True}
    assert case.complainant == {"name": "Sam Resident", "email": "sam@example.org", "phone": "01632 960000",
                                "preferred_contact": "email"}

    [email] = fresh().scalars(select(Notification).where(Notification.case_id == case.id)).all()
    assert email.kind == "acknowledgement" and email.recipients == ["sam@example.org"]
    assert case.reference in email.subject
    token = re.search(r"\{inbox_url\}complaint-status/(\S+)", email.body).group(1)
    link = fresh().scalars(select(StatusLink).where(StatusLink.case_id == case.id)).one()
    assert link.token_hash == hash_token(token) and token not in link.token_hash

    confirmation = visitor.get("/complain/confirmation").get_data(as_text=True)
    assert "govuk-panel--confirmation" in confirmation and case.reference in confirmation
    assert "sam@example.org" in confirmation and token not in confirmation
    assert visitor.get(f"/complaint-status/{token}").status_code == 200


def test_sending_twice_opens_one_case(visitor):
    fill_in(visitor, ADULT)
    token = csrf_token(visitor, "/complain/check-answers")
    send(visitor)
    again = visitor.post("/complain/check-answers", data={"csrf_token": token})  # the back button, then Send
    assert again.status_code == 302 and again.headers["Location"] == "/complain/what-about"
    assert len(fresh().scalars(select(Case)).all()) == 1


def test_without_an_email_address_the_link_is_shown_once_on_the_confirmation_page(visitor):
    fill_in(visitor, {**ADULT, "your-details": {"name": "Sam", "email": "", "phone": "01632 960000", "address": ""},
                      "contact-preference": {"preferred_contact": "phone"}})
    send(visitor)
    assert fresh().scalars(select(Notification)).all() == []
    first = visitor.get("/complain/confirmation").get_data(as_text=True)
    token = re.search(r"/complaint-status/([A-Za-z0-9_-]+)", first).group(1)
    assert visitor.get(f"/complaint-status/{token}").status_code == 200
    assert "/complaint-status/" not in visitor.get("/complain/confirmation").get_data(as_text=True)


def test_someone_who_cannot_agree_is_recorded_with_the_reason(visitor):
    fill_in(visitor, {**ADULT, "someone-else": {"behalf_name": "Kim", "behalf_relationship": "Son"},
                      "consent": {"behalf_consent": "cannot_agree"},
                      "consent-reason": {"behalf_reason": "My father has advanced dementia."}})
    send(visitor)
    case = fresh().scalars(select(Case)).one()
    assert case.on_behalf_of == {"name": "Kim", "relationship": "Son", "consent": True,
                                 "no_consent_reason": "My father has advanced dementia."}


def test_the_young_persons_form_is_in_plain_words_and_records_the_advocate(visitor):
    start = visitor.get("/complain/young-person").get_data(as_text=True)
    assert "Tell us if you are unhappy" in start and 'href="/complain/young-person/what-about"' in start
    question = visitor.get("/complain/young-person/advocate").get_data(as_text=True)
    assert "Would you like an advocate to help you?" in question
    refused = answer(visitor, "/complain/young-person/advocate", {})
    assert refused.status_code == 400 and 'href="#advocate"' in refused.get_data(as_text=True)

    fill_in(visitor, YOUNG, prefix="/complain/young-person")
    assert "service_area" not in visitor.get("/complain/young-person/check-answers").get_data(as_text=True)
    assert send(visitor, "/complain/young-person").headers["Location"] == "/complain/young-person/confirmation"
    case = fresh().scalars(select(Case)).one()
    assert (case.service_area, case.social_care, case.channel) == ("childrens_social_care", "children", "web")
    assert case.procedure == "childrens_statutory" and case.advocate_requested is True
    events = fresh().scalars(select(AuditEvent.event).where(AuditEvent.case_id == case.id)).all()
    assert "advocate_requested" in events
    assert "Thank you for telling us" in visitor.get("/complain/young-person/confirmation").get_data(as_text=True)


def test_a_young_person_who_wants_no_advocate_is_recorded_too(visitor):
    fill_in(visitor, {**YOUNG, "advocate": {"advocate": "no"}}, prefix="/complain/young-person")
    send(visitor, "/complain/young-person")
    case = fresh().scalars(select(Case)).one()
    assert case.advocate_requested is False
    assert "advocate_not_wanted" in fresh().scalars(select(AuditEvent.event)).all()


def test_the_form_needs_the_csrf_token(visitor):
    assert visitor.post("/complain/what-about", data={"kind": "complaint"}).status_code == 400
