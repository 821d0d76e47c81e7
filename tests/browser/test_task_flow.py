"""An officer's day in a real browser: sign in, claim from the team inbox, fail then pass validation, finish.

Runs twice: with JavaScript (GOV.UK Frontend moves focus to the error summary) and without (every page
must still work). Screenshots go to test-artifacts/screenshots/.
"""
from __future__ import annotations

import re

from playwright.sync_api import expect

from .conftest import PASSWORD, screenshot


def sign_in(page, username: str) -> None:
    page.goto("/sign-in")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/tasks$"))


def sign_out(page) -> None:
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(re.compile(r"/sign-in$"))


def test_acknowledging_a_complaint(page, new_case):
    reference = new_case()
    sign_in(page, "cr.officer")
    assert page.locator("h1").inner_text() == "Tasks"

    page.get_by_role("link", name="Team tasks", exact=True).click()
    row = page.locator("tr", has_text=reference)
    assert "Acknowledge complaint" in row.inner_text()
    screenshot(page, "01-team-inbox")
    row.get_by_role("button", name=re.compile("^Claim")).click()

    page.wait_for_url(re.compile(r"/tasks/[^/]+$"))
    assert "You have claimed the task" in page.locator(".govuk-notification-banner").inner_text()
    assert page.locator(".app-guidance h2", has_text="Acknowledge the complaint").is_visible()
    screenshot(page, "02-task-claimed")

    page.get_by_role("button", name="Complete acknowledge complaint").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()  # waits for the response
    assert "There is a problem" in summary.inner_text()
    expect(page).to_have_title(re.compile("^Error:"))
    if page.javascript:
        page.wait_for_function("document.activeElement && "
                               "document.activeElement.classList.contains('govuk-error-summary')")
    # The summary's first link takes the reader to the day box of the date.
    summary.get_by_role("link").first.click()
    if page.javascript:
        page.wait_for_function("document.activeElement && document.activeElement.id === 'acknowledged_on-day'")
    screenshot(page, "03-task-errors")

    page.locator("#acknowledged_on-day").fill("22")
    page.locator("#acknowledged_on-month").fill("12")
    page.locator("#acknowledged_on-year").fill("2025")
    page.get_by_label("Email").check()
    page.get_by_label("Points of complaint").fill("1. The pothole was not repaired.\n2. Nobody replied.")
    page.get_by_role("button", name="Complete acknowledge complaint").click()

    page.wait_for_url(re.compile(r"/tasks$"))
    banner = page.locator(".govuk-notification-banner--success")
    assert f"Acknowledge complaint completed for {reference}" in banner.inner_text()
    assert page.locator("tr", has_text=reference).count() == 0
    screenshot(page, "04-completed")
    sign_out(page)

    # The case moves on: Stage 1 waits for the service's own officers.
    sign_in(page, "highways.officer")
    page.get_by_role("link", name="Team tasks", exact=True).click()
    assert "Stage 1 response" in page.locator("tr", has_text=reference).inner_text()
    screenshot(page, "05-stage1-for-highways")
