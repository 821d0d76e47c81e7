"""The OpenAPI 3 description of the JSON API, kept beside the routes it describes."""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

INTAKE_FORM = Path(__file__).resolve().parents[2] / "processes" / "forms" / "intake.json"

_ERROR = {"$ref": "#/components/schemas/Error"}
_CASE = {"$ref": "#/components/schemas/Case"}
_TASK = {"$ref": "#/components/schemas/Task"}


def _responses(ok_status: str, ok_schema: dict, *errors: str) -> dict:
    descriptions = {
        "400": "Malformed JSON", "401": "Missing or bad token", "403": "Not allowed for this user",
        "404": "No such thing, or you may not see it", "409": "Not possible in the current state",
        "422": "Validation failed; `errors` maps each field to a message",
    }
    result = {ok_status: {"description": "OK", "content": {"application/json": {"schema": ok_schema}}}}
    for code in ("401", *errors):
        result[code] = {"description": descriptions[code], "content": {"application/json": {"schema": _ERROR}}}
    return result


def _ref_param(name: str, description: str) -> dict:
    return {"name": name, "in": "path", "required": True, "description": description, "schema": {"type": "string"}}


@lru_cache(maxsize=1)
def openapi_document() -> dict:
    intake = json.loads(INTAKE_FORM.read_text())
    intake.pop("$schema", None)
    ref = _ref_param("reference", "Case reference, e.g. CMP-2026-000123")
    task_id = _ref_param("task_id", "Task id")
    query = [
        {"name": n, "in": "query", "required": False, "schema": {"type": "string"}}
        for n in ("procedure", "stage", "status", "service_area", "contractor", "overdue")
    ] + [{"name": "page", "in": "query", "required": False, "schema": {"type": "integer", "minimum": 1}}]
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Council complaints API",
            "version": "1.0",
            "description": "Log complaints, comments and compliments, read cases, work tasks. "
                           "Dates are ISO 8601; errors are {error, errors}.",
        },
        "servers": [{"url": "/"}],
        "security": [{"bearer": []}],
        "paths": {
            "/api/complaints": {
                "post": {
                    "summary": "Log a complaint, comment or compliment",
                    "requestBody": {"required": True, "content": {"application/json": {"schema": intake}}},
                    "responses": _responses("201", _CASE, "400", "404", "422"),
                },
                "get": {
                    "summary": "List cases (staff roles only)",
                    "parameters": query,
                    "responses": _responses("200", {
                        "type": "object",
                        "properties": {"items": {"type": "array", "items": _CASE},
                                       "page": {"type": "integer"}, "total": {"type": "integer"}},
                    }, "404", "422"),
                },
            },
            "/api/complaints/{reference}": {
                "get": {"summary": "Read a case", "parameters": [ref],
                        "responses": _responses("200", _CASE, "404")},
            },
            "/api/complaints/{reference}/escalate": {
                "post": {
                    "summary": "The complainant asks for the next stage",
                    "parameters": [ref],
                    "requestBody": {"required": True, "content": {"application/json": {"schema": {
                        "type": "object", "properties": {"reason": {"type": "string"}}}}}},
                    "responses": _responses("200", _CASE, "400", "404", "409", "422"),
                },
            },
            "/api/complaints/{reference}/withdraw": {
                "post": {
                    "summary": "The complainant withdraws the complaint (staff record it)",
                    "parameters": [ref],
                    "requestBody": {"required": True, "content": {"application/json": {"schema": {
                        "type": "object", "required": ["reason"], "properties": {"reason": {"type": "string"}}}}}},
                    "responses": _responses("200", _CASE, "400", "404", "409", "422"),
                },
            },
            "/api/tasks": {
                "get": {"summary": "My inbox: my tasks and my teams' unclaimed tasks",
                        "responses": _responses("200", {"type": "object", "properties": {
                            "items": {"type": "array", "items": _TASK}}})},
            },
            "/api/tasks/{task_id}": {
                "get": {"summary": "Read a task with its form (JSON Schema)", "parameters": [task_id],
                        "responses": _responses("200", _TASK, "404")},
            },
            "/api/tasks/{task_id}/claim": {
                "post": {"summary": "Claim a task", "parameters": [task_id],
                         "responses": _responses("200", _TASK, "403", "404", "409")},
            },
            "/api/tasks/{task_id}/release": {
                "post": {"summary": "Give a task back to the team", "parameters": [task_id],
                         "responses": _responses("200", _TASK, "403", "404")},
            },
            "/api/tasks/{task_id}/complete": {
                "post": {
                    "summary": "Complete a task with its form data",
                    "parameters": [task_id],
                    "requestBody": {"required": True, "content": {"application/json": {"schema": {
                        "type": "object", "required": ["data"], "properties": {"data": {"type": "object"}}}}}},
                    "responses": _responses("200", _CASE, "400", "403", "404", "409", "422"),
                },
            },
            "/api/openapi.json": {
                "get": {"summary": "This document", "security": [],
                        "responses": {"200": {"description": "OpenAPI 3 document"}}},
            },
        },
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                "Error": {"type": "object", "required": ["error"], "properties": {
                    "error": {"type": "string"},
                    "errors": {"type": "object", "additionalProperties": {"type": "string"}}}},
                "Deadline": {"type": "object", "properties": {
                    "step": {"type": "string"}, "due_on": {"type": "string", "format": "date"},
                    "completed_on": {"type": ["string", "null"], "format": "date"},
                    "overdue": {"type": "boolean"}, "basis": {"type": "string"}}},
                "Case": {"type": "object", "properties": {
                    "reference": {"type": "string"},
                    "kind": {"enum": ["complaint", "comment", "compliment"]},
                    "procedure": {"enum": ["corporate", "childrens_statutory", "adults_statutory", "none"]},
                    "stage": {"type": "string"},
                    "status": {"enum": ["open", "closed", "withdrawn"]},
                    "service_area": {"type": "string"},
                    "channel": {"type": "string"},
                    "summary": {"type": "string"},
                    "received_on": {"type": "string", "format": "date"},
                    "happened_on": {"type": ["string", "null"], "format": "date",
                                    "description": "When the matter happened or the complainant learnt of it"},
                    "triage_reason": {"type": ["string", "null"],
                                      "description": "Why the case follows its procedure (or none)"},
                    "closed_on": {"type": ["string", "null"], "format": "date"},
                    "outcome": {"type": ["string", "null"]},
                    "next_stage_request_by": {"type": ["string", "null"], "format": "date"},
                    "contractor": {"type": ["string", "null"]},
                    "complainant": {"type": "object", "properties": {
                        "name": {"type": "string"}, "email": {"type": "string"}, "phone": {"type": "string"},
                        "address": {"type": "string"}}},
                    "on_behalf_of": {"type": ["object", "null"]},
                    "desired_outcome": {"type": ["string", "null"]},
                    "advocate_requested": {"type": ["boolean", "null"]},
                    "deadlines": {"type": "array", "items": {"$ref": "#/components/schemas/Deadline"}},
                    "open_tasks": {"type": "array", "items": {"type": "object"}},
                    "history": {"type": "array", "items": {"type": "object", "properties": {
                        "at": {"type": "string", "format": "date-time"}, "actor": {"type": "string"},
                        "event": {"type": "string"}, "detail": {"type": "string"}}}},
                }},
                "Task": {"type": "object", "properties": {
                    "id": {"type": "string"}, "name": {"type": "string"}, "case_reference": {"type": "string"},
                    "procedure": {"type": "string"}, "stage": {"type": "string"}, "role": {"type": "string"},
                    "team": {"type": ["string", "null"]}, "assignee": {"type": ["string", "null"]},
                    "due_on": {"type": ["string", "null"], "format": "date"}, "overdue": {"type": "boolean"},
                    "form": {"type": "object"}}},
            },
        },
    }
