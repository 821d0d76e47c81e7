"""An Independent Person tries every route of the application against a case they are not appointed to.

Appointed people are deny-by-default: every page and API route that names another case or task answers
404 (or 403), the lists show nothing of it, and staff-only pages do not exist for them.
"""
from __future__ import annotations

from datetime import date

import pytest

from engine import users
from engine.models import HumanTask, db
from tests.factories import make_user, open_complaint
from tests.web.officer_client import page_client_for, signed_in

ALLOWED_WITHOUT_PARAMETERS = {"pages.home", "pages.accessibility", "pages.inbox", "auth.sign_in",
                              "auth.sign_out", "api.openapi", "api.list_tasks", "static",
                              # The public complaint form, open to anyone (it names no case).
                              "public.start", "public.check_answers", "public.confirmation",
                              "public.young_start", "public.young_check_answers", "public.young_confirmation"}


@pytest.fixture
def other_case(app):
    officer = make_user(username="cs.officer", teams=["customer_relations", "childrens_social_care"])
    make_user(username="ip.elsewhere", roles=["independent_person"], teams=[])
    case = open_complaint(officer, on=date(2025, 12, 19), service_area="childrens_social_care",
                          social_care="children")
    task = db.session.query(HumanTask).filter_by(case_reference=case["reference"]).first()
    return {"reference": case["reference"], "task_id": task.id}


def _leaks(text: str) -> bool:
    """Whether a response shows anything of the other case (an error may echo back the reference asked for)."""
    return "Sam Resident" in text or "Pothole reported" in text or "sam@example.org" in text


def _urls(app, other_case):
    values = {"reference": other_case["reference"], "task_id": other_case["task_id"], "attachment_id": "1",
              "appointment_id": "1", "filename": "app.css"}
    adapter = app.url_map.bind("localhost")
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        url = adapter.build(rule.endpoint, {arg: values.get(arg, "1") for arg in rule.arguments})
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule, method, url


def test_independent_person_reaches_nothing_of_a_case_they_are_not_appointed_to(app, other_case):
    client = signed_in(page_client_for(app), "ip.elsewhere")
    token = users.issue_token("ip.elsewhere")
    checked = 0
    for rule, method, url in _urls(app, other_case):
        if rule.endpoint == "auth.sign_out":
            continue
        headers = {"Authorization": f"Bearer {token}"} if url.startswith("/api/") else {}
        body = {"json": {"data": {}, "reason": "x"}} if url.startswith("/api/") and method == "POST" else {"data": {}}
        response = client.open(url, method=method, headers=headers, **body)
        text = response.get_data(as_text=True)
        if rule.arguments - {"filename"}:
            # Names the other case or its task: must not exist for them (CSRF refusals are 400 before that).
            assert response.status_code in (400, 403, 404), (method, url, response.status_code)
            assert not _leaks(text), (method, url)
        elif rule.endpoint not in ALLOWED_WITHOUT_PARAMETERS:
            assert response.status_code in (400, 403, 404), (method, url, response.status_code)
        else:
            assert other_case["reference"] not in text and not _leaks(text), (method, url)
        checked += 1
    assert checked >= 15


def test_posting_with_a_valid_csrf_token_is_still_refused_for_another_case(app, other_case):
    from tests.web.officer_client import post_form

    client = signed_in(page_client_for(app), "ip.elsewhere")
    for rule, method, url in _urls(app, other_case):
        if method != "POST" or url.startswith("/api/") or not (rule.arguments - {"filename"}):
            continue
        response = post_form(client, url, {"note": "hello", "reason": "x", "assignee": "ip.elsewhere"})
        assert response.status_code in (403, 404), (url, response.status_code)
