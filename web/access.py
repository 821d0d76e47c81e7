"""Access rules declared on every route; a test walks app.url_map and fails on any route without one.

The rule here is the coarse gate (signed in, staff). What a user may see of a case or task is
decided by the engine's access functions, which answer NotFound exactly as for a missing thing.
"""
from __future__ import annotations

from functools import wraps

from flask import abort
from flask_login import current_user, login_required

from engine import access


def public(view):
    """Anyone, signed in or not (sign-in page, static assets)."""
    view.access_rule = "public"
    return view


def signed_in(view):
    """Any signed-in user; the engine then decides what they may see."""
    guarded = login_required(view)
    guarded.access_rule = "signed in"
    return guarded


def staff_only(view):
    """Council staff only: appointed external people get 404, as if the page did not exist."""

    @wraps(view)
    def check(*args, **kwargs):
        if not access.is_staff(current_user):
            abort(404)
        return view(*args, **kwargs)

    guarded = login_required(check)
    guarded.access_rule = "staff"
    return guarded


def admin_only(view):
    """Administrators only; everyone else gets 404."""

    @wraps(view)
    def check(*args, **kwargs):
        if "admin" not in current_user.roles:
            abort(404)
        return view(*args, **kwargs)

    guarded = login_required(check)
    guarded.access_rule = "admin"
    return guarded


def process_owner_only(view):
    """Process owners only (they change diagrams and move running cases); everyone else gets 404."""

    @wraps(view)
    def check(*args, **kwargs):
        if "process_owner" not in current_user.roles:
            abort(404)
        return view(*args, **kwargs)

    guarded = login_required(check)
    guarded.access_rule = "process owner"
    return guarded
