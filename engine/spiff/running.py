"""Start and advance workflows, and read what they wait for."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.util.event import BpmnEvent
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.exceptions import WorkflowException
from SpiffWorkflow.spiff.specs.event_definitions import MessageEventDefinition
from SpiffWorkflow.util.task import TaskState

from ..diagram_api import DeadlineRuleError
from . import clock_hook
from .scripting import script_engine


class NotWaitingForMessage(Exception):
    """The workflow has nothing waiting for that message right now."""


@dataclass(frozen=True)
class UserTaskView:
    """What the engine needs to know of a ready human task."""

    id: str
    spec_id: str
    title: str
    lane: str | None
    properties: dict
    documentation: str
    instructions: str
    assign_to: str | None = None
    due_on: str | None = None


@dataclass(frozen=True)
class WaitingTimer:
    task_id: str
    spec_id: str
    title: str
    due_at: datetime


def start_workflow(spec, subprocess_specs, data: dict) -> BpmnWorkflow:
    """Create a workflow, hand it the case data and run it to its first wait."""
    clock_hook.install()
    workflow = BpmnWorkflow(spec, subprocess_specs, script_engine=script_engine())
    start = workflow.get_tasks(state=TaskState.READY)[0]
    start.data.update(data)
    workflow.do_engine_steps()
    workflow.refresh_timers()
    workflow.do_engine_steps()
    return workflow


@dataclass(frozen=True)
class ElementStates:
    """Where a case is on its diagram, by BPMN element id: done, being worked on, and waiting (timers, messages)."""

    completed: list[str]
    current: list[str]
    waiting: list[str]


_STATE_RANK = {TaskState.COMPLETED: 1, TaskState.WAITING: 2, TaskState.READY: 3, TaskState.STARTED: 3,
               TaskState.ERROR: 3}


def element_states(workflow: BpmnWorkflow) -> ElementStates:
    """The top-level process's elements by state; an element run more than once shows its liveliest run."""
    found: dict[str, int] = {}
    for task in workflow.get_tasks():
        bpmn_id = getattr(task.task_spec, "bpmn_id", None)
        rank = _STATE_RANK.get(task.state)
        if bpmn_id is None or rank is None:
            continue  # SpiffWorkflow's own bookkeeping tasks; predicted or cancelled branches
        found[bpmn_id] = max(rank, found.get(bpmn_id, 0))
    return ElementStates(completed=sorted(i for i, r in found.items() if r == 1),
                         current=sorted(i for i, r in found.items() if r == 3),
                         waiting=sorted(i for i, r in found.items() if r == 2))


def ready_user_tasks(workflow: BpmnWorkflow) -> list[UserTaskView]:
    return [_view(task) for task in workflow.get_tasks(state=TaskState.READY, manual=True)]


def _view(task) -> UserTaskView:
    spec = task.task_spec
    extensions = getattr(spec, "extensions", {}) or {}
    return UserTaskView(
        id=str(task.id),
        spec_id=spec.bpmn_id or spec.name,
        title=spec.bpmn_name or spec.bpmn_id or spec.name,
        lane=spec.lane,
        properties=dict(extensions.get("properties", {})),
        documentation=spec.documentation or "",
        instructions=extensions.get("instructionsForEndUser") or "",
        # `assignTo` names the task-data variable holding the username the task is given to.
        assign_to=task.data.get(extensions.get("properties", {}).get("assignTo", ""), None),
        # `dueOn` names the task-data variable holding the task's ISO due date, where no case deadline gives one.
        due_on=task.data.get(extensions.get("properties", {}).get("dueOn", ""), None),
    )


def find_ready_user_task(workflow: BpmnWorkflow, task_id: str):
    for task in workflow.get_tasks(state=TaskState.READY, manual=True):
        if str(task.id) == task_id:
            return task
    return None


def task_data(workflow: BpmnWorkflow, task_id: str) -> dict:
    task = workflow.get_task_from_id(UUID(task_id))
    return dict(task.data)


def complete_user_task(workflow: BpmnWorkflow, task, data: dict) -> None:
    """Hand the form data to the task and run the workflow to its next wait."""
    # Replace top-level keys only: 3.2.0 copies task data shallowly (spiffworkflow-notes.md).
    task.data.update(data)
    try:
        task.run()
        advance(workflow)
    except WorkflowException as err:
        _raise_rule_error(err)
        raise


def _raise_rule_error(err: WorkflowException) -> None:
    """Surface a rule the diagram's own script enforced (e.g. an extension limit) as itself."""
    # 3.2.0's WorkflowTaskException keeps the script's own exception only as __context__.
    cause = err
    while cause is not None:
        if isinstance(cause, DeadlineRuleError):
            raise cause from None
        cause = cause.__cause__ or cause.__context__


def advance(workflow: BpmnWorkflow) -> None:
    """Run engine steps, fire any timers that are due by the engine clock, and run again."""
    clock_hook.install()
    workflow.do_engine_steps()
    workflow.refresh_timers()
    workflow.do_engine_steps()


def send_message(workflow: BpmnWorkflow, name: str, payload: dict) -> None:
    try:
        workflow.send_event(BpmnEvent(MessageEventDefinition(name), payload=payload))
    except WorkflowException as err:
        raise NotWaitingForMessage(str(err)) from None
    advance(workflow)


def cancel(workflow: BpmnWorkflow) -> None:
    """Stop the workflow where it stands: every open task and timer is cancelled."""
    workflow.cancel()


def waiting_timers(workflow: BpmnWorkflow) -> list[WaitingTimer]:
    """List the timers the workflow waits on, with the instant each falls due."""
    found = []
    for task in workflow.event_manager.tasks.values():
        definition = task.task_spec.event_definition
        if not isinstance(definition, TimerEventDefinition) or task.has_state(TaskState.FINISHED_MASK):
            continue
        value = task._get_internal_data("event_value")
        if isinstance(value, dict):
            value = value.get("next")
        if value is None:
            continue
        due = datetime.fromisoformat(value)
        if due.tzinfo is None:
            due = due.replace(tzinfo=timezone.utc)
        spec = task.task_spec
        found.append(WaitingTimer(str(task.id), spec.bpmn_id or spec.name, spec.bpmn_name or "", due))
    return found


def timer_fired(workflow: BpmnWorkflow, task_id: str) -> bool:
    """Whether a timer that no longer waits went off (rather than being cancelled with its task)."""
    task = workflow.get_task_from_id(UUID(task_id))
    return task is not None and task.has_state(TaskState.COMPLETED)


def is_completed(workflow: BpmnWorkflow) -> bool:
    return workflow.is_completed()


def task_guidance(spec, spec_id: str) -> tuple[str, str]:
    """Return (documentation, instructions for staff) the process owner wrote on a task."""
    task_spec = spec.task_specs.get(spec_id)
    if task_spec is None:
        return "", ""
    extensions = getattr(task_spec, "extensions", {}) or {}
    return task_spec.documentation or "", extensions.get("instructionsForEndUser") or ""
