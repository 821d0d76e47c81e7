"""The figures of the Ombudsman's annual letter for a period, each one SQL aggregate.

Enquiries are counted by the date the Ombudsman's enquiry was received, decisions by the date of the
decision, both by the Ombudsman's category. The upheld rate is upheld decisions over decisions after a
detailed investigation (upheld and not upheld). The compliance rate is recommendations complied with on or
before their compliance date over recommendations due: those whose date falls in the period and has
passed, or that have been complied with already.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import and_, case as when, func, or_, select

from .models import Case, OmbudsmanCase, OmbudsmanRecommendation, db
from .ombudsman import CATEGORIES, DECISIONS, DETAILED_INVESTIGATIONS


def _count_if(condition):
    return func.coalesce(func.sum(when((condition, 1), else_=0)), 0)


def percent(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def _scope(categories: tuple[str, ...], service_area: str | None) -> list:
    found = []
    if categories:
        found.append(OmbudsmanCase.category.in_(categories))
    if service_area:
        found.append(Case.service_area == service_area)
    return found


def _by_category(column, start: date, end: date, scope: list, *extra) -> dict:
    query = (select(OmbudsmanCase.category, *extra, func.count())
             .join(Case, Case.id == OmbudsmanCase.case_id)
             .where(column.between(start, end), *scope)
             .group_by(OmbudsmanCase.category, *extra))
    return {tuple(row[:-1]): int(row[-1]) for row in db.session.execute(query)}


def letter_figures(start: date, end: date, today: date, *, categories: tuple[str, ...] = (),
                   service_area: str | None = None) -> dict:
    """Enquiries and decisions by category, the upheld rate and the compliance rate for the period."""
    scope = _scope(categories, service_area)
    enquiries = _by_category(OmbudsmanCase.enquiry_received_on, start, end, scope)
    decisions = _by_category(OmbudsmanCase.decided_on, start, end, scope, OmbudsmanCase.decision)
    remedied = _by_category(OmbudsmanCase.decided_on, start, end,
                            [*scope, OmbudsmanCase.decision == "upheld", OmbudsmanCase.remedied_before.is_(True)])
    keys = [k for k in CATEGORIES if not categories or k in categories]
    keys += sorted({k for (k, *_rest) in [*enquiries, *decisions]} - set(keys))  # a category no longer listed
    rows = []
    for key in keys:
        row = {"key": key, "label": CATEGORIES.get(key, key), "enquiries": enquiries.get((key,), 0),
               **{d: decisions.get((key, d), 0) for d in DECISIONS}, "remedied_before": remedied.get((key,), 0)}
        row["decisions"] = sum(row[d] for d in DECISIONS)
        row["detailed"] = sum(row[d] for d in DETAILED_INVESTIGATIONS)
        row["upheld_percent"] = percent(row["upheld"], row["detailed"])
        if row["enquiries"] or row["decisions"]:
            rows.append(row)
    totals = {name: sum(r[name] for r in rows)
              for name in ("enquiries", "decisions", "detailed", "remedied_before", *DECISIONS)}
    totals["upheld_percent"] = percent(totals["upheld"], totals["detailed"])
    return {"period_from": start, "period_to": end, "rows": rows, "totals": totals,
            "compliance": compliance(start, end, today, scope)}


def compliance(start: date, end: date, today: date, scope: list) -> dict:
    """Recommendations due in the period: complied with on time, late, not yet; and the compliance rate."""
    r = OmbudsmanRecommendation
    done = r.complied_on.is_not(None)
    query = (select(_count_if(or_(done, r.due_on < today)), _count_if(and_(done, r.complied_on <= r.due_on)),
                    _count_if(and_(done, r.complied_on > r.due_on)), _count_if(and_(~done, r.due_on < today)),
                    _count_if(and_(~done, r.due_on >= today)))
             .join(OmbudsmanCase, OmbudsmanCase.id == r.ombudsman_case_id)
             .join(Case, Case.id == r.case_id)
             .where(r.due_on.between(start, end), *scope))
    due, on_time, late, not_done, not_yet_due = (int(n) for n in db.session.execute(query).one())
    return {"due": due, "on_time": on_time, "late": late, "not_complied": not_done, "not_yet_due": not_yet_due,
            "percent": percent(on_time, due)}
