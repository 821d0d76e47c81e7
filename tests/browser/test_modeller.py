"""A process owner opens a deployed diagram in the modeller, renames a task, saves a draft and sees the checks."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from engine.models import ProcessDraft, db
from tests.factories import make_user

from .conftest import PASSWORD, screenshot
from .test_accessibility import assert_accessible
from .test_task_flow import sign_in


@pytest.fixture
def owner_and_process(live_app):
    """The corporate procedure as deployed (with its layout): a draft changes nothing until approved."""
    with live_app.app_context():
        make_user(username="po.browser", roles=("process_owner",), teams=(), password=PASSWORD)
        db.session.remove()
    return "po.browser", "corporate_complaint"


def test_rename_a_task_save_a_draft_and_see_the_checks(browser, base_url, owner_and_process, live_app):
    username, process_id = owner_and_process
    context = browser.new_context(base_url=base_url, viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(15_000)
    expect.set_options(timeout=15_000)
    page = context.new_page()
    sign_in(page, username)
    page.get_by_role("link", name="Procedures").click()
    page.get_by_role("button", name=f"Edit {process_id}").click()
    expect(page.locator("#modeller[data-ready=true]")).to_be_visible(timeout=30_000)
    # Select the task (the palette covers it after zooming to fit) and rename it in the properties panel.
    page.evaluate("""() => {
        const element = window.appModeller.get('elementRegistry').get('Task_acknowledge');
        window.appModeller.get('selection').select(element);
    }""")
    name = page.locator("#bio-properties-panel-name")
    expect(name).to_have_value("Acknowledge complaint")
    if not name.is_visible():
        page.locator('[data-group-id="group-general"] .bio-properties-panel-group-header').click()
    name.fill("Acknowledge by email")
    name.press("Tab")
    page.wait_for_timeout(500)  # the panel applies typing after a short debounce
    page.get_by_role("button", name="Save draft").click()
    expect(page.locator("#modeller-result")).to_contain_text("Saved. The draft passes every check.")
    screenshot(page, "modeller-saved")
    with live_app.app_context():
        draft = db.session.query(ProcessDraft).filter_by(process_id=process_id).order_by(ProcessDraft.id.desc()).first()
        assert 'name="Acknowledge by email"' in draft.xml
        db.session.remove()
    # A change that breaks a rule is reported in words against the element's name.
    page.evaluate("""() => {
        const modeling = window.appModeller.get('modeling');
        const registry = window.appModeller.get('elementRegistry');
        modeling.createShape({type: 'bpmn:Task', businessObject: undefined},
                             {x: 300, y: 400}, registry.get('Participant_0') || registry.filter(e => e.type === 'bpmn:Participant')[0]);
    }""")
    page.get_by_role("button", name="Save draft").click()
    expect(page.locator("#modeller-result")).to_contain_text("cannot be reached: no path leads to it from a start event")
    page.reload()
    assert_accessible(page, "modeller")
    context.close()
