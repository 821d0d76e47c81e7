"""Fixtures shared by the page tests: a corporate case with officers of three teams, and signed-in clients."""
from __future__ import annotations

import pytest

from tests.factories import make_user, open_complaint
from tests.web.officer_client import page_client_for, signed_in


@pytest.fixture
def case(app):
    officer = make_user(username="cr.officer")
    make_user(username="highways.officer", teams=["highways"])
    make_user(username="waste.officer", teams=["waste"])
    return open_complaint(officer)


@pytest.fixture
def as_user(app):
    def client_for(username):
        return signed_in(page_client_for(app), username)

    return client_for
