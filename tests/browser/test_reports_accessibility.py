"""The dashboard and the annual report pages pass axe-core's WCAG 2.2 AA checks, with figures in them."""
from __future__ import annotations

from engine.models import db
from engine.users import get_user
from tests.reporting_seed import load, make_seed

from .test_accessibility import assert_accessible, js_page  # noqa: F401  (js_page is a fixture)
from .test_task_flow import sign_in


def test_report_pages_have_no_serious_accessibility_problems(js_page, live_app):  # noqa: F811
    with live_app.app_context():
        seed = make_seed(get_user("cr.officer").id, count=60, seed=7)
        for row in seed["cases"]:  # clear of the ids the other browser tests' cases take
            row["id"] += 100_000
            row["reference"] = row["reference"].replace("SEED", "AXE")
        for rows in (seed["deadlines"], seed["remedies"], seed["actions"]):
            for row in rows:
                row["case_id"] += 100_000
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
