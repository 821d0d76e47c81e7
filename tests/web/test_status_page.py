"""The complainant's status page: only the private link opens it, and it shows nothing of anyone else."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from engine import clock, notes, status_links
from engine.models import AuditEvent, Case, db
from tests.engine.test_corporate_procedure import complete
from tests.factories import acknowledge, at, make_user, open_complaint, stage1_response

from .officer_client import csrf_token, fresh, page_client_for, post_form, signed_in

ON = date(2026, 1, 20)


@pytest.fixture
def people(app):
    return {"cr": make_user(username="cr.officer"), "highways": make_user(username="hw.officer", teams=["highways"])}


@pytest.fixture
def visitor(app):
    return page_client_for(app)


def link_for(reference: str) -> str:
    case = db.session.scalar(select(Case).where(Case.reference == reference))
    token = status_links.issue_link(case, actor_name="test")
    db.session.commit()
    return token


def get(client, url: str, on: date = ON):
    with clock.frozen_at(at(on)):
        return client.get(url)


def answered(people) -> str:
    ref = open_complaint(people["cr"], on=date(2025, 12, 19))["reference"]
    complete(ref, "Acknowledge complaint", acknowledge("2025-12-22"), people["cr"], date(2025, 12, 22))
    complete(ref, "Stage 1 response", stage1_response("2026-01-07"), people["highways"], date(2026, 1, 7))
    return ref


def ask(client, token: str, reason: str, on: date = ON):
    url = f"/complaint-status/{token}"
    with clock.frozen_at(at(on)):
        return client.post(f"{url}/next-stage", data={"reason": reason, "csrf_token": csrf_token(client, url)})


def test_the_private_link_shows_the_case(people, visitor):
    ref = open_complaint(people["cr"], on=date(2025, 12, 19))["reference"]
    response = get(visitor, f"/complaint-status/{link_for(ref)}", on=date(2025, 12, 22))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert ref in html and "Stage 1" in html and "Highways" in html
    assert "We will acknowledge your complaint by" in html and "30 December 2025" in html
    assert "We received your complaint" in html
    assert 'content="noindex, nofollow"' in html and response.headers["Cache-Control"] == "no-store"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_wrong_unknown_and_revoked_tokens_get_the_same_not_found_page(people, visitor):
    ref = open_complaint(people["cr"])["reference"]
    token = link_for(ref)
    unknown = get(visitor, "/no-such-page")
    assert unknown.status_code == 404
    status_links.revoke_links(ref, user=people["cr"])
    for url in (f"/complaint-status/{token}", f"/complaint-status/{token[:-2]}", "/complaint-status/x" * 3,
                f"/complaint-status/{ref}", "/complaint-status/", f"/complain/{ref}"):
        response = get(visitor, url)
        assert response.status_code == 404, url
        assert response.get_data() == unknown.get_data(), url
    form_token = csrf_token(visitor, "/complain/what-about")  # a valid CSRF token, so only the link is wrong
    response = visitor.post(f"/complaint-status/{token}/next-stage", data={"reason": "x", "csrf_token": form_token})
    assert response.status_code == 404 and response.get_data() == unknown.get_data()


def test_one_link_shows_nothing_of_other_cases_staff_or_notes(people, visitor):
    mine = open_complaint(people["cr"], on=date(2025, 12, 19))["reference"]
    other = open_complaint(people["cr"], on=date(2025, 12, 19),
                           summary="Bins missed on Elm Road", service_area="waste")["reference"]
    with clock.frozen_at(at(date(2025, 12, 22))):
        notes.add_note(mine, "Internal: the complainant has phoned four times", user=people["cr"])
    html = get(visitor, f"/complaint-status/{link_for(mine)}").get_data(as_text=True)
    assert other not in html and "Elm Road" not in html
    assert "cr.officer" not in html and "Internal" not in html and "phoned" not in html
    assert "Sam Resident" not in html and "sam@example.org" not in html  # personal details stay off the page


def test_the_complainant_asks_for_the_next_stage_inside_the_window(people, visitor):
    token = link_for(answered(people))
    html = get(visitor, f"/complaint-status/{token}").get_data(as_text=True)
    assert "Ask for Stage 2" in html and "4 February 2026" in html
    refused = ask(visitor, token, "")
    assert refused.status_code == 400 and 'href="#reason"' in refused.get_data(as_text=True)
    response = ask(visitor, token, "The repair was poor")
    assert response.status_code == 302 and response.headers["Location"] == f"/complaint-status/{token}"
    html = get(visitor, f"/complaint-status/{token}").get_data(as_text=True)
    assert "We have received your request for Stage 2" in html and "You asked for Stage 2" in html
    assert "Ask for Stage 2" not in html
    assert fresh().scalars(select(Case)).one().stage == "stage2"


def test_outside_the_window_there_is_no_form_and_a_request_is_refused(people, visitor):
    token = link_for(answered(people))
    url = f"/complaint-status/{token}"
    with clock.frozen_at(at(ON)):
        form_token = csrf_token(visitor, url)  # the page was open while the window was
    assert "Ask for Stage 2" not in get(visitor, url, on=date(2026, 2, 5)).get_data(as_text=True)
    with clock.frozen_at(at(date(2026, 2, 5))):
        response = visitor.post(f"{url}/next-stage", data={"reason": "Late", "csrf_token": form_token})
    assert response.status_code == 409
    assert "You cannot ask for the next stage now" in response.get_data(as_text=True)
    assert fresh().scalars(select(Case)).one().stage == "stage1"


def test_staff_stop_a_link_and_send_a_new_one_from_the_case_page(people, visitor, app):
    ref = open_complaint(people["cr"])["reference"]
    token = link_for(ref)
    officer = signed_in(page_client_for(app), "cr.officer")
    page = officer.get(f"/cases/{ref}").get_data(as_text=True)
    assert "1 link works now" in page and "Stop the link working" in page
    assert post_form(officer, f"/cases/{ref}/status-link/revoke", token_from=f"/cases/{ref}").status_code == 302
    assert get(visitor, f"/complaint-status/{token}").status_code == 404
    sent = post_form(officer, f"/cases/{ref}/status-link", token_from=f"/cases/{ref}")
    assert sent.status_code == 302
    assert "emailed to sam@example.org" in officer.get(f"/cases/{ref}").get_data(as_text=True)
    events = fresh().scalars(select(AuditEvent.event).where(AuditEvent.actor == "cr.officer")).all()
    assert "status_links_revoked" in events and "status_link_issued" in events


def test_too_many_requests_are_refused_for_a_while(people, visitor):
    token = link_for(open_complaint(people["cr"])["reference"])
    for _ in range(status_links.REQUESTS_PER_WINDOW):
        assert get(visitor, f"/complaint-status/{token}").status_code == 200
    refused = get(visitor, f"/complaint-status/{token}")
    assert refused.status_code == 429 and refused.headers["Retry-After"] == "60"
