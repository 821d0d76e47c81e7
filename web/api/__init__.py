"""The JSON API of ../shared/api-contract.md: bearer tokens, 4xx with field errors, never a 500 for bad input."""
from flask import Blueprint

api = Blueprint("api", __name__, url_prefix="/api")

from . import errors, routes  # noqa: E402,F401  (routes register on the blueprint)
