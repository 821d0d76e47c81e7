"""An Independent Person, from outside the council, signs in and completes their Stage 2 report."""
from __future__ import annotations

import re
from datetime import date

from engine import cases, clock, human_tasks
from engine.models import HumanTask, db
from tests.factories import at, intake, make_user

from .conftest import PASSWORD, screenshot
from .test_task_flow import sign_in


def _complete(reference, name, data, user, on):
    task = db.session.query(HumanTask).filter_by(case_reference=reference, name=name).one()
    with clock.frozen_at(at(on)):
        human_tasks.complete_task(task.id, data, user=user)


def _childrens_case_at_stage2_reports(live_app, suffix: str) -> str:
    """A children's complaint taken through Stage 1 to the point where the appointees report."""
    with live_app.app_context():
        manager = make_user(username=f"cm.{suffix}", roles=["complaints_manager"], password=PASSWORD)
        worker = make_user(username=f"cs.{suffix}", teams=["childrens_social_care"], password=PASSWORD)
        make_user(username=f"io.{suffix}", roles=["investigating_officer"], teams=[], password=PASSWORD)
        make_user(username=f"ip.{suffix}", roles=["independent_person"], teams=[], password=PASSWORD)
        with clock.frozen_at(at(date(2027, 3, 24))):
            reference = cases.open_case(intake(received_on="2027-03-24", service_area="childrens_social_care",
                                               social_care="children"), actor=manager)["reference"]
        _complete(reference, "Check eligibility and acknowledge",
                  {"complainant_type": "parent", "child_name": "Alex", "advocacy_offered": True,
                   "grounds_arose_on": "2027-02-01", "acknowledged_on": "2027-03-25"}, manager, date(2027, 3, 25))
        _complete(reference, "Stage 1 response",
                  {"decision": "respond", "outcome": "not_upheld", "response": "Explained.", "points_addressed": True,
                   "responded_on": "2027-04-08"}, worker, date(2027, 4, 8))
        with clock.frozen_at(at(date(2027, 4, 20))):
            cases.escalate_case(reference, "Not resolved", actor=manager)
        _complete(reference, "Agree the complaint record",
                  {"complaint_record": "1. Contact changed.", "agreed_on": "2027-04-22", "complainant_agreed": True},
                  manager, date(2027, 4, 22))
        _complete(reference, "Appoint Investigating Officer and Independent Person",
                  {"investigating_officer": f"io.{suffix}", "independent_person": f"ip.{suffix}"}, manager,
                  date(2027, 4, 23))
        db.session.remove()
    return reference


def test_independent_person_completes_their_report(page, live_app):
    suffix = "js" if page.javascript else "nojs"
    reference = _childrens_case_at_stage2_reports(live_app, suffix)
    sign_in(page, f"ip.{suffix}")
    nav = page.locator(".govuk-service-navigation").inner_text()
    assert "Log a contact" not in nav and "Find a case" not in nav

    row = page.locator("tr", has_text=reference)
    assert "Independent Person's report" in row.inner_text()
    assert page.locator("tbody tr").count() == 1
    screenshot(page, "20-independent-person-inbox")
    row.get_by_role("link", name=re.compile("Independent Person's report")).click()

    page.wait_for_url(re.compile(r"/tasks/[^/]+$"))
    page.get_by_label(re.compile("view", re.I)).first.fill("The investigation was fair and covered each point.")
    page.locator("input[name='ip_agrees']").first.check()
    page.locator("#ip_report_completed_on-day").fill("11")
    page.locator("#ip_report_completed_on-month").fill("5")
    page.locator("#ip_report_completed_on-year").fill("2027")
    screenshot(page, "21-independent-person-report")
    page.get_by_role("button", name=re.compile("^Complete")).click()

    page.wait_for_url(re.compile(r"/tasks$"))
    assert f"Independent Person's report completed for {reference}" in page.locator(
        ".govuk-notification-banner--success").inner_text()
    assert page.locator("tr", has_text=reference).count() == 0
    page.goto("/tasks?view=team")
    assert page.locator("tbody tr").count() == 0
    screenshot(page, "22-independent-person-done")
