"""Pages for the public, without signing in: the complaint form and the complainant's status page."""
from flask import Blueprint

public = Blueprint("public", __name__)

from . import form, status  # noqa: E402,F401  (routes register on the blueprint)
