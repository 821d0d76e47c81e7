"""The complainant's status page, reached only through the private link emailed to them.

Any token that does not open a case (unknown, revoked, malformed) gets the app's ordinary 404 page,
byte for byte the same as for an address that does not exist.
"""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for

from engine import status_links
from engine.errors import Conflict, NotFound, RateLimited, ValidationFailed

from ..access import public as public_route
from . import public


def _client() -> str:
    return request.remote_addr or "unknown"


def _too_many():
    return render_template("public/too_many.html", title="Too many requests"), 429, {"Retry-After": "60"}


def _render(token: str, view: dict, errors: dict | None = None, reason: str = "", status: int = 200):
    return render_template("public/status.html", title=f"Your {view['kind']} {view['reference']}", view=view,
                           token=token, errors=errors or {}, error_anchors={}, reason=reason), status


@public.get(f"/{status_links.STATUS_PATH}<token>")
@public_route
def status(token):
    try:
        view = status_links.status_page(token, client=_client())
    except NotFound:
        abort(404)
    except RateLimited:
        return _too_many()
    return _render(token, view)


@public.post(f"/{status_links.STATUS_PATH}<token>/next-stage")
@public_route
def next_stage(token):
    reason = request.form.get("reason", "")
    try:
        view = status_links.request_next_stage(token, reason, client=_client())
    except NotFound:
        abort(404)
    except RateLimited:
        return _too_many()
    except (ValidationFailed, Conflict) as refused:
        try:
            view = status_links.status_page(token, client=_client())
        except (NotFound, RateLimited):
            abort(404)
        if isinstance(refused, ValidationFailed):
            return _render(token, view, refused.errors, reason, 400)
        flash("You cannot ask for the next stage now. Contact us if you think this is wrong.", "important")
        return _render(token, view, status=409)
    flash(f"We have received your request for {view['stage']}. We will be in touch.", "success")
    return redirect(url_for("public.status", token=token))

