"""Remedies a response gave, read from the response form's fields marked `x-report`.

A process owner marks, in the form's JSON Schema, which field holds the outcome (`"x-report": "outcome"`),
the remedies chosen (`"remedies"`) and the amount of financial redress (`"financial_redress_amount"`).
When a task whose form has an outcome field is completed with an outcome, the remedies it records
replace those recorded earlier at the same stage. Forms without the marks record nothing.
"""
from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import bindparam, delete, insert

from .models import Remedy, execute_core

KINDS = ("apology", "service_action", "financial_redress")


def reported_fields(schema: dict | None) -> dict[str, str]:
    """{"outcome": field name, "remedies": ..., "financial_redress_amount": ...} for the marked fields."""
    properties = (schema or {}).get("properties", {})
    return {spec["x-report"]: name for name, spec in properties.items()
            if isinstance(spec, dict) and spec.get("x-report")}


def pence(pounds) -> int:
    return int((Decimal(str(pounds)) * 100).quantize(Decimal("1"), rounding=ROUND_HALF_UP))


def record_from_form(case_id: int, stage: str, schema: dict | None, data: dict, on: date) -> None:
    """Keep the remedies of a response just sent at `stage`; do nothing for other submissions."""
    fields = reported_fields(schema)
    if "outcome" not in fields or not data.get(fields["outcome"]):
        return
    chosen = [kind for kind in data.get(fields.get("remedies", ""), None) or [] if kind in KINDS]
    amount = data.get(fields.get("financial_redress_amount", ""))
    execute_core(_DELETE_FOR_STAGE, {"case_id": case_id, "stage": stage})
    if chosen:
        execute_core(_INSERT, [
            {"case_id": case_id, "stage": stage, "remedy": kind, "recorded_on": on,
             "amount_pence": pence(amount) if kind == "financial_redress" and amount is not None else None}
            for kind in chosen
        ])


# Core statements on the table: the rows are written once per response and never read back as objects here.
_REMEDIES = Remedy.__table__
_DELETE_FOR_STAGE = delete(_REMEDIES).where(_REMEDIES.c.case_id == bindparam("case_id"),
                                            _REMEDIES.c.stage == bindparam("stage"))
_INSERT = insert(_REMEDIES)
