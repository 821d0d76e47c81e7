"""Signing in through the real sign-in form (with its CSRF token), for the page tests."""
from __future__ import annotations

import re

from flask.testing import FlaskClient

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_token(client, url: str = "/sign-in") -> str:
    """The CSRF token from a page's form, as a browser would submit it."""
    match = CSRF.search(client.get(url).get_data(as_text=True))
    assert match, f"no csrf_token on {url}"
    return match.group(1)


def sign_in(client, username: str, password: str = "secret-pass-1"):
    return client.post("/sign-in", data={"username": username, "password": password,
                                         "csrf_token": csrf_token(client)})


def signed_in(client, username: str, password: str = "secret-pass-1"):
    response = sign_in(client, username, password)
    assert response.status_code == 302, response.get_data(as_text=True)
    return client


def post_form(client, url: str, data: dict | None = None, token_from: str = "/tasks"):
    """POST a form from a signed-in page, carrying the session's CSRF token."""
    return client.post(url, data={**(data or {}), "csrf_token": csrf_token(client, token_from)})


class PageClient(FlaskClient):
    """A test client whose every request runs in its own app context, as under a real server.

    The `app` fixture keeps an app context pushed for the test's own database calls, and Flask reuses a
    pushed context for requests; `g` would then outlive a request, and Flask-WTF caches the CSRF token in
    `g`, so a token from before sign-in (which clears the session) would be offered after it.
    """

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


def page_client_for(app) -> PageClient:
    return PageClient(app, app.response_class, use_cookies=True)


def fresh():
    """End the test's own read transaction so it sees what requests committed since."""
    from engine.models import db

    db.session.rollback()
    return db.session
