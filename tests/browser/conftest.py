"""The real app served over HTTP in a background thread, and one Debian Chromium per test session.

Playwright never downloads a browser here: it drives /usr/bin/chromium. Without it the browser tests
skip on a developer's machine and fail under CI=true (tests.conftest.service_missing).
"""
from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from engine.models import db
from tests.conftest import service_missing
from tests.factories import make_user, open_complaint
from web import create_app
from web.setup import prepare_database

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
PROJECT_ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = PROJECT_ROOT / "test-artifacts" / "screenshots"
AXE = PROJECT_ROOT / "web" / "static" / "dist" / "axe.min.js"
PASSWORD = "secret-pass-1"


@pytest.fixture(scope="session")
def live_app(tmp_path_factory):
    instance = tmp_path_factory.mktemp("browser-instance")
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{instance / 'browser.sqlite3'}", "TESTING": True,
                      "SECRET_KEY": "browser-tests", "SESSION_COOKIE_SECURE": False,
                      "UPLOAD_DIR": str(instance / "uploads")})
    prepare_database(app)
    with app.app_context():
        make_user(username="cr.officer", password=PASSWORD)
        make_user(username="highways.officer", teams=["highways"], password=PASSWORD)
        db.session.remove()
    return app


@pytest.fixture(scope="session")
def base_url(live_app):
    server = make_server("127.0.0.1", 0, live_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="browser-test-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)


@pytest.fixture
def new_case(live_app):
    """Open a fresh corporate complaint (its acknowledgement task waits in customer relations' team inbox)."""
    def open_one() -> str:
        from engine.users import get_user

        with live_app.app_context():
            reference = open_complaint(get_user("cr.officer"))["reference"]
            db.session.remove()
        return reference

    return open_one


@pytest.fixture(scope="session")
def browser():
    if not os.access(CHROMIUM, os.X_OK):
        service_missing(f"Chromium at {CHROMIUM}", FileNotFoundError(CHROMIUM))
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture(params=["javascript", "no-javascript"])
def page(request, browser, base_url):
    """A fresh browser context (no cookies) per test, once with JavaScript and once without."""
    context = browser.new_context(base_url=base_url, java_script_enabled=request.param == "javascript")
    context.set_default_timeout(10_000)
    tab = context.new_page()
    tab.javascript = request.param == "javascript"
    yield tab
    context.close()


def screenshot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    suffix = "js" if getattr(page, "javascript", True) else "nojs"
    page.screenshot(path=str(SCREENSHOTS / f"{name}-{suffix}.png"), full_page=True)
