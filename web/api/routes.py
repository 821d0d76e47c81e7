"""API routes: each translates HTTP to one engine service call."""
from __future__ import annotations

from flask import g, jsonify, request

from engine import cases, human_tasks, inbox

from . import api
from .auth import public, token_required
from .errors import ApiError
from .openapi import openapi_document


def _json_body() -> dict:
    try:
        body = request.get_json(silent=True)
    except RecursionError:  # absurdly deep nesting; `silent` only covers ValueError
        body = None
    if body is None:
        raise ApiError(400, "The request body must be valid JSON (Content-Type: application/json)")
    if not isinstance(body, dict):
        raise ApiError(422, "The request body must be a JSON object", {"_body": "Send a JSON object"})
    if _has_nul(body):  # PostgreSQL text cannot hold NUL characters
        raise ApiError(422, "Text must not contain NUL characters", {"_body": "Remove NUL (\\u0000) characters"})
    return body


def _has_nul(body) -> bool:
    pending = [body]
    while pending:
        value = pending.pop()
        if isinstance(value, str) and "\x00" in value:
            return True
        if isinstance(value, dict):
            pending.extend(value.keys())
            pending.extend(value.values())
        elif isinstance(value, list):
            pending.extend(value)
    return False


@api.before_request
def _refuse_nul_in_url():
    # PostgreSQL refuses NUL in text parameters with an error; answer as for any unknown or invalid input.
    if "\x00" in request.path:
        raise ApiError(404, "Not found")
    bad = sorted({key for key, value in request.args.items(multi=True) if "\x00" in key + value})
    if bad:
        raise ApiError(422, "Query parameters must not contain NUL characters",
                       {key.replace("\x00", "") or "_query": "Remove NUL characters" for key in bad})


def _page() -> int:
    raw = request.args.get("page", "1")
    # ASCII digits only ("²".isdigit() is true but int() refuses it); at most 9 so the offset fits the database.
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 9) or int(raw) < 1:
        raise ApiError(422, "page must be a whole number from 1", {"page": "Enter a whole number from 1"})
    return int(raw)


@api.post("/complaints")
@token_required
def create_complaint():
    return jsonify(cases.open_case(_json_body(), actor=g.user)), 201


@api.get("/complaints")
@token_required
def list_complaints():
    args = request.args
    overdue = args.get("overdue", "").lower() in ("true", "1", "yes")
    return jsonify(cases.list_cases(
        g.user, procedure=args.get("procedure"), stage=args.get("stage"), status=args.get("status"),
        service_area=args.get("service_area"), contractor=args.get("contractor"), overdue=overdue, page=_page(),
    ))


@api.get("/complaints/<reference>")
@token_required
def get_complaint(reference):
    return jsonify(cases.read_case(reference, user=g.user))


def _reason() -> str:
    reason = _json_body().get("reason", "")
    if not isinstance(reason, str):
        raise ApiError(422, "reason must be text", {"reason": "Enter the reason as text"})
    return reason


@api.post("/complaints/<reference>/escalate")
@token_required
def escalate_complaint(reference):
    return jsonify(cases.escalate_case(reference, _reason(), actor=g.user))


@api.post("/complaints/<reference>/withdraw")
@token_required
def withdraw_complaint(reference):
    return jsonify(cases.withdraw_case(reference, _reason(), actor=g.user))


@api.get("/tasks")
@token_required
def list_tasks():
    return jsonify(inbox.inbox_for(g.user))


@api.get("/tasks/<task_id>")
@token_required
def get_task(task_id):
    return jsonify(human_tasks.read_task(task_id, user=g.user))


@api.post("/tasks/<task_id>/claim")
@token_required
def claim_task(task_id):
    return jsonify(human_tasks.claim_task(task_id, user=g.user))


@api.post("/tasks/<task_id>/release")
@token_required
def release_task(task_id):
    return jsonify(human_tasks.release_task(task_id, user=g.user))


@api.post("/tasks/<task_id>/complete")
@token_required
def complete_task(task_id):
    body = _json_body()
    data = body.get("data")
    if not isinstance(data, dict):
        raise ApiError(422, "Send the form data as an object in 'data'", {"data": "Send an object"})
    return jsonify(human_tasks.complete_task(task_id, data, user=g.user))


@api.get("/openapi.json")
@public
def openapi():
    return jsonify(openapi_document())
