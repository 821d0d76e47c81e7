"""Officers' pages: each view translates HTTP to one engine call and renders a GOV.UK template."""
from flask import Blueprint

pages = Blueprint("pages", __name__)

# The routes register on the blueprint.
from . import (admin, cases, contacts, dashboard, home, intake, processes, reports, restrictions,  # noqa: E402,F401
               search, tasks)
