"""Cases and actions as CSV rows for a filter, read in batches so that any number of rows fits in constant memory.

The rows carry no complainant's name or contact details: an export is for counting and follow-up, and the
case page (with its access rules) is where personal data is read.
"""
from __future__ import annotations

import csv
from collections.abc import Iterator

from sqlalchemy import select

from .dashboard import Filters, check_access
from .models import Action, Case, User, db

BATCH = 1000
CASE_COLUMNS = ("reference", "kind", "procedure", "stage", "status", "service_area", "channel", "contractor",
                "received_on", "closed_on", "outcome", "exclusion", "summary")
ACTION_COLUMNS = ("case_reference", "service_area", "action_id", "theme", "description", "owner", "due_on", "status",
                  "overdue", "completed_on", "what_was_done")


class _Line:
    """A file-like object that hands back what csv.writer wrote for one row."""

    def __init__(self):
        self.text = ""

    def write(self, text: str) -> None:
        self.text = text


def _safe(value) -> str:
    """A cell as text; one a spreadsheet would run as a formula is prefixed with an apostrophe."""
    text = "" if value is None else value.isoformat() if hasattr(value, "isoformat") else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _lines(header, rows) -> Iterator[str]:
    line = _Line()
    writer = csv.writer(line)
    writer.writerow(header)
    yield line.text
    for row in rows:
        writer.writerow([_safe(v) for v in row])
        yield line.text


def _stream(query) -> Iterator:
    # yield_per streams from a server-side cursor on PostgreSQL and fetches in batches on SQLite.
    result = db.session.execute(query.execution_options(yield_per=BATCH))
    try:
        yield from result
    finally:
        result.close()


def case_csv(user, filters: Filters) -> Iterator[str]:
    check_access(user)
    query = (select(*[getattr(Case, name) for name in CASE_COLUMNS])
             .where(*filters.conditions()).order_by(Case.id))
    return _lines(CASE_COLUMNS, _stream(query))


def action_csv(user, filters: Filters) -> Iterator[str]:
    check_access(user)
    query = (select(Case.reference, Case.service_area, Action.id, Action.theme, Action.description, User.username,
                    Action.due_on, Action.status, Action.overdue, Action.completed_on, Action.completion_note)
             .join(Case, Case.id == Action.case_id).join(User, User.id == Action.owner_id)
             .where(*filters.conditions()).order_by(Action.id))
    return _lines(ACTION_COLUMNS, _stream(query))
