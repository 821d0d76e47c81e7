"""Evaluate a DMN decision table outside a running workflow (triage, task routing)."""
from __future__ import annotations

from types import SimpleNamespace

from .parsing import decision_table
from .scripting import script_engine

_TABLES: dict[str, object] = {}


def decide(dmn_xml: str, decision_id: str, data: dict) -> dict:
    """Return the outputs of the first matching rule (UNIQUE) or lists of outputs (COLLECT)."""
    key = f"{decision_id}:{hash(dmn_xml)}"
    table = _TABLES.get(key)
    if table is None:
        table = _TABLES[key] = decision_table(dmn_xml.encode(), decision_id)
    # The DMN engine only needs a task's data and its workflow's script engine.
    task = SimpleNamespace(
        data=data, task_spec=None, workflow=SimpleNamespace(script_engine=script_engine())
    )
    return table.result(task)
