"""Find a case by reference, complainant name or email, within what the user may see (need to know)."""
from __future__ import annotations

from sqlalchemy import func, or_, select

from . import access
from .errors import NotFound
from .models import Case, User, db

PAGE_SIZE = 20
MAX_TEXT = 200


def _contains(column, text: str):
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return func.lower(column).like(f"%{escaped}%", escape="\\")


def search_cases(user: User, text: str | None = None, service_area: str | None = None, page: int = 1,
                 contractor: str | None = None) -> dict:
    """A page of matching cases, newest first: {"items", "page", "pages", "total"}. Staff only."""
    if not access.can_list_cases(user):
        raise NotFound("Not found")
    text = (text or "").strip()[:MAX_TEXT]
    query = select(Case.reference, Case.summary, Case.complainant_name, Case.complainant_email, Case.service_area,
                   Case.procedure, Case.stage, Case.status, Case.received_on, Case.contractor).where(Case.reference.is_not(None))
    if not access.sees_every_case(user):
        query = query.where(Case.service_area.in_(list(user.teams or [])))
    if text:
        query = query.where(or_(_contains(Case.reference, text), _contains(Case.complainant_name, text),
                                _contains(Case.complainant_email, text)))
    if service_area:
        query = query.where(Case.service_area == service_area)
    contractor = (contractor or "").strip()[:MAX_TEXT]
    if contractor:
        query = query.where(_contains(Case.contractor, contractor))
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(1, page), pages)
    rows = db.session.execute(query.order_by(Case.received_on.desc(), Case.id.desc())
                              .limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE))
    items = [{"reference": r.reference, "summary": r.summary, "complainant_name": r.complainant_name,
              "complainant_email": r.complainant_email, "service_area": r.service_area, "procedure": r.procedure,
              "stage": r.stage, "status": r.status, "received_on": r.received_on.isoformat(),
              "contractor": r.contractor} for r in rows]
    return {"items": items, "page": page, "pages": pages, "total": total}
