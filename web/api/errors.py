"""Translate engine errors and HTTP errors into the contract's JSON error bodies."""
from __future__ import annotations

from flask import jsonify
from werkzeug.exceptions import HTTPException

from engine.errors import Conflict, EngineError, Forbidden, NotFound, ValidationFailed

from . import api


class ApiError(Exception):
    def __init__(self, status: int, message: str, errors: dict | None = None):
        super().__init__(message)
        self.status, self.message, self.errors = status, message, errors


def error_response(status: int, message: str, errors: dict | None = None):
    body = {"error": message}
    if errors:
        body["errors"] = errors
    return jsonify(body), status


_STATUS = {NotFound: 404, Conflict: 409, Forbidden: 403, ValidationFailed: 422}


@api.errorhandler(ApiError)
def _api_error(err: ApiError):
    return error_response(err.status, err.message, err.errors)


@api.errorhandler(EngineError)
def _engine_error(err: EngineError):
    status = next((code for cls, code in _STATUS.items() if isinstance(err, cls)), 400)
    return error_response(status, str(err), getattr(err, "errors", None))


@api.errorhandler(HTTPException)
def _http_error(err: HTTPException):
    return error_response(err.code or 500, err.description or err.name)
