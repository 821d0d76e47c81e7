"""Filters and globals the templates use: dates as GOV.UK writes them, markdown guidance, navigation."""
from __future__ import annotations

from datetime import date, datetime

import bleach
import markdown as markdown_lib
from flask import Flask, current_app, request, url_for
from flask_login import current_user
from markupsafe import Markup

from engine import access
from engine.calendar import LONDON

ALLOWED_TAGS = ["p", "ul", "ol", "li", "strong", "em", "a", "h2", "h3", "h4", "code", "br", "blockquote"]
GOVUK_CLASSES = {"<p>": '<p class="govuk-body">', "<ul>": '<ul class="govuk-list govuk-list--bullet">',
                 "<ol>": '<ol class="govuk-list govuk-list--number">', "<h2>": '<h2 class="govuk-heading-m">',
                 "<h3>": '<h3 class="govuk-heading-s">', "<a ": '<a class="govuk-link" '}


def long_date(value) -> str:
    """22 November 2026, as the GOV.UK style guide writes dates."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        value = datetime.fromisoformat(value) if "T" in value else date.fromisoformat(value)
    if isinstance(value, datetime):
        local = value.astimezone(LONDON)
        return f"{local.day} {local:%B %Y} at {local:%-I:%M%p}".replace("AM", "am").replace("PM", "pm")
    return f"{value.day} {value:%B %Y}"


def render_markdown(text: str) -> Markup:
    """Guidance written by process owners in the diagram, as safe HTML with GOV.UK classes."""
    # Process owners indent nested list items by two or three spaces, as most editors do; Python-Markdown
    # wants four by default and would otherwise flatten them into the parent list.
    html = bleach.clean(markdown_lib.markdown(text or "", tab_length=2), tags=ALLOWED_TAGS, attributes={"a": ["href"]},
                        strip=True)
    for plain, styled in GOVUK_CLASSES.items():
        html = html.replace(plain, styled)
    return Markup(html)


def field_id(path: str) -> str:
    return path.replace(".", "-").replace("_form", "form")


def error_list(errors: dict, anchors: dict | None = None) -> list[dict]:
    anchors = anchors or {}
    return [{"text": message, "href": f"#{anchors.get(path, field_id(path))}"} for path, message in errors.items()]


def navigation_items() -> list[dict]:
    items = [("pages.inbox", "Tasks")]
    if access.is_staff(current_user):
        items += [("pages.intake", "Log a contact"), ("pages.search", "Find a case")]
    if access.sees_every_case(current_user):
        items += [("pages.dashboard", "Dashboard"), ("pages.annual_reports", "Annual reports"),
                  ("pages.contractor_report", "Contractors"), ("pages.restriction_report", "Restrictions")]
    if "process_owner" in current_user.roles:
        items += [("pages.processes", "Procedures")]
    if "admin" in current_user.roles:
        items += [("pages.failed_timers", "Failed timers")]
    return [{"href": url_for(endpoint), "text": text, "active": request.endpoint == endpoint}
            for endpoint, text in items if endpoint in current_app.view_functions]


def humanise(value: str | None) -> str:
    """stage1 → Stage 1, partly_upheld → Partly upheld, childrens_statutory → Children's statutory."""
    import re

    text = re.sub(r"(\D)(\d)", r"\1 \2", (value or "").replace("_", " ")).capitalize()
    return text.replace("Childrens", "Children's").replace("Adults", "Adults'")


def option_item(option: tuple[str, str], current) -> dict:
    value, text = option
    return {"value": value, "text": text, "checked": current == value}


def checkbox_item(option: tuple[str, str], current: list) -> dict:
    value, text = option
    return {"value": value, "text": text, "checked": value in (current or [])}


def service_area_label(value: str | None) -> str:
    from engine.service_areas import label

    return label(value)


def register(app: Flask) -> None:
    from .form_fields import date_parts

    app.jinja_env.filters.update(option_item=option_item, checkbox_item=checkbox_item, date_parts=date_parts)
    app.jinja_env.filters.update(long_date=long_date, markdown=render_markdown, field_id=field_id,
                                 humanise=humanise)
    app.jinja_env.globals.update(error_list=error_list, navigation_items=navigation_items,
                                 has_endpoint=lambda name: name in current_app.view_functions,
                                 service_area_label=service_area_label, humanise_filter=humanise,
                                 council_name=app.config.get("COUNCIL_NAME", "Anyshire County Council"))
