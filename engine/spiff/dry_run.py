"""Run a diagram's own test case in memory: the data each user task gets, and the end it should reach.

Nothing is saved; the diagram API's effects (deadlines, stages) are collected and thrown away.
"""
from __future__ import annotations

from dataclasses import dataclass

from SpiffWorkflow.util.task import TaskState

from ..diagram_api import StepEffects, collecting
from .running import complete_user_task, find_ready_user_task, ready_user_tasks, start_workflow


@dataclass
class DryRunResult:
    name: str
    passed: bool
    message: str


def _matches(view_or_spec, wanted: str) -> bool:
    return wanted in (view_or_spec.spec_id, view_or_spec.title)


def _waiting_at(workflow) -> str:
    views = ready_user_tasks(workflow)
    return ", ".join(f'"{v.title}"' for v in views) or "a timer or a message"


def run_test_case(spec, subprocess_specs, name: str, start_data: dict, steps: list[dict], expected_end: str):
    """Walk the path; the first step that cannot be taken is the failure, in words."""
    try:
        with collecting(StepEffects()):
            workflow = start_workflow(spec, subprocess_specs, dict(start_data))
            for number, step in enumerate(steps, start=1):
                wanted = step.get("task", "")
                view = next((v for v in ready_user_tasks(workflow) if _matches(v, wanted)), None)
                if view is None:
                    return DryRunResult(name, False, f'step {number}: expected "{wanted}" but the case '
                                                     f"is waiting at {_waiting_at(workflow)}")
                complete_user_task(workflow, find_ready_user_task(workflow, view.id), dict(step.get("data") or {}))
    except Exception as err:  # noqa: BLE001 (the diagram's own failure is the result)
        return DryRunResult(name, False, f"the diagram failed: {type(err).__name__}: {err}")
    if not workflow.is_completed():
        return DryRunResult(name, False, f'expected to end at "{expected_end}" but the case is waiting at '
                                         f"{_waiting_at(workflow)}")
    ends = [t.task_spec for t in workflow.get_tasks(state=TaskState.COMPLETED)
            if type(t.task_spec).__name__ == "EndEvent"]
    reached = [s.bpmn_name or s.bpmn_id for s in ends]
    if not any(expected_end in (s.bpmn_id, s.bpmn_name) for s in ends):
        return DryRunResult(name, False, f'expected to end at "{expected_end}" but it ended at '
                                         f"{', '.join(repr(r) for r in reached) or 'no end event'}")
    return DryRunResult(name, True, f'reached "{expected_end}" after {len(steps)} task(s)')
