"""Signing in and out: generic errors, lock-out, CSRF, and the session cookie's protections."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from itsdangerous.timed import TimestampSigner

from engine import clock
from tests.factories import make_user
from web import config, create_app

from .officer_client import csrf_token, page_client_for, sign_in

GENERIC = "Enter a correct username and password"
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)


@pytest.fixture
def client(app):
    """Like conftest's `client` (SQLite and PostgreSQL), but with a fresh `g` per request (see PageClient)."""
    return page_client_for(app)


@pytest.fixture
def officer(app):
    return make_user(username="cr.officer", password="right-password-1")


def _error_text(response) -> str:
    html = response.get_data(as_text=True)
    start = html.index('class="govuk-error-message"')
    return html[start:html.index("</p>", start)]


def test_signing_in_and_out(client, officer):
    assert client.get("/tasks").status_code == 302

    response = sign_in(client, "cr.officer", "right-password-1")
    assert response.status_code == 302 and response.headers["Location"] == "/tasks"
    page = client.get("/tasks")
    assert page.status_code == 200 and "Signed in as" in page.get_data(as_text=True)

    response = client.post("/sign-out", data={"csrf_token": csrf_token(client, "/tasks")})
    assert response.status_code == 302 and response.headers["Location"] == "/sign-in"
    assert client.get("/tasks").status_code == 302


def test_after_sign_in_only_a_same_site_next_is_followed(client, officer):
    token = csrf_token(client)
    response = client.post("/sign-in?next=//evil.example/x",
                           data={"username": "cr.officer", "password": "right-password-1", "csrf_token": token})
    assert response.headers["Location"] == "/tasks"


def test_bad_username_and_bad_password_get_the_same_words(client, officer):
    unknown = sign_in(client, "nobody.here", "right-password-1")
    wrong = sign_in(client, "cr.officer", "wrong-password")
    assert unknown.status_code == wrong.status_code == 400
    assert GENERIC in _error_text(unknown)
    assert _error_text(unknown) == _error_text(wrong)
    for response in (unknown, wrong):
        html = response.get_data(as_text=True)
        assert "govuk-error-summary" in html and 'href="#username"' in html
        assert "<title>Error: Sign in" in html
    assert client.get("/tasks").status_code == 302


def test_five_failures_lock_the_account_for_15_minutes(client, officer):
    with clock.frozen_at(NOW):
        for _ in range(5):
            assert sign_in(client, "cr.officer", "wrong-password").status_code == 400
        refused = sign_in(client, "cr.officer", "right-password-1")
    assert refused.status_code == 400
    assert "Too many failed attempts" in _error_text(refused)
    assert client.get("/tasks").status_code == 302

    with clock.frozen_at(NOW + timedelta(minutes=14, seconds=59)):
        assert sign_in(client, "cr.officer", "right-password-1").status_code == 400
    with clock.frozen_at(NOW + timedelta(minutes=15)):
        assert sign_in(client, "cr.officer", "right-password-1").status_code == 302
    assert client.get("/tasks").status_code == 200


def test_four_failures_then_success_resets_the_count(client, officer):
    with clock.frozen_at(NOW):
        for _ in range(4):
            sign_in(client, "cr.officer", "wrong-password")
        assert sign_in(client, "cr.officer", "right-password-1").status_code == 302
        client.post("/sign-out", data={"csrf_token": csrf_token(client, "/tasks")})
        for _ in range(4):
            sign_in(client, "cr.officer", "wrong-password")
        assert sign_in(client, "cr.officer", "right-password-1").status_code == 302


def test_csrf_protection_is_on(app, client, officer):
    assert app.config.get("WTF_CSRF_ENABLED", True) is True
    client.get("/sign-in")
    response = client.post("/sign-in", data={"username": "cr.officer", "password": "right-password-1"})
    assert response.status_code == 400
    assert client.get("/tasks").status_code == 302

    forged = client.post("/sign-in", data={"username": "cr.officer", "password": "right-password-1",
                                            "csrf_token": "forged"})
    assert forged.status_code == 400

    sign_in(client, "cr.officer", "right-password-1")
    assert client.post("/sign-out").status_code == 400  # no token: still signed in
    assert client.get("/tasks").status_code == 200


def test_the_session_cookie_is_http_only_and_same_site(client, officer):
    response = sign_in(client, "cr.officer", "right-password-1")
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("session="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # the test app turns Secure off to run over plain http


def test_the_session_cookie_is_secure_when_configured(sqlite_only_app, tmp_path):
    make_user(username="cr.officer", password="right-password-1")
    secure_app = create_app({"SQLALCHEMY_DATABASE_URI": sqlite_only_app.config["SQLALCHEMY_DATABASE_URI"],
                             "TESTING": True, "SECRET_KEY": "test", "SESSION_COOKIE_SECURE": True,
                             "UPLOAD_DIR": str(tmp_path / "uploads")})
    client = page_client_for(secure_app)
    response = client.post("/sign-in", base_url="https://localhost", headers={"Referer": "https://localhost/sign-in"},
                           data={"username": "cr.officer", "password": "right-password-1",
                                 "csrf_token": csrf_token_over_https(client)})
    assert response.status_code == 302
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("session="))
    assert "Secure" in cookie and "HttpOnly" in cookie


def csrf_token_over_https(client) -> str:
    from .officer_client import CSRF

    return CSRF.search(client.get("/sign-in", base_url="https://localhost").get_data(as_text=True)).group(1)


def test_secure_cookies_are_the_default(monkeypatch, tmp_path):
    monkeypatch.delenv("SESSION_COOKIE_SECURE", raising=False)
    monkeypatch.delenv("SESSION_MINUTES", raising=False)
    settings = config.from_environment(str(tmp_path))
    assert settings["SESSION_COOKIE_SECURE"] is True
    assert settings["SESSION_MINUTES"] == 30


def test_the_session_lasts_30_minutes(app, client, officer, monkeypatch):
    assert app.config["PERMANENT_SESSION_LIFETIME"] == timedelta(minutes=30)
    response = sign_in(client, "cr.officer", "right-password-1")
    with client.session_transaction() as session:
        assert session.permanent
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("session="))
    expires = datetime.strptime(cookie.split("Expires=")[1].split(";")[0], "%a, %d %b %Y %H:%M:%S GMT")
    left = expires.replace(tzinfo=timezone.utc) - datetime.now(timezone.utc)
    assert timedelta(minutes=28) < left <= timedelta(minutes=30)

    # The signed cookie carries its age and is renewed on each request: 31 idle minutes end the session.
    real = TimestampSigner.get_timestamp
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: real(self) + 29 * 60)
    assert client.get("/tasks").status_code == 200
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: real(self) + (29 + 31) * 60)
    with client.session_transaction() as session:
        assert "_user_id" not in session
    response = client.get("/tasks")
    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]
