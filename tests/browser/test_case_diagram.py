"""The case page draws the case's diagram with done, current and waiting elements marked (and the rest unmarked)."""
from __future__ import annotations

from playwright.sync_api import expect

from .test_accessibility import assert_accessible, js_page  # noqa: F401  (fixture)
from .test_task_flow import sign_in


def test_the_case_diagram_marks_completed_current_and_waiting_elements(js_page, new_case):  # noqa: F811
    page = js_page
    reference = new_case()
    sign_in(page, "cr.officer")
    page.goto(f"/cases/{reference}")
    figure = page.locator("#case-diagram-figure")
    expect(figure).to_be_visible()
    marked = page.locator("#case-diagram [data-element-id='Task_acknowledge'].current-task")
    expect(marked).to_have_count(1)
    expect(page.locator("#case-diagram [data-element-id='Start_complaint_received'].completed-element")).to_have_count(1)
    expect(page.locator("#case-diagram [data-element-id='Timer_acknowledge_overdue'].waiting-element")).to_have_count(1)
    # Not reached yet: no mark at all.
    later = page.locator("#case-diagram [data-element-id='Task_stage1_response']")
    expect(later).to_have_count(1)
    assert later.get_attribute("class").split().count("completed-element") == 0
    assert "current-task" not in later.get_attribute("class")
    assert "Steps already done are shaded green" in figure.inner_text()
    assert_accessible(page, "case-diagram")
