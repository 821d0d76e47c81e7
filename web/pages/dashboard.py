"""The complaints dashboard for complaints managers and senior managers, filterable by period and service area."""
from __future__ import annotations

from datetime import date

from flask import abort, render_template, request
from flask_login import current_user

from engine import dashboard as figures
from engine.errors import NotFound
from engine.service_areas import SERVICE_AREAS

from ..access import staff_only
from . import pages


def date_arg(name: str) -> date | None:
    try:
        return date.fromisoformat(request.args.get(name, ""))
    except ValueError:
        return None


def filters_from_request() -> figures.Filters:
    area = request.args.get("service_area") or None
    return figures.Filters(date_arg("from"), date_arg("to"), area if area in SERVICE_AREAS else None)


@pages.get("/reports/dashboard")
@staff_only
def dashboard():
    chosen = filters_from_request()
    try:
        data = figures.dashboard(current_user, chosen)
    except NotFound:
        abort(404)
    return render_template("dashboard.html", title="Complaints dashboard", data=data, chosen=chosen,
                           service_areas=SERVICE_AREAS, remedy_rows=_remedy_rows(data["remedies"]),
                           query=request.args.to_dict())


def _remedy_rows(rows: list[dict]) -> list[dict]:
    return [{**row, "label": f"{row['stage'].replace('stage', 'Stage ')}: {row['key'].replace('_', ' ')}",
             "redress": f"£{row['amount_pence'] / 100:,.2f}" if row["key"] == "financial_redress" else None}
            for row in rows]
