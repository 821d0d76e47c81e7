"""Reports for managers: complaints by contractor."""
from __future__ import annotations

from datetime import date

from flask import abort, render_template, request
from flask_login import current_user

from engine.contractor_report import complaints_by_contractor
from engine.errors import NotFound

from ..access import staff_only
from . import pages


def _date_arg(name: str) -> date | None:
    try:
        return date.fromisoformat(request.args.get(name, ""))
    except ValueError:
        return None


@pages.get("/reports/contractors")
@staff_only
def contractor_report():
    received_from, received_to = _date_arg("from"), _date_arg("to")
    try:
        rows = complaints_by_contractor(current_user, received_from=received_from, received_to=received_to)
    except NotFound:
        abort(404)
    return render_template("contractor_report.html", title="Complaints by contractor", rows=rows,
                           received_from=received_from, received_to=received_to)
