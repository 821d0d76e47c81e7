"""Bearer-token authentication for the API. Every route declares who may call it."""
from __future__ import annotations

from functools import wraps

from flask import g, request

from engine.users import user_for_token

from .errors import ApiError


def token_required(view):
    """Let the request through only with a valid `Authorization: Bearer TOKEN` header."""

    @wraps(view)
    def check(*args, **kwargs):
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        user = user_for_token(token.strip()) if scheme.lower() == "bearer" and token.strip() else None
        if user is None:
            raise ApiError(401, "Send a valid API token as 'Authorization: Bearer TOKEN'")
        g.user = user
        return view(*args, **kwargs)

    check.access_rule = "api token"
    return check


def public(view):
    """Mark a route as open to anyone (only the OpenAPI document)."""
    view.access_rule = "public"
    return view
