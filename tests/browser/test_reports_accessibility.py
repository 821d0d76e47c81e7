"""The dashboard, the annual report pages and the case page's Ombudsman section pass axe-core's WCAG 2.2 AA checks."""
from __future__ import annotations

from playwright.sync_api import expect

from engine.models import db
from engine.users import get_user
from tests.factories import make_user
from tests.reporting_seed import load, make_seed

from .test_accessibility import assert_accessible, js_page  # noqa: F401  (js_page is a fixture)
from .test_task_flow import sign_in


def test_report_pages_have_no_serious_accessibility_problems(js_page, live_app):  # noqa: F811
    with live_app.app_context():
        seed = make_seed(get_user("cr.officer").id, count=60, seed=7)
        for row in seed["cases"]:  # clear of the ids the other browser tests' cases take
            row["id"] += 100_000
            row["reference"] = row["reference"].replace("SEED", "AXE")
        for rows in (seed["deadlines"], seed["remedies"], seed["actions"], seed["ombudsman_cases"],
                     seed["recommendations"]):
            for row in rows:
                row["case_id"] += 100_000
        for row in seed["ombudsman_cases"]:
            row["id"] += 100_000
            row["ombudsman_reference"] = row["ombudsman_reference"].replace("OMB", "AXE")
        for row in seed["recommendations"]:
            row["ombudsman_case_id"] += 100_000
        load(seed)
        db.session.remove()
    page = js_page
    sign_in(page, "cr.officer")
    page.goto("/reports/dashboard")
    assert_accessible(page, "dashboard")
    page.goto("/reports/dashboard?from=2025-04-01&to=2026-03-31&service_area=housing")
    assert_accessible(page, "dashboard-filtered")
    page.goto("/reports/annual")
    assert_accessible(page, "annual-reports")
    for kind in ("corporate", "childrens", "adults"):
        page.goto(f"/reports/annual/{kind}/2025")
        assert_accessible(page, f"annual-report-{kind}")


def test_the_ombudsman_section_of_the_case_page_passes(js_page, new_case, live_app):  # noqa: F811
    with live_app.app_context():
        make_user(username="axe.manager", roles=["complaints_manager"], password="secret-pass-1")
        db.session.remove()
    reference = new_case()
    page = js_page
    sign_in(page, "axe.manager")
    page.goto(f"/cases/{reference}")
    page.get_by_text("Record an enquiry from the Ombudsman").click()
    page.get_by_role("button", name="Save the enquiry").click()  # nothing entered: errors
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert_accessible(page, "case-ombudsman-errors")
    page.get_by_label("Ombudsman's reference").fill("AXE 25 000 001")
    page.get_by_label("Date the Ombudsman's enquiry was received").fill("2026-01-05")
    page.get_by_role("button", name="Save the enquiry").click()
    expect(page.locator(".govuk-notification-banner")).to_be_visible()
    page.get_by_text("Record the Ombudsman's decision").click()
    page.get_by_label("Upheld", exact=True).check()
    page.get_by_label("Date of the decision").fill("2026-01-20")
    page.get_by_label("Date to comply by").first.fill("2026-02-20")
    page.get_by_role("button", name="Save the decision").click()
    page.get_by_label("What the Ombudsman recommended").fill("Apologise in writing")
    page.get_by_role("button", name="Add recommendation").click()
    expect(page.get_by_role("cell", name="Apologise in writing")).to_be_visible()
    assert_accessible(page, "case-ombudsman")
