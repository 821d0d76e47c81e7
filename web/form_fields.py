"""Turn a task's JSON Schema into GOV.UK form fields, and a submitted form back into data.

The schema stays the single definition of the data (the engine validates against it);
this module only decides how each property is shown and how browser strings become
JSON values. Empty optional fields are left out rather than sent as "".
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from datetime import date


@dataclass
class Field:
    name: str
    kind: str  # text, textarea, number, date, radios, select, checkboxes, confirm
    label: str
    hint: str = ""
    required: bool = False
    options: list[tuple[str, str]] = field(default_factory=list)
    schema: dict = field(default_factory=dict)


def _options(schema: dict, labels: dict) -> list[tuple[str, str]]:
    return [(value, labels.get(value, str(value).replace("_", " ").capitalize())) for value in schema["enum"]]


def field_for(name: str, schema: dict, required: bool) -> Field:
    label = schema.get("title") or name.replace("_", " ").capitalize()
    hint = schema.get("description", "")
    kind_of = schema.get("type")
    labels = schema.get("x-labels", {})
    if kind_of == "array" and "enum" in schema.get("items", {}):
        return Field(name, "checkboxes", label, hint, required, _options(schema["items"], labels), schema)
    if "enum" in schema:
        kind = "radios" if len(schema["enum"]) <= 6 else "select"
        return Field(name, kind, label, hint, required, _options(schema, labels), schema)
    if kind_of == "boolean":
        return Field(name, "confirm", label, hint, required, [("true", "Yes")], schema)
    if kind_of in ("integer", "number"):
        return Field(name, "number", label, hint, required, schema=schema)
    if schema.get("format") == "date":
        return Field(name, "date", label, hint, required, schema=schema)
    if schema.get("x-widget") == "textarea":
        return Field(name, "textarea", label, hint, required, schema=schema)
    return Field(name, "text", label, hint, required, schema=schema)


def fields_for(schema: dict) -> list[Field]:
    required = set(schema.get("required", []))
    return [field_for(name, prop, name in required) for name, prop in schema.get("properties", {}).items()]


def parse(schema: dict, form, prefix: str = "") -> tuple[dict, dict[str, str]]:
    """Return (data, errors) from a submitted form: errors for values that are not even the right type.

    With a prefix (an object nested in the schema, e.g. "complainant."), the form's names carry the prefix
    and so do the error keys; the data's keys do not.
    """
    data, errors = {}, {}
    for item in fields_for(schema):
        named = replace(item, name=prefix + item.name) if prefix else item
        try:
            value = _parse_field(named, form)
        except ValueError as err:
            errors[named.name] = str(err)
            continue
        if value is not None:
            data[item.name] = value
    return data, errors


def _parse_field(item: Field, form):
    if item.kind == "checkboxes":
        chosen = form.getlist(item.name)
        return chosen or None
    if item.kind == "confirm":
        return True if form.get(item.name) == "true" else None
    if item.kind == "date":
        return _parse_date(item, form)
    raw = (form.get(item.name) or "").strip()
    if raw == "":
        return None
    if item.kind == "number":
        try:
            number = int(raw) if item.schema.get("type") == "integer" else float(raw)
        except ValueError:
            raise ValueError(f"{item.label} must be a number") from None
        if not math.isfinite(number):  # float() reads "nan" and "inf", which are no amount of anything
            raise ValueError(f"{item.label} must be a number")
        return number
    return raw


def _parse_date(item: Field, form) -> str | None:
    parts = [(form.get(f"{item.name}-{part}") or "").strip() for part in ("day", "month", "year")]
    if not any(parts):
        return None
    if not all(parts):
        missing = [name for name, value in zip(("day", "month", "year"), parts) if not value]
        raise ValueError(f"{item.label} must include a {' and '.join(missing)}")
    try:
        day, month, year = (int(p) for p in parts)
        return date(year, month, day).isoformat()
    except ValueError:
        raise ValueError(f"{item.label} must be a real date") from None


def date_parts(value: str | dict | None) -> dict[str, str]:
    if not value:
        return {}
    if isinstance(value, dict):  # what was typed, kept as it was when it is not a real date
        return {part: str(value.get(part, "")) for part in ("day", "month", "year")}
    try:
        parsed = date.fromisoformat(value)
    except ValueError:
        return {}
    return {"day": str(parsed.day), "month": str(parsed.month), "year": str(parsed.year)}


def raw_date(name: str, form) -> dict[str, str]:
    """The day, month and year boxes of a date field as typed, to show them again beside an error."""
    return {part: (form.get(f"{name}-{part}") or "").strip() for part in ("day", "month", "year")}


def anchors(fields: list[Field], prefix: str = "") -> dict[str, str]:
    """Where the error summary should take the reader for each field: a date's day box, else the field."""
    return {prefix + f.name: (prefix + f.name).replace(".", "-") + ("-day" if f.kind == "date" else "")
            for f in fields}
