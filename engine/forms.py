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


# The deployed forms are the same dict objects every time (registry.form_schema caches them), so
# their validators are also found by identity, without writing the schema out as JSON for the key.
# Each entry holds its schema, so an id cannot be reused by another dict while the entry exists.
_BY_IDENTITY: dict[int, tuple[dict, Draft202012Validator]] = {}


def _validator_for(schema: dict) -> Draft202012Validator:
    entry = _BY_IDENTITY.get(id(schema))
    if entry is not None and entry[0] is schema:
        return entry[1]
    validator = _validator(json.dumps(schema, sort_keys=True))
    if len(_BY_IDENTITY) >= 256:
        _BY_IDENTITY.clear()
    _BY_IDENTITY[id(schema)] = (schema, validator)
    return validator


def field_errors(schema: dict, data) -> dict[str, str]:
    """Return {"field.path": "message"} for every problem, one message per field."""
    validator = _validator_for(schema)
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
        return _required_message(_node(schema, path), title)
    if error.validator == "enum":
        return f"Select {title.lower()}" if title else "Select an option"
    if error.validator == "format" and "date" in str(error.validator_value):
        return f"{title or 'Date'} must be a real date"
    if error.validator == "const" and error.validator_value is True:
        return f"Confirm: {title}" if title else "Confirm this"
    if error.validator == "additionalProperties":
        return error.message
    return f"{title}: {error.message}" if title else error.message


def _node(schema: dict, path: list) -> dict:
    node = schema
    for part in path:
        if isinstance(part, int):
            node = node.get("items", {})
            continue
        node = node.get("properties", {}).get(part, {})
    return node


def _title(schema: dict, path: list) -> str:
    return _node(schema, path).get("title", "")


def _required_message(node: dict, title: str) -> str:
    """GOV.UK style: 'Select' for choices, 'Confirm' for a tick box, 'Enter' for anything typed."""
    if node.get("x-required-message"):
        return node["x-required-message"]
    if not title:
        return "This is required"
    if "enum" in node or "enum" in node.get("items", {}):
        return f"Select an answer to: {title}"
    if node.get("type") == "boolean":
        return f"Confirm: {title}"
    return f"Enter {title[0].lower() + title[1:]}"


def validate(schema: dict, data) -> None:
    """Raise ValidationFailed with field errors unless `data` satisfies `schema`."""
    if not isinstance(data, dict):
        raise ValidationFailed({"_form": "Send a JSON object"})
    errors = field_errors(schema, data)
    if errors:
        raise ValidationFailed(errors)


def load_form(path: Path) -> dict:
    """The form in a JSON Schema file, read again only when the file changes. Callers must not change it.

    Every intake reads the intake form: reading and parsing it each time cost more than its checks,
    and a new dict each time would also miss the validator cache above (found by identity).
    """
    stat = path.stat()
    return _parsed_form(path, stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=64)
def _parsed_form(path: Path, _mtime_ns: int, _size: int) -> dict:
    return json.loads(path.read_text())
