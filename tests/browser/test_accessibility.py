"""axe-core (from npm, built into web/static/dist) finds no serious or critical WCAG 2.2 AA problems."""
from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import expect

from .conftest import AXE, screenshot
from .test_task_flow import sign_in

TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


@pytest.fixture
def js_page(browser, base_url):
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run `node bin/build-assets.mjs` (bin/test does)")
    context = browser.new_context(base_url=base_url)
    context.set_default_timeout(10_000)
    tab = context.new_page()
    tab.javascript = True
    yield tab
    context.close()


def assert_accessible(page, name: str) -> None:
    page.wait_for_load_state("load")
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("(tags) => axe.run(document, {runOnly: tags})", TAGS)
    bad = [{"id": v["id"], "impact": v["impact"], "help": v["help"],
            "targets": [n["target"] for n in v["nodes"]][:5]}
           for v in result["violations"] if v["impact"] in ("serious", "critical")]
    screenshot(page, f"axe-{name}")
    assert bad == [], f"{name} ({page.url}):\n{json.dumps(bad, indent=2)}"


def test_officers_pages_have_no_serious_accessibility_problems(js_page, new_case, live_app):
    page = js_page
    reference = new_case()

    page.goto("/sign-in")
    assert_accessible(page, "sign-in")
    page.get_by_role("button", name="Sign in").click()  # nothing entered: the page with its error summary
    expect(page.locator(".govuk-error-summary")).to_be_visible()  # waits for the response
    assert_accessible(page, "sign-in-errors")

    sign_in(page, "cr.officer")
    assert_accessible(page, "inbox-mine")
    page.goto("/tasks?view=team")
    assert_accessible(page, "inbox-team")

    page.locator("tr", has_text=reference).get_by_role("link").first.click()
    page.wait_for_url(re.compile(r"/tasks/[^/]+$"))
    assert_accessible(page, "task")
    page.get_by_role("button", name="Complete acknowledge complaint").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()  # waits for the response
    assert_accessible(page, "task-errors")

    page.goto("/accessibility")
    assert_accessible(page, "accessibility-statement")
    page.goto("/tasks/no-such-task")
    assert_accessible(page, "not-found")

    # Pages added alongside these (case, logging a contact, search) are checked once they exist.
    if "pages.case" in live_app.view_functions:
        page.goto(f"/cases/{reference}")
        assert_accessible(page, "case")
    if "pages.intake" in live_app.view_functions:
        page.goto("/contacts/new")
        assert_accessible(page, "intake")
    if "pages.search" in live_app.view_functions:
        page.goto("/cases")
        assert_accessible(page, "search")
