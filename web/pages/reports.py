"""Reports for managers: complaints by contractor, the annual reports (HTML, PDF, CSV) and CSV exports."""
from __future__ import annotations

from datetime import date

from flask import Response, abort, current_app, render_template, request, stream_with_context
from flask_login import current_user

from engine import access, annual_report, clock, exports
from engine.calendar import london_date
from engine.contractor_report import complaints_by_contractor
from engine.errors import NotFound

from ..access import staff_only
from ..report_output import report_csv, report_pdf
from . import pages
from .dashboard import filters_from_request


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


@pages.get("/reports/annual")
@staff_only
def annual_reports():
    if not access.sees_every_case(current_user):
        abort(404)
    today = london_date(clock.now())
    latest = today.year if today.month >= 4 else today.year - 1
    years = list(range(latest, latest - 6, -1))
    return render_template("annual_reports.html", title="Annual reports", years=years,
                           reports=annual_report.REPORTS)


def _report(kind: str, year: str):
    if kind not in annual_report.REPORTS or not (year.isdigit() and len(year) == 4 and year >= "2000"):
        abort(404)
    try:
        return annual_report.build(current_user, kind, int(year))
    except NotFound:
        abort(404)


@pages.get("/reports/annual/<kind>/<year>")
@staff_only
def annual_report_page(kind, year):
    report = _report(kind, year)
    return render_template("annual_report.html", title=f"{report.title} {report.period}", report=report)


@pages.get("/reports/annual/<kind>/<year>.csv")
@staff_only
def annual_report_csv(kind, year):
    report = _report(kind, year)
    return Response(report_csv(report), mimetype="text/csv",
                    headers={"Content-Disposition": f"attachment; filename={kind}-complaints-{year}.csv"})


@pages.get("/reports/annual/<kind>/<year>.pdf")
@staff_only
def annual_report_pdf(kind, year):
    report = _report(kind, year)
    council = current_app.jinja_env.globals["council_name"]
    return Response(report_pdf(report, council), mimetype="application/pdf",
                    headers={"Content-Disposition": f"attachment; filename={kind}-complaints-{year}.pdf"})


def _csv_download(lines, name: str):
    return Response(stream_with_context(lines), mimetype="text/csv",
                    headers={"Content-Disposition": f"attachment; filename={name}"})


@pages.get("/exports/cases.csv")
@staff_only
def export_cases():
    try:
        lines = exports.case_csv(current_user, filters_from_request())
    except NotFound:
        abort(404)
    return _csv_download(lines, "cases.csv")


@pages.get("/exports/actions.csv")
@staff_only
def export_actions():
    try:
        lines = exports.action_csv(current_user, filters_from_request())
    except NotFound:
        abort(404)
    return _csv_download(lines, "actions.csv")
