"""The complainant's private link: only a hash is kept, revoked and made-up tokens look alike, requests are limited."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from engine import clock, notes, rate_limit, status_links
from engine.errors import Conflict, NotFound, RateLimited, ValidationFailed
from engine.models import AuditEvent, Case, Notification, StatusLink, db
from tests.factories import acknowledge, at, make_user, open_complaint, stage1_response

from .test_corporate_procedure import complete

ON = date(2026, 1, 20)


@pytest.fixture
def people(app):
    return {"cr": make_user(username="cr.officer"), "highways": make_user(username="hw.officer", teams=["highways"]),
            "ip": make_user(username="ip.person", roles=["independent_person"], teams=[])}


def link_for(reference: str) -> str:
    case = db.session.scalar(select(Case).where(Case.reference == reference))
    token = status_links.issue_link(case, actor_name="test")
    db.session.commit()
    return token


def status(token: str, client: str = "203.0.113.7", on: date = ON) -> dict:
    with clock.frozen_at(at(on)):
        return status_links.status_page(token, client=client)


def answered_case(people) -> str:
    ref = open_complaint(people["cr"], on=date(2025, 12, 19))["reference"]
    complete(ref, "Acknowledge complaint", acknowledge("2025-12-22"), people["cr"], date(2025, 12, 22))
    complete(ref, "Stage 1 response", stage1_response("2026-01-07"), people["highways"], date(2026, 1, 7))
    return ref


def test_only_the_sha256_of_the_token_is_stored(people):
    ref = open_complaint(people["cr"])["reference"]
    token = link_for(ref)
    assert len(token) >= 43  # secrets.token_urlsafe(32)
    [row] = db.session.scalars(select(StatusLink)).all()
    assert row.token_hash == status_links.hash_token(token) and len(row.token_hash) == 64
    assert token not in row.token_hash
    assert status(token)["reference"] == ref
    assert link_for(ref) != token  # every link is new


def test_an_unknown_a_wrong_and_a_revoked_token_are_refused_alike(people):
    ref = open_complaint(people["cr"])["reference"]
    token = link_for(ref)
    refusals = []
    for bad in ("x" * 43, token[:-1] + ("A" if token[-1] != "A" else "B"), "", "y" * 500, ref):
        with pytest.raises(NotFound) as refused:
            status(bad)
        refusals.append(str(refused.value))
    status_links.revoke_links(ref, user=people["cr"])
    with pytest.raises(NotFound) as revoked:
        status(token)
    assert set(refusals) == {str(revoked.value)} == {"Not found"}


def test_staff_revoke_and_reissue_links_and_it_is_audited(people):
    ref = open_complaint(people["cr"])["reference"]
    old = link_for(ref)
    with pytest.raises(NotFound):  # appointed people do not manage the complainant's links
        status_links.revoke_links(ref, user=people["ip"])
    sent = status_links.send_new_link(ref, user=people["cr"])
    assert sent["emailed_to"] == "sam@example.org"
    with pytest.raises(NotFound):
        status(old)
    assert status(sent["token"])["reference"] == ref
    email = db.session.scalars(select(Notification).where(Notification.kind == "new_status_link")).one()
    assert sent["token"] in email.body and email.recipients == ["sam@example.org"]
    assert status_links.revoke_links(ref, user=people["cr"]) == 1
    with pytest.raises(NotFound):
        status(sent["token"])
    events = db.session.scalars(select(AuditEvent.event)).all()
    assert "status_links_revoked" in events and events.count("status_link_issued") == 2


def test_requests_are_limited_per_client_and_token_in_fixed_windows(people):
    token = link_for(open_complaint(people["cr"])["reference"])
    for _ in range(status_links.REQUESTS_PER_WINDOW):
        status(token)
    with pytest.raises(RateLimited):
        status(token)
    with pytest.raises(RateLimited):  # the limit is checked before the token, so guesses count too
        with clock.frozen_at(at(ON)):
            status_links.request_next_stage(token, "Unhappy", client="203.0.113.7")
    assert status(token, client="198.51.100.2")["reference"]  # another client is not held up
    later = at(ON) + timedelta(seconds=rate_limit.WINDOW_SECONDS)
    with clock.frozen_at(later):
        assert status_links.status_page(token, client="203.0.113.7")["reference"]  # the next window


def test_unknown_tokens_count_towards_the_limit_like_real_ones(people):
    for _ in range(status_links.REQUESTS_PER_WINDOW):
        with pytest.raises(NotFound):
            status("guess")
    with pytest.raises(RateLimited):
        status("guess")


def test_the_status_shows_stage_next_deadline_and_a_safe_history(people):
    ref = open_complaint(people["cr"], on=date(2025, 12, 19))["reference"]
    with clock.frozen_at(at(date(2025, 12, 22))):
        notes.add_note(ref, "Complainant sounded angry; internal only", user=people["cr"])
    token = link_for(ref)
    view = status(token, on=date(2025, 12, 22))
    assert view["stage"] == "Stage 1" and view["status"] == "open"
    assert view["next_deadline"] == {"text": "We will acknowledge your complaint", "due_on": date(2025, 12, 30)}
    assert [entry["text"] for entry in view["history"]] == ["We received your complaint"]
    assert "cr.officer" not in repr(view) and "angry" not in repr(view)
    assert view["next_stage"] is None


def test_the_complainant_asks_for_the_next_stage_inside_the_window(people):
    ref = answered_case(people)
    token = link_for(ref)
    view = status(token)
    assert view["next_stage"] == {"name": "Stage 2", "until": date(2026, 2, 4)}
    with pytest.raises(ValidationFailed):
        with clock.frozen_at(at(ON)):
            status_links.request_next_stage(token, "  ", client="203.0.113.7")
    with clock.frozen_at(at(ON)):
        view = status_links.request_next_stage(token, "The repair was poor", client="203.0.113.7")
    assert view["stage"] == "Stage 2" and view["next_stage"] is None
    assert [e["text"] for e in view["history"]] == [
        "We received your complaint", "We acknowledged your complaint", "We sent you our Stage 1 response",
        "You asked for Stage 2"]
    assert view["next_deadline"]["text"] == "We will acknowledge your request for Stage 2"
    requested = db.session.scalars(select(AuditEvent).where(AuditEvent.event == "next_stage_requested")).one()
    assert requested.actor == status_links.COMPLAINANT and "The repair was poor" in requested.detail
    with pytest.raises(Conflict):
        with clock.frozen_at(at(ON)):
            status_links.request_next_stage(token, "Again", client="203.0.113.7")


def test_the_next_stage_cannot_be_asked_for_before_the_response_or_after_the_window(people):
    early = link_for(open_complaint(people["cr"], on=date(2025, 12, 19))["reference"])
    with pytest.raises(Conflict):
        with clock.frozen_at(at(date(2025, 12, 22))):
            status_links.request_next_stage(early, "Too slow", client="203.0.113.7")
    late = link_for(answered_case(people))
    assert status(late, on=date(2026, 2, 5))["next_stage"] is None
    with pytest.raises(Conflict):
        with clock.frozen_at(at(date(2026, 2, 5))):
            status_links.request_next_stage(late, "Too late", client="203.0.113.7")
