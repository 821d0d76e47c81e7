"""Officers' pages: each view translates HTTP to one engine call and renders a GOV.UK template."""
from flask import Blueprint

pages = Blueprint("pages", __name__)

from . import admin, cases, contacts, home, intake, reports, restrictions, search, tasks  # noqa: E402,F401  (routes register on the blueprint)
