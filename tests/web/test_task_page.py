"""The task page: guidance from the diagram, the JSON Schema form as GOV.UK components, validation, completion."""
from __future__ import annotations

import re
from datetime import date

from sqlalchemy import select

from engine import clock
from engine.models import HumanTask
from tests.factories import at

from .officer_client import fresh, post_form

TODAY = date(2025, 12, 22)
GOOD_ACKNOWLEDGEMENT = {"acknowledged_on-day": "22", "acknowledged_on-month": "12", "acknowledged_on-year": "2025",
                        "acknowledgement_method": "email",
                        "points_raised": "1. The pothole was not repaired.\n2. Nobody replied to two reports."}


def _task(reference: str, name: str) -> HumanTask:
    return fresh().scalars(select(HumanTask).where(HumanTask.case_reference == reference,
                                                   HumanTask.name == name)).one()


def _get(client, url):
    with clock.frozen_at(at(TODAY)):
        return client.get(url)


def _post(client, url, data):
    with clock.frozen_at(at(TODAY)):
        return post_form(client, url, data)


def test_the_guidance_from_the_diagram_is_formatted_html(case, as_user):
    task = _task(case["reference"], "Acknowledge complaint")
    html = _get(as_user("cr.officer"), f"/tasks/{task.id}").get_data(as_text=True)
    assert '<h1 class="govuk-heading-l">Acknowledge complaint</h1>' in html
    start = html.index('class="app-guidance"')
    guidance = html[start:html.index("<form", start)]
    assert '<h2 class="govuk-heading-m">Guidance</h2>' in guidance
    assert "record, in the complainant&#39;s words, each point they raise" in guidance  # bpmn:documentation
    assert '<h2 class="govuk-heading-m">Acknowledge the complaint</h2>' in guidance
    assert "<strong>within 5 working days of receiving it</strong>" in guidance
    assert '<ol class="govuk-list govuk-list--number">' in guidance
    # The nested list (indented three spaces in the diagram) stays nested under its step.
    nested = re.search(r"Write to them.*?<ul class=\"govuk-list govuk-list--bullet\">\s*<li>thank them", guidance,
                       re.S)
    assert nested, guidance
    assert "##" not in guidance and "**" not in guidance


def test_the_form_is_gov_uk_components(case, as_user):
    task = _task(case["reference"], "Acknowledge complaint")
    html = _get(as_user("cr.officer"), f"/tasks/{task.id}").get_data(as_text=True)
    assert 'class="govuk-date-input" id="acknowledged_on"' in html
    for part in ("day", "month", "year"):
        assert f'id="acknowledged_on-{part}" name="acknowledged_on-{part}"' in html
    assert html.count("For example, 27 3 2026") == 1  # the schema's hint is not repeated
    assert 'class="govuk-radios"' in html and 'name="acknowledgement_method" type="radio" value="in_person"' in html
    assert '<textarea class="govuk-textarea" id="points_raised" name="points_raised"' in html
    assert "(optional)" not in html  # every field of this form is required


def test_the_stage1_form_has_checkboxes_and_conditional_sections(case, as_user):
    ack = _task(case["reference"], "Acknowledge complaint")
    assert _post(as_user("cr.officer"), f"/tasks/{ack.id}", GOOD_ACKNOWLEDGEMENT).status_code == 302
    stage1 = _task(case["reference"], "Stage 1 response")
    html = _get(as_user("highways.officer"), f"/tasks/{stage1.id}").get_data(as_text=True)
    assert 'class="govuk-checkboxes"' in html
    assert 'name="remedy" type="checkbox" value="apology"' in html
    assert 'name="points_addressed" type="checkbox" value="true"' in html
    assert 'name="decision" type="radio" value="extend"' in html
    assert 'id="responded_on-day"' in html and 'inputmode="numeric"' in html


def test_server_side_validation_with_an_error_summary(case, as_user):
    task = _task(case["reference"], "Acknowledge complaint")
    client = as_user("cr.officer")
    response = _post(client, f"/tasks/{task.id}", {"points_raised": "  "})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "<title>Error: Acknowledge complaint" in html
    summary = html[html.index("govuk-error-summary"):html.index("</ul>", html.index("govuk-error-summary"))]
    assert "There is a problem" in summary
    for anchor in ("#acknowledged_on-day", "#acknowledgement_method", "#points_raised"):
        assert f'href="{anchor}"' in summary, anchor
    assert 'data-module="govuk-error-summary"' in html
    assert html.count('class="govuk-error-message"') == 3
    assert "govuk-form-group--error" in html

    # A half-typed date is reported as such, and what was typed comes back.
    partial = _post(client, f"/tasks/{task.id}", {**GOOD_ACKNOWLEDGEMENT, "acknowledged_on-month": ""})
    html = partial.get_data(as_text=True)
    assert partial.status_code == 400 and "must include a month" in html and 'href="#acknowledged_on-day"' in html
    assert "1. The pothole was not repaired." in html
    assert 'value="email" checked' in html
    impossible = _post(client, f"/tasks/{task.id}", {**GOOD_ACKNOWLEDGEMENT, "acknowledged_on-day": "32"})
    assert impossible.status_code == 400 and "must be a real date" in impossible.get_data(as_text=True)
    assert _task(case["reference"], "Acknowledge complaint")  # nothing moved on


def test_completing_moves_the_workflow_and_returns_to_the_inbox(case, as_user):
    task_id = _task(case["reference"], "Acknowledge complaint").id
    client = as_user("cr.officer")
    response = _post(client, f"/tasks/{task_id}", GOOD_ACKNOWLEDGEMENT)
    assert response.status_code == 302 and response.headers["Location"] == "/tasks"
    inbox = _get(client, "/tasks").get_data(as_text=True)
    assert "govuk-notification-banner--success" in inbox
    assert f"Acknowledge complaint completed for {case['reference']}" in inbox

    assert fresh().scalars(select(HumanTask).where(HumanTask.id == task_id)).first() is None
    stage1 = _task(case["reference"], "Stage 1 response")
    assert (stage1.team, stage1.assignee_id) == ("highways", None)
    stage1_id = stage1.id
    team = _get(as_user("highways.officer"), "/tasks?view=team").get_data(as_text=True)
    assert f'href="/tasks/{stage1_id}">Stage 1 response' in team
    # The finished task is gone: opening it again is a 404, and completing it again is refused.
    assert _get(client, f"/tasks/{task_id}").status_code == 404
    assert _post(client, f"/tasks/{task_id}", GOOD_ACKNOWLEDGEMENT).status_code == 404


def test_an_officer_of_another_team_gets_404(case, as_user):
    task = _task(case["reference"], "Acknowledge complaint")
    waste = as_user("waste.officer")
    assert _get(waste, f"/tasks/{task.id}").status_code == 404
    assert _post(waste, f"/tasks/{task.id}", GOOD_ACKNOWLEDGEMENT).status_code == 404
    assert _get(waste, "/tasks/no-such-task").status_code == 404
    assert _task(case["reference"], "Acknowledge complaint").assignee_id is None
