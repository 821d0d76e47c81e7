"""Every route declares who may use it, and signed-out visitors reach nothing but the public pages."""
from __future__ import annotations

import pytest

KNOWN_RULES = {"public", "signed in", "staff", "admin", "process owner", "api token"}
# The only routes anyone may use without signing in. Adding one is a decision: change this list on purpose.
PUBLIC_ENDPOINTS = {"static", "auth.sign_in", "pages.home", "pages.accessibility", "api.openapi",
                    # The public's complaint form and the complainant's status page (private link).
                    "public.start", "public.question", "public.check_answers", "public.confirmation",
                    "public.young_start", "public.young_question", "public.young_check_answers",
                    "public.young_confirmation", "public.status", "public.next_stage"}
DUMMY_VALUES = {"task_id": "00000000-0000-0000-0000-000000000000", "reference": "CMP-2025-000001",
                "draft_id": 1, "version_id": 1}


def _rules(app):
    return sorted(app.url_map.iter_rules(), key=lambda rule: rule.rule)


def _url(app, rule) -> str:
    values = {arg: DUMMY_VALUES.get(arg, "dummy") for arg in rule.arguments}
    return app.url_map.bind("localhost").build(rule.endpoint, values)


def test_every_route_declares_an_access_rule(sqlite_only_app):
    missing = {rule.endpoint: rule.rule for rule in _rules(sqlite_only_app)
               if getattr(sqlite_only_app.view_functions[rule.endpoint], "access_rule", None) not in KNOWN_RULES}
    assert missing == {}, f"routes without a known access_rule (see web/access.py): {missing}"


def test_only_the_allow_listed_routes_are_public(sqlite_only_app):
    public = {rule.endpoint for rule in _rules(sqlite_only_app)
              if getattr(sqlite_only_app.view_functions[rule.endpoint], "access_rule", None) == "public"}
    assert public == PUBLIC_ENDPOINTS


def test_api_routes_need_a_token_and_pages_do_not_take_one(sqlite_only_app):
    for rule in _rules(sqlite_only_app):
        access_rule = sqlite_only_app.view_functions[rule.endpoint].access_rule
        if rule.rule.startswith("/api/"):
            assert access_rule in {"api token", "public"}, rule.rule
        else:
            assert access_rule != "api token", rule.rule


def _guarded_page_gets(app):
    for rule in _rules(app):
        if rule.rule.startswith("/api/") or "GET" not in rule.methods:
            continue
        if app.view_functions[rule.endpoint].access_rule != "public":
            yield rule


def test_signed_out_every_guarded_page_redirects_to_sign_in(sqlite_only_app):
    client = sqlite_only_app.test_client()
    checked = []
    for rule in _guarded_page_gets(sqlite_only_app):
        url = _url(sqlite_only_app, rule)
        response = client.get(url)
        assert response.status_code == 302, f"{url} answered {response.status_code} to a signed-out visitor"
        location = response.headers["Location"]
        assert location.split("?")[0].endswith("/sign-in"), f"{url} sent a signed-out visitor to {location}"
        checked.append(rule.endpoint)
    assert "pages.inbox" in checked and "pages.task" in checked


def test_signed_out_every_api_route_answers_401(sqlite_only_app):
    client = sqlite_only_app.test_client()
    checked = 0
    for rule in _rules(sqlite_only_app):
        if not rule.rule.startswith("/api/") or sqlite_only_app.view_functions[rule.endpoint].access_rule == "public":
            continue
        url = _url(sqlite_only_app, rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(url, method=method, json={} if method == "POST" else None)
            assert response.status_code == 401, f"{method} {url} answered {response.status_code} without a token"
            assert response.is_json, f"{method} {url} should answer JSON"
            checked += 1
        # A made-up token is no better than none.
        response = client.get(url, headers={"Authorization": "Bearer not-a-token"}) if "GET" in rule.methods \
            else client.post(url, json={}, headers={"Authorization": "Bearer not-a-token"})
        assert response.status_code == 401, url
    assert checked >= 8


@pytest.mark.parametrize("path", ["/sign-in", "/accessibility", "/api/openapi.json"])
def test_public_pages_answer_signed_out(sqlite_only_app, path):
    assert sqlite_only_app.test_client().get(path).status_code == 200


def test_signed_out_posts_to_pages_are_refused(sqlite_only_app):
    """Without a session there is no CSRF token, so page POSTs are refused before any view runs."""
    client = sqlite_only_app.test_client()
    for rule in _rules(sqlite_only_app):
        if rule.rule.startswith("/api/") or "POST" not in rule.methods:
            continue
        if sqlite_only_app.view_functions[rule.endpoint].access_rule == "public":
            continue
        response = client.post(_url(sqlite_only_app, rule))
        assert response.status_code in (302, 400), f"POST {rule.rule} answered {response.status_code}"
        if response.status_code == 302:
            assert "/sign-in" in response.headers["Location"]
