"""Save and restore running workflows without copying their process definition.

The stock serializer embeds the whole process definition in every save, which
doubles the size and the time of each step. The definition belongs to the
deployed process version (parsed once and cached), so a saved workflow here
holds only its state and is restored against the cached spec.
"""
from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from uuid import UUID

import orjson
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter, TaskConverter
from SpiffWorkflow.bpmn.serializer.workflow import VERSION as SERIALIZER_VERSION  # noqa: F401 (stored per save)
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.task import Task
from SpiffWorkflow.version import __version__ as LIBRARY_VERSION  # noqa: F401 (stored per save)

from .scripting import script_engine


class SpecByReferenceConverter(BpmnWorkflowConverter):
    """Leave the process definition out of the saved state; take it from the caller on restore."""

    def to_dict(self, workflow):
        dct = self._workflow_to_dict(workflow)
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return dct

    def _workflow_to_dict(self, workflow):
        """WorkflowConverter.to_dict, the same output, each task handed straight to its registered converter.

        registry.convert looks the converter up again for every task, and str() of the task ids as keys
        formats each id once more: a save converts every task of the workflow.
        """
        registry = self.registry
        task_to_dict = registry.convert_to_dict[registry.typenames[Task]]
        return {
            "data": registry.convert(registry.clean(workflow.data)),
            "correlations": workflow.correlations,
            "last_task": str(workflow.last_task.id) if workflow.last_task is not None else None,
            "success": workflow.success,
            "completed": workflow.completed,
            "tasks": {_uuid_text(task_id): task_to_dict(task) if type(task) is Task else registry.convert(task)
                      for task_id, task in workflow.tasks.items()},
            "root": str(workflow.task_tree.id),
        }

    def from_dict(self, dct, spec=None, subprocess_specs=None):
        workflow = self.target_class(spec, subprocess_specs, deserializing=True)
        workflow.tasks = self.mapping_from_dict(dct["tasks"], UUID, workflow=workflow)
        workflow.task_tree = workflow.tasks.get(UUID(dct["root"]))
        self.set_default_attributes(workflow, dct)
        self.subprocesses_from_dict(dct["subprocesses"], workflow)
        workflow.bpmn_events = self.registry.restore(dct.pop("bpmn_events", []))
        return workflow


# str(UUID) is Python code and a save formats every task id three or four times (id, parent, children).
_UUID_TEXT: dict[int, str] = {}
_UUID_TEXT_SIZE = 100_000


def _uuid_text(value: UUID) -> str:
    text = _UUID_TEXT.get(value.int)
    if text is None:
        if len(_UUID_TEXT) >= _UUID_TEXT_SIZE:
            _UUID_TEXT.clear()
        text = _UUID_TEXT[value.int] = str(value)
    return text


class FasterTaskConverter(TaskConverter):
    """The stock TaskConverter.to_dict, same output, with less Python per task (a save converts every task)."""

    def to_dict(self, task):
        parent = task.parent
        if parent is None:
            data, delta = task.data, {}
        else:
            # DeepMerge.get_updated_keys / get_deleted_keys, inlined.
            before, after = parent.data, task.data
            data = {}
            delta = {
                "updates": {key: after[key] for key in after if key not in before or after[key] != before[key]},
                "deletions": [key for key in before if key not in after],
            }
        internal = task.internal_data
        return {
            "id": _uuid_text(task.id),
            "parent": _uuid_text(task._parent) if parent is not None else None,
            "children": [_UUID_TEXT.get(child.int) or _uuid_text(child) for child in task._children],
            "last_state_change": task.last_state_change,
            "state": task.state,
            "task_spec": task.task_spec.name,
            "triggered": task.triggered,
            "internal_data": self.registry.convert(internal) if internal else {},
            "data": data,
            "delta": delta,
        }


def _register_plain_values(registry) -> None:
    """Task data may hold dates and decimals; the stock registry cannot save them."""
    registry.register(date, lambda v: {"value": v.isoformat()}, lambda d: date.fromisoformat(d["value"]), "date")
    registry.register(
        datetime, lambda v: {"value": v.isoformat()}, lambda d: datetime.fromisoformat(d["value"]), "datetime"
    )
    registry.register(Decimal, lambda v: {"value": str(v)}, lambda d: Decimal(d["value"]), "decimal")


_SERIALIZER: BpmnWorkflowSerializer | None = None


def serializer() -> BpmnWorkflowSerializer:
    global _SERIALIZER
    if _SERIALIZER is None:
        config = dict(SPIFF_CONFIG)
        config[BpmnWorkflow] = SpecByReferenceConverter
        config[Task] = FasterTaskConverter
        registry = BpmnWorkflowSerializer.configure(config)
        _register_plain_values(registry)
        _SERIALIZER = BpmnWorkflowSerializer(registry)
    return _SERIALIZER


def dump_state(workflow: BpmnWorkflow) -> str:
    """Serialize a workflow's state (not its definition) to JSON."""
    s = serializer()
    s.registry._encoder_mode = True
    try:
        return _to_json(s.to_dict(workflow), s)
    finally:
        s.registry._encoder_mode = False


# orjson writes a save's JSON about eight times faster than the json module (every step saves);
# dates and datetimes are handed to the registry as the json module would, so the text is the same.
_ORJSON_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_NON_STR_KEYS


def _to_json(dct: dict, s: BpmnWorkflowSerializer) -> str:
    encoder = s._encoder_cls()
    try:
        return orjson.dumps(dct, default=encoder.default, option=_ORJSON_OPTIONS).decode()
    except orjson.JSONEncodeError:
        # What orjson refuses and the json module writes: integers beyond 64 bits.
        return json.dumps(dct, separators=(",", ":"), cls=s._encoder_cls)


class UnknownStateVersion(ValueError):
    """A saved state written by another serializer version: refused, never migrated here."""


def load_state(state: str, spec, subprocess_specs, serializer_version: str = SERIALIZER_VERSION) -> BpmnWorkflow:
    """Restore a workflow saved by `dump_state` against its cached definition.

    The library's own migration of old states (BpmnWorkflowSerializer.migrate) evaluates timer
    text from the saved data with plain eval(), so a state from another version is refused
    rather than migrated: stored data is never a way to run code.
    """
    if serializer_version != SERIALIZER_VERSION:
        raise UnknownStateVersion(f"saved by serializer {serializer_version}, this engine reads {SERIALIZER_VERSION}")
    workflow = serializer().from_dict(json.loads(state), spec=spec, subprocess_specs=subprocess_specs)
    workflow.script_engine = script_engine()
    return workflow
