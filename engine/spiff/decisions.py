"""Evaluate a DMN decision table outside a running workflow (triage, task routing)."""
from __future__ import annotations

from types import SimpleNamespace

from .parsing import decision_table
from .scripting import script_engine

_TABLES: dict[tuple, object] = {}


def decide(version_key, load_xml, decision_id: str, data: dict) -> dict:
    """Return the outputs of the first matching rule (UNIQUE) or lists of outputs (COLLECT).

    `version_key` identifies the deployed version (parsed once); `load_xml` is called only on a miss.
    """
    key = (version_key, decision_id)
    table = _TABLES.get(key)
    if table is None:
        table = _TABLES[key] = decision_table(load_xml().encode(), decision_id)
    # The DMN engine only needs a task's data and its workflow's script engine.
    task = SimpleNamespace(
        data=data, task_spec=None, workflow=SimpleNamespace(script_engine=script_engine())
    )
    return table.result(task)
