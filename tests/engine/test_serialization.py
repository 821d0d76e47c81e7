"""The engine's workflow saves: the faster task converter writes exactly what the stock one writes."""
from __future__ import annotations

import json
import sys
from datetime import date, datetime, timezone
from decimal import Decimal
from pathlib import Path

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.serializer.default.workflow import WorkflowConverter
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG

from engine.spiff import serialization

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
import lifecycle  # noqa: E402  (the benchmark's in-memory lifecycle drives a real workflow through every stage)


class _StockSpecByReference(serialization.SpecByReferenceConverter):
    """The engine's converter (no process definition in saves) with SpiffWorkflow's own WorkflowConverter.to_dict."""

    def _workflow_to_dict(self, workflow):
        return WorkflowConverter.to_dict(self, workflow)


def _stock_dump(workflow) -> str:
    """dump_state as it would be with SpiffWorkflow's own workflow and task conversion."""
    config = dict(SPIFF_CONFIG)
    config[BpmnWorkflow] = _StockSpecByReference
    registry = BpmnWorkflowSerializer.configure(config)
    serialization._register_plain_values(registry)
    stock = BpmnWorkflowSerializer(registry)
    stock.registry._encoder_mode = True
    try:
        return json.dumps(stock.to_dict(workflow), separators=(",", ":"), cls=stock._encoder_cls)
    finally:
        stock.registry._encoder_mode = False


def test_saves_match_the_stock_converter_and_restore(monkeypatch):
    raw = lifecycle.RawLifecycle()
    checked = []
    real_complete = lifecycle.spiff.complete_user_task

    def complete_and_check(workflow, task, data):
        real_complete(workflow, task, data)
        state = serialization.dump_state(workflow)
        assert state == _stock_dump(workflow)
        restored = serialization.load_state(state, raw.spec, raw.subprocess_specs)
        assert serialization.dump_state(restored) == state
        checked.append(state)

    monkeypatch.setattr(lifecycle.spiff, "complete_user_task", complete_and_check)
    raw.stage2()
    raw.timer()
    assert len(checked) == 6


def test_saves_of_dates_decimals_and_huge_integers_in_task_data_match_the_json_module_and_restore():
    raw = lifecycle.RawLifecycle()
    awkward = {
        "agreed_on": date(2026, 1, 5),
        "visits": [{"at": datetime(2026, 1, 6, 9, 30, tzinfo=timezone.utc), "cost": Decimal("12.50")}],
        "reference_number": 10**30,  # beyond 64 bits: orjson refuses it, the json module writes it
    }
    workflow = _started_with(raw, awkward)
    state = serialization.dump_state(workflow)
    assert state == _stock_dump(workflow)
    restored = serialization.load_state(state, raw.spec, raw.subprocess_specs)
    assert serialization.dump_state(restored) == state
    task = next(t for t in restored.get_tasks() if "agreed_on" in t.data)
    assert task.data["agreed_on"] == date(2026, 1, 5)
    assert task.data["visits"][0]["at"] == datetime(2026, 1, 6, 9, 30, tzinfo=timezone.utc)
    assert task.data["visits"][0]["cost"] == Decimal("12.50")
    assert task.data["reference_number"] == 10**30


def _started_with(raw, extra: dict):
    case = {"case_reference": "CMP-2025-000001", "received_on": "2025-12-19", "service_area": "highways",
            "summary": "Pothole", "details": "", "complainant_name": "Sam Resident", "kind": "complaint", **extra}
    with lifecycle.clock.frozen_at(lifecycle.at(lifecycle.RECEIVED)), lifecycle.collecting(lifecycle.StepEffects()):
        return lifecycle.spiff.start_workflow(raw.spec, raw.subprocess_specs, case)
