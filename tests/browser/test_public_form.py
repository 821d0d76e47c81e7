"""A resident makes a complaint in a real browser, then follows it through the private link.

Runs twice, with JavaScript and without (every page must work either way); with JavaScript, axe-core
checks every page, including each page's error state. Screenshots go to test-artifacts/screenshots/.
"""
from __future__ import annotations

import re

from playwright.sync_api import expect
from sqlalchemy import select

from engine.models import Case, Notification, db

from .conftest import screenshot
from .test_accessibility import assert_accessible


def check(page, name: str) -> None:
    """axe-core needs JavaScript: without it the page is only photographed."""
    if page.javascript:
        assert_accessible(page, name)
    else:
        screenshot(page, name)


def continue_with_nothing(page, name: str) -> None:
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()  # waits for the response
    expect(page).to_have_title(re.compile("^Error:"))
    check(page, f"{name}-errors")


def next_page(page, name: str) -> None:
    page.get_by_role("button", name="Continue").click()
    page.wait_for_load_state("load")
    check(page, name)


def status_token(live_app, reference: str) -> str:
    with live_app.app_context():
        case_id = db.session.scalar(select(Case.id).where(Case.reference == reference))
        body = db.session.scalar(select(Notification.body).where(Notification.case_id == case_id))
        db.session.remove()
    return re.search(r"complaint-status/(\S+)", body).group(1)


def test_a_resident_makes_a_complaint_and_follows_it(page, live_app):
    page.goto("/complain")
    check(page, "public-start")
    page.get_by_role("button", name="Start now").click()
    page.wait_for_url(re.compile(r"/complain/what-about$"))
    check(page, "public-what-about")
    continue_with_nothing(page, "public-what-about")
    page.get_by_label("A complaint").check()
    next_page(page, "public-service")
    continue_with_nothing(page, "public-service")
    page.get_by_label("Highways").check()
    next_page(page, "public-social-care")
    page.get_by_label("No", exact=True).check()
    next_page(page, "public-what-happened")
    continue_with_nothing(page, "public-what-happened")
    page.get_by_label("What happened?").fill("The pothole outside 12 Mill Lane was reported three times.")
    next_page(page, "public-put-right")
    page.get_by_label("What would put things right? (optional)").fill("Repair it.")
    next_page(page, "public-contractor")
    page.get_by_label("Yes", exact=True).check()
    next_page(page, "public-company-name")
    continue_with_nothing(page, "public-company-name")
    page.get_by_label("What is the name of the company?").fill("Roadworks Ltd")
    next_page(page, "public-on-behalf")
    page.get_by_label("For someone else").check()
    next_page(page, "public-someone-else")
    continue_with_nothing(page, "public-someone-else")
    page.get_by_label("Their full name").fill("Pat Resident")
    page.get_by_label("Your relationship to them").fill("Mother")
    next_page(page, "public-consent")
    page.get_by_label("Yes, they have agreed").check()
    next_page(page, "public-your-details")
    page.get_by_label("Full name").fill("Sam Resident")
    page.get_by_label("Email address (optional)").fill("sam@example.org")
    next_page(page, "public-contact-preference")
    page.get_by_label("Email", exact=True).check()
    next_page(page, "public-check-answers")

    expect(page.locator("h1")).to_have_text("Check your answers before sending")
    page.get_by_role("link", name="Change what would put it right").click()
    page.get_by_label("What would put things right? (optional)").fill("Repair it and apologise.")
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(re.compile(r"/complain/check-answers$"))
    expect(page.locator(".govuk-summary-list")).to_contain_text("Repair it and apologise.")

    page.get_by_role("button", name="Send").click()
    page.wait_for_url(re.compile(r"/complain/confirmation$"))
    check(page, "public-confirmation")
    panel = page.locator(".govuk-panel--confirmation")
    reference = re.search(r"CMP-\d{4}-\d{6}", panel.inner_text()).group(0)
    assert "Complaint sent" in panel.inner_text()

    page.goto(f"/complaint-status/{status_token(live_app, reference)}")
    expect(page.locator(".govuk-caption-l")).to_have_text(reference)
    assert "We received your complaint" in page.locator("#history").inner_text()
    check(page, "public-status")
    page.goto(f"/complaint-status/{reference}")  # a reference alone opens nothing
    expect(page.locator("h1")).to_have_text("Page not found")
    check(page, "public-status-not-found")


def test_a_young_person_tells_us_and_asks_for_an_advocate(page, live_app):
    page.goto("/complain/young-person")
    check(page, "young-start")
    page.get_by_role("button", name="Start now").click()
    page.get_by_label("Something is wrong, or I am unhappy about something").check()
    next_page(page, "young-what-happened")
    page.get_by_label("Tell us what happened").fill("My social worker keeps missing our meetings.")
    next_page(page, "young-put-right")
    next_page(page, "young-advocate")
    continue_with_nothing(page, "young-advocate")
    page.get_by_label("Yes, I would like an advocate").check()
    next_page(page, "young-your-details")
    page.get_by_label("Your name").fill("Alex")
    page.get_by_label("Phone number (optional)").fill("07700 900123")
    next_page(page, "young-contact-preference")
    page.get_by_label("Phone", exact=True).check()
    next_page(page, "young-check-answers")
    page.get_by_role("button", name="Send").click()
    page.wait_for_url(re.compile(r"/complain/young-person/confirmation$"))
    check(page, "young-confirmation")
    assert "Thank you for telling us" in page.locator(".govuk-panel").inner_text()
    # No email address: the private link is shown here, once.
    page.locator("a[href*='/complaint-status/']").click()
    expect(page.locator("h1")).to_have_text("Your complaint")
    assert "You asked for an advocate to help you" in page.locator("#history").inner_text()
    check(page, "young-status")
