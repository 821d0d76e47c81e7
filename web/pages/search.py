"""Find a case by reference, complainant name or email, within the cases the user may see."""
from __future__ import annotations

from flask import render_template, request
from flask_login import current_user

from engine.search import search_cases
from engine.service_areas import SERVICE_AREAS

from ..access import staff_only
from . import pages


@pages.get("/cases")
@staff_only
def search():
    args = request.args
    text = (args.get("q") or "").strip()
    service_area = args.get("service_area") if args.get("service_area") in SERVICE_AREAS else ""
    page = args.get("page", "1")
    page = int(page) if page.isdigit() and len(page) < 7 else 1
    contractor = (args.get("contractor") or "").strip()
    result = search_cases(current_user, text, service_area or None, page, contractor=contractor)
    return render_template("search.html", title="Find a case", q=text, service_area=service_area,
                           contractor=contractor, service_areas=SERVICE_AREAS, result=result)
