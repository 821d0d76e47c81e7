"""Complaints about services that contractors deliver for the council, counted by contractor.

The council stays responsible for a contracted service (the Ombudsman's Code), so these complaints
follow the council's procedure like any other; this report shows which contractors they concern.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import case as when, func, select

from . import access
from .errors import NotFound
from .models import Case, User, db

OUTCOMES = ("upheld", "partly_upheld", "not_upheld")


def complaints_by_contractor(user: User, *, received_from: date | None = None,
                             received_to: date | None = None, service_area: str | None = None,
                             procedures: tuple[str, ...] = ()) -> list[dict]:
    """One row per contractor (names compared trimmed and case-insensitively), most complaints first."""
    if not access.sees_every_case(user):
        raise NotFound("Not found")
    key = func.lower(func.trim(Case.contractor))
    counts = [func.count().label("complaints"),
              func.sum(when((Case.status == "open", 1), else_=0)).label("open"),
              *[func.sum(when((Case.outcome == outcome, 1), else_=0)).label(outcome) for outcome in OUTCOMES]]
    query = (select(func.min(func.trim(Case.contractor)).label("contractor"), *counts)
             .where(Case.contractor.is_not(None), func.trim(Case.contractor) != "", Case.kind == "complaint")
             .group_by(key).order_by(func.count().desc(), key))
    if received_from:
        query = query.where(Case.received_on >= received_from)
    if received_to:
        query = query.where(Case.received_on <= received_to)
    if service_area:
        query = query.where(Case.service_area == service_area)
    if procedures:
        query = query.where(Case.procedure.in_(procedures))
    return [dict(row._mapping) | {o: int(row._mapping[o] or 0) for o in ("open", *OUTCOMES)}
            for row in db.session.execute(query)]
