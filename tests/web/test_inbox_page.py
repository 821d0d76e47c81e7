"""The inbox page: my tasks and team tasks, claiming, releasing, reassigning, filters, sorting and paging."""
from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import select

from engine import clock
from engine.calendar import working_days_between
from engine.models import HumanTask
from tests.factories import at, make_user, open_complaint

from .officer_client import fresh, page_client_for, post_form, signed_in

TODAY = date(2025, 12, 22)
ROW_REFERENCE = re.compile(r'<td class="govuk-table__cell">(CMP-\d{4}-\d{6})</td>')


@pytest.fixture
def people(app):
    return {
        "cr": make_user(username="cr.officer"),
        "cr2": make_user(username="cr.colleague"),
        "highways": make_user(username="highways.officer", teams=["highways"]),
        "manager": make_user(username="cr.manager", roles=["officer", "complaints_manager"]),
        "head": make_user(username="head.of.complaints", roles=["complaints_manager"], teams=[]),
    }


@pytest.fixture
def browse(app):
    """A signed-in browser-like client per person, each request made on a chosen day."""
    clients = {}

    def as_user(username):
        if username not in clients:
            clients[username] = _DayClient(signed_in(page_client_for(app), username))
        return clients[username]

    return as_user


class _DayClient:
    def __init__(self, client, on: date = TODAY):
        self.client, self.on = client, on

    def get(self, url):
        with clock.frozen_at(at(self.on)):
            return self.client.get(url)

    def html(self, url):
        response = self.get(url)
        assert response.status_code == 200, url
        return response.get_data(as_text=True)

    def post(self, url, data=None):
        with clock.frozen_at(at(self.on)):
            return post_form(self.client, url, data)


def _task_for(reference: str) -> HumanTask:
    return fresh().scalars(select(HumanTask).where(HumanTask.case_reference == reference)).one()


def _references(html: str) -> list[str]:
    return ROW_REFERENCE.findall(html)


def test_team_tasks_then_my_tasks_after_claiming_and_back_after_releasing(people, browse):
    ref = open_complaint(people["cr"])["reference"]
    task = _task_for(ref)
    cr, colleague = browse("cr.officer"), browse("cr.colleague")

    mine = cr.html("/tasks")
    assert "<title>My tasks" in mine and "You have no tasks" in mine
    team = cr.html("/tasks?view=team")
    assert "<title>Team tasks" in team and _references(team) == [ref]
    assert "Team tasks: 1 task" in team
    for column in ("Case", "Task", "Procedure and stage", "Service area", "Due", "Working days left"):
        assert f'class="govuk-table__header">{column}</th>' in team
    assert f'href="/tasks/{task.id}">Acknowledge complaint' in team
    assert "30 December 2025" in team and "Corporate, Stage 1" in team and "Highways" in team
    left = working_days_between(TODAY, date(2025, 12, 30))
    assert f'govuk-table__cell--numeric">{left}</td>' in team
    assert f'action="/tasks/{task.id}/claim"' in team

    claimed = cr.post(f"/tasks/{task.id}/claim")
    assert claimed.status_code == 302 and claimed.headers["Location"] == f"/tasks/{task.id}"
    page = cr.html(f"/tasks/{task.id}")
    assert "govuk-notification-banner--success" in page and "You have claimed the task" in page
    assert "Held by cr.officer" in page

    mine = cr.html("/tasks?view=mine")
    assert _references(mine) == [ref] and f'action="/tasks/{task.id}/release"' in mine
    assert _references(cr.html("/tasks?view=team")) == []
    assert _references(colleague.html("/tasks?view=team")) == []

    released = cr.post(f"/tasks/{task.id}/release")
    assert released.status_code == 302 and released.headers["Location"] == "/tasks"
    assert "The task is back with the team" in cr.html("/tasks")
    assert _references(colleague.html("/tasks?view=team")) == [ref]
    assert _task_for(ref).assignee_id is None


def test_a_colleague_cannot_take_a_claimed_task(people, browse):
    ref = open_complaint(people["cr"])["reference"]
    task = _task_for(ref)
    browse("cr.officer").post(f"/tasks/{task.id}/claim")

    colleague = browse("cr.colleague")
    refused = colleague.post(f"/tasks/{task.id}/claim")
    assert refused.status_code == 302 and refused.headers["Location"] == "/tasks"
    inbox = colleague.html("/tasks")
    assert "Someone else has already claimed this task" in inbox
    assert "govuk-notification-banner--success" not in inbox
    assert colleague.get(f"/tasks/{task.id}").status_code == 404
    assert colleague.post(f"/tasks/{task.id}/release").status_code == 404
    assert browse("highways.officer").post(f"/tasks/{task.id}/claim").status_code == 404
    assert _task_for(ref).assignee.username == "cr.officer"


