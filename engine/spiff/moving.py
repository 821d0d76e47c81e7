"""Move a running workflow onto another version of its diagram (SpiffWorkflow's own diff and migration).

Task specs are matched by BPMN id between the versions (SpiffWorkflow.bpmn.util.diff, with its
matching by position turned off for anything the case has reached). A workflow
is refused when a task the case has reached (done, current or waiting) has no counterpart in the
new version; tasks only predicted ahead of the case are dropped and predicted afresh. Ready and
waiting tasks are reset and run again in the new version, keeping their ids (so claims hold), and
timers that wait start again from their expressions (which is how deadlines can change).
"""
from __future__ import annotations

from SpiffWorkflow.bpmn.util.diff import diff_workflow, migrate_workflow
from SpiffWorkflow.util.task import TaskState

from .running import advance
from .serialization import serializer


class CannotMove(Exception):
    """The workflow cannot run on the new version; the message says why, in words."""


def _name(task) -> str:
    spec = task.task_spec
    name = getattr(spec, "bpmn_name", None)
    return f'"{name}" ({spec.bpmn_id or spec.name})' if name else str(getattr(spec, "bpmn_id", None) or spec.name)


def _check_removed(diff, version_label: str) -> None:
    # SpiffWorkflow also aligns a renamed task by its place in the flow; a case only moves by the same id.
    renamed = [t for t, new in diff.alignment.items() if new is not None and new.name != t.task_spec.name]
    reached = [t for t in diff.removed + renamed if not t.has_state(TaskState.PREDICTED_MASK)]
    current = [t for t in reached if t.has_state(TaskState.DEFINITE_MASK)]
    if current:
        raise CannotMove(f"the case is at {', '.join(sorted({_name(t) for t in current}))}, which {version_label} "
                         "does not have")
    if reached:
        raise CannotMove(f"the case has passed {', '.join(sorted({_name(t) for t in reached}))}, which "
                         f"{version_label} does not have")


def _drop_predictions(workflow, diff) -> None:
    parents = []
    for task in diff.removed:
        if task.id in workflow.tasks and task.has_state(TaskState.PREDICTED_MASK):
            parents.append(task.parent)
            workflow._remove_task(task.id)
    for parent in parents:
        if parent is not None and parent.id in workflow.tasks and not parent.has_state(TaskState.FINISHED_MASK):
            parent.task_spec._predict(parent, mask=TaskState.PREDICTED_MASK)


def move_workflow(workflow, spec, subprocess_specs, version_label: str) -> None:
    """Put `workflow` on `spec` in place and run it to its next wait; raise CannotMove with the reason."""
    registry = serializer().registry
    top_diff, subprocess_diffs = diff_workflow(registry, workflow, spec, subprocess_specs)
    _check_removed(top_diff, version_label)
    for sp_id, sp_diff in subprocess_diffs.items():
        if sp_diff is None:
            raise CannotMove(f"the case is inside a subprocess that {version_label} does not have")
        _check_removed(sp_diff, version_label)
    _drop_predictions(workflow, top_diff)
    migrate_workflow(top_diff, workflow, spec)
    for sp_id, sp_diff in subprocess_diffs.items():
        subprocess = workflow.subprocesses[sp_id]
        _drop_predictions(subprocess, sp_diff)
        migrate_workflow(sp_diff, subprocess, subprocess_specs[subprocess.spec.name])
    workflow.subprocess_specs = subprocess_specs
    advance(workflow)
