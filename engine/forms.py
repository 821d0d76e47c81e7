"""Validate submitted data against a JSON Schema form and report errors field by field."""
from __future__ import annotations

import json
from datetime import date
from functools import lru_cache
from pathlib import Path

from jsonschema import Draft202012Validator, FormatChecker

from .errors import ValidationFailed

_FORMATS = FormatChecker()


@_FORMATS.checks("date", raises=ValueError)
def _is_iso_date(value) -> bool:
    if not isinstance(value, str):
        return True
    date.fromisoformat(value)
    return len(value) == 10


@lru_cache(maxsize=256)
def _validator(schema_json: str) -> Draft202012Validator:
    return Draft202012Validator(json.loads(schema_json), format_checker=_FORMATS)


def field_errors(schema: dict, data) -> dict[str, str]:
    """Return {"field.path": "message"} for every problem, one message per field."""
    validator = _validator(json.dumps(schema, sort_keys=True))
    errors: dict[str, str] = {}
    for error in sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path)):
        path = list(error.absolute_path)
        if error.validator == "required":
            missing = error.message.split("'")[1]
            path = [*path, missing]
        key = ".".join(str(p) for p in path) or "_form"
        errors.setdefault(key, _message(schema, path, error))
    return errors


def _message(schema: dict, path: list, error) -> str:
    title = _title(schema, path)
    if error.validator == "required":
        return f"Enter {title.lower()}" if title else "This is required"
    if error.validator == "enum":
        return f"Select {title.lower()}" if title else "Select an option"
    if error.validator == "format" and "date" in str(error.validator_value):
        return f"{title or 'Date'} must be a real date"
    if error.validator == "const" and error.validator_value is True:
        return f"Confirm: {title}" if title else "Confirm this"
    if error.validator == "additionalProperties":
        return error.message
    return f"{title}: {error.message}" if title else error.message


def _title(schema: dict, path: list) -> str:
    node = schema
    for part in path:
        if isinstance(part, int):
            node = node.get("items", {})
            continue
        node = node.get("properties", {}).get(part, {})
    return node.get("title", "")


def validate(schema: dict, data) -> None:
    """Raise ValidationFailed with field errors unless `data` satisfies `schema`."""
    if not isinstance(data, dict):
        raise ValidationFailed({"_form": "Send a JSON object"})
    errors = field_errors(schema, data)
    if errors:
        raise ValidationFailed(errors)


def load_form(path: Path) -> dict:
    return json.loads(path.read_text())