def test_a_complaints_manager_reassigns_a_task(people, browse):
    ref = open_complaint(people["cr"])["reference"]
    task = _task_for(ref)
    manager = browse("cr.manager")

    page = manager.html(f"/tasks/{task.id}")
    assert "Give this task to" in page and 'value="cr.colleague"' in page
    assert 'value="highways.officer"' not in page  # only people who could take it are offered

    done = manager.post(f"/tasks/{task.id}/reassign", {"assignee": "cr.colleague"})
    assert done.status_code == 302 and done.headers["Location"] == "/tasks"
    assert "The task is now with cr.colleague" in manager.html("/tasks")
    assert _task_for(ref).assignee.username == "cr.colleague"
    assert _references(browse("cr.colleague").html("/tasks?view=mine")) == [ref]

    # Someone who could not do the task is refused, and the task stays where it was.
    refused = manager.post(f"/tasks/{task.id}/reassign", {"assignee": "highways.officer"})
    assert refused.status_code == 302
    assert "cannot do this task" in manager.html("/tasks")
    assert _task_for(ref).assignee.username == "cr.colleague"

    # A complaints manager without the officer role can still reassign by the form's endpoint.
    assert browse("head.of.complaints").post(f"/tasks/{task.id}/reassign",
                                             {"assignee": "cr.officer"}).status_code == 302
    assert _task_for(ref).assignee.username == "cr.officer"


def test_officers_cannot_reassign(people, browse):
    ref = open_complaint(people["cr"])["reference"]
    task = _task_for(ref)
    cr = browse("cr.officer")
    assert "Give this task to" not in cr.html(f"/tasks/{task.id}")
    assert cr.post(f"/tasks/{task.id}/reassign", {"assignee": "cr.colleague"}).status_code == 404
    assert browse("highways.officer").post(f"/tasks/{task.id}/reassign",
                                           {"assignee": "cr.colleague"}).status_code == 404
    assert _task_for(ref).assignee_id is None


@pytest.fixture
def three_cases(people):
    """A: highways, overdue; B: waste, due soon; C: highways, due later (shown as adults' statutory)."""
    a = open_complaint(people["cr"], on=date(2025, 12, 19), service_area="highways")["reference"]
    b = open_complaint(people["cr"], on=date(2026, 1, 5), service_area="waste")["reference"]
    c = open_complaint(people["cr"], on=date(2026, 1, 7), service_area="highways")["reference"]
    # Only the corporate diagram is deployed; relabel one row of the inbox read model to test the filter.
    session = fresh()
    _task_for(c).procedure = "adults_statutory"
    session.commit()
    return a, b, c


def test_filters_and_tags(people, browse, three_cases):
    a, b, c = three_cases
    cr = browse("cr.officer")
    cr.on = date(2026, 1, 8)
    dues = {ref: _task_for(ref).due_on for ref in three_cases}
    assert dues[a] < cr.on <= dues[b] < dues[c]

    team = cr.html("/tasks?view=team")
    assert _references(team) == [a, b, c]
    rows = {ref: team[team.index(f">{ref}<"):].split("</tr>")[0] for ref in three_cases}
    assert ">\n  Overdue\n</strong>" in rows[a] and "govuk-tag--red" in rows[a]
    assert "Due soon" in rows[b] and "govuk-tag--yellow" in rows[b] and "Overdue" not in rows[b]
    assert "govuk-tag" not in rows[c]
    for ref in three_cases:
        left = working_days_between(cr.on, dues[ref])
        shown = f"{-left} overdue" if left < 0 else str(left)
        assert f'govuk-table__cell--numeric">{shown}</td>' in rows[ref]

    assert _references(cr.html("/tasks?view=team&status=overdue")) == [a]
    assert _references(cr.html("/tasks?view=team&status=due_soon")) == [b]
    assert _references(cr.html("/tasks?view=team&service_area=waste")) == [b]
    assert _references(cr.html("/tasks?view=team&service_area=highways")) == [a, c]
    assert _references(cr.html("/tasks?view=team&procedure=corporate")) == [a, b]
    filtered = cr.html("/tasks?view=team&procedure=adults_statutory")
    assert _references(filtered) == [c]
    assert '<option value="adults_statutory" selected>' in filtered
    assert "There are no unclaimed tasks" in cr.html("/tasks?view=team&procedure=childrens_statutory")


def test_sorting(people, browse, three_cases):
    a, b, c = three_cases
    cr = browse("cr.officer")
    assert _references(cr.html("/tasks?view=team&sort=due")) == [a, b, c]
    assert _references(cr.html("/tasks?view=team&sort=due_desc")) == [c, b, a]
    assert _references(cr.html("/tasks?view=team&sort=newest")) == [c, b, a]
    assert _references(cr.html("/tasks?view=team&sort=nonsense")) == [a, b, c]


def test_pagination(people, browse):
    references = [open_complaint(people["cr"])["reference"] for _ in range(27)]
    cr = browse("cr.officer")

    first = cr.html("/tasks?view=team")
    assert len(_references(first)) == 25 and "Team tasks: 27 tasks" in first
    assert "govuk-pagination" in first and "page=2" in first
    assert 'aria-current="page"' in first

    second = cr.html("/tasks?view=team&page=2")
    assert len(_references(second)) == 2
    assert set(_references(first)) | set(_references(second)) == set(references)
    assert "page=1" in second  # a link back

    # Nonsense page numbers fall back to the first page rather than failing.
    assert len(_references(cr.html("/tasks?view=team&page=abc"))) == 25
    assert _references(cr.html("/tasks?view=team&page=9")) == []
