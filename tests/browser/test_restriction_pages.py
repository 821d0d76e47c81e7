"""A restricted person in a real browser: the banner on the case, the contact record and the intake form,
and axe finds no serious problems on the restriction pages."""
from __future__ import annotations

from datetime import date

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from engine import human_tasks, restrictions, users
from engine.models import HumanTask, User, db
from tests.factories import make_user, open_complaint

from .conftest import PASSWORD
from .test_accessibility import assert_accessible, js_page  # noqa: F401  (fixture)
from .test_task_flow import sign_in


@pytest.fixture
def restricted_person(live_app):
    """A highways case whose person is restricted, with named.officer as the single point of contact."""
    with live_app.app_context():
        for username, roles, teams in (("named.officer", ["officer"], ["customer_relations"]),
                                       ("head.of.highways", ["senior_manager"], ["highways"])):
            if db.session.scalar(select(User.id).where(User.username == username)) is None:
                make_user(username=username, roles=roles, teams=teams, password=PASSWORD)
        person = {"name": "Pat Persistent", "email": f"pat{date.today().toordinal()}@example.org"}
        reference = open_complaint(users.get_user("cr.officer"), complainant=person)["reference"]
        restrictions.propose_restriction(reference, {
            "behaviour": "Calls 20 times a day", "evidence": "Call log", "adjustments": "Offered a weekly call",
            "case_references": [reference]}, actor=users.get_user("highways.officer"))
        task_id = db.session.scalar(select(HumanTask.id).where(HumanTask.case_reference == reference,
                                                               HumanTask.name == "Decide on the restriction"))
        human_tasks.complete_task(task_id, {
            "decision": "restrict", "adjustments_considered": True, "measures": ["single_point_of_contact"],
            "single_point_of_contact": "named.officer", "scope": "service_area",
            "decision_reasons": "The calls stop the team working"}, user=users.get_user("head.of.highways"))
        waste = open_complaint(users.get_user("cr.officer"), service_area="waste", complainant=person)["reference"]
        db.session.remove()
    return reference, waste


def test_the_restriction_banner_and_pages_are_accessible(js_page, restricted_person):  # noqa: F811
    page = js_page
    reference, waste = restricted_person
    sign_in(page, "cr.officer")

    page.goto(f"/cases/{reference}")
    banner = page.locator(".app-restriction-banner")
    expect(banner).to_contain_text("Contact with Pat Persistent is restricted")
    expect(banner).to_contain_text("named.officer")
    assert_accessible(page, "case-restricted")

    banner.get_by_role("link", name="See the contact record and the decision").click()
    expect(page.get_by_role("heading", name="Pat Persistent", level=1)).to_be_visible()
    assert_accessible(page, "contact-record")

    page.get_by_role("link", name="Log a new contact from Pat Persistent").click()
    expect(page.locator(".app-restriction-banner")).to_contain_text("single point of contact")
    assert_accessible(page, "intake-restricted")

    page.goto("/reports/restrictions")
    expect(page.locator("#restrictions-table")).to_contain_text("Pat Persistent")
    assert_accessible(page, "restriction-report")

    # Outside its scope (waste) there is no banner, and a restriction can be proposed there.
    page.goto(f"/cases/{waste}")
    expect(page.locator(".app-restriction-banner")).to_have_count(0)
    page.get_by_role("link", name="propose restricting their contact").click()
    page.get_by_role("button", name="Propose the restriction").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert_accessible(page, "restriction-proposal-errors")
