"""Load a case's workflow, and save it with everything that is read from it.

Every save rewrites, in the same transaction: the workflow state, the open
human tasks (the inbox), the waiting timers, the deadlines the diagram set,
and the case's stage and status. Readers never deserialize a workflow.
"""
from __future__ import annotations

from collections import OrderedDict
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from . import audit, clock, notifications, spiff
from .calendar import london_date
from .diagram_api import DeadlineChange, StepEffects, collecting
from .models import Case, CompletedTask, Deadline, HumanTask, ProcessInstance, Timer, db
from .registry import specs_for
from .routing import route_task


@dataclass
class LoadedCase:
    case: Case
    instance: ProcessInstance
    workflow: object


def start(case: Case, version_id: int, data: dict, actor: str) -> LoadedCase:
    spec, subprocess_specs = specs_for(version_id)
    effects = StepEffects()
    with collecting(effects):
        workflow = spiff.start_workflow(spec, subprocess_specs, data)
    instance = ProcessInstance(
        process_version_id=version_id,
        state="",
        library_version=spiff.LIBRARY_VERSION,
        serializer_version=spiff.SERIALIZER_VERSION,
    )
    db.session.add(instance)
    db.session.flush()
    case.process_instance_id = instance.id
    loaded = LoadedCase(case, instance, workflow)
    save(loaded, effects, actor)
    return loaded


def load(case: Case, *, for_update: bool = False) -> LoadedCase:
    query = select(ProcessInstance).where(ProcessInstance.id == case.process_instance_id)
    if for_update:
        query = query.with_for_update()
    instance = db.session.scalars(query).one()
    workflow = _recall(instance)
    if workflow is None:
        spec, subprocess_specs = specs_for(instance.process_version_id)
        workflow = spiff.load_state(instance.state, spec, subprocess_specs)
    return LoadedCase(case, instance, workflow)


# Workflows saved by this process, by (database, instance id): (lock_version, workflow). Restoring
# from JSON costs more than the rest of a step; an entry is taken out for exclusive use and put back
# only after its transaction commits, so a failed step can never leave a half-changed workflow here.
_RECENT: OrderedDict[tuple[str, int], tuple[int, object]] = OrderedDict()
_RECENT_SIZE = 256


def _recall(instance: ProcessInstance):
    entry = _RECENT.pop((db.engine.url.render_as_string(), instance.id), None)
    if entry is not None and entry[0] == instance.lock_version:
        return entry[1]
    return None


def _remember_after_commit(loaded: LoadedCase) -> None:
    db.session.info.setdefault("saved_workflows", []).append(loaded)


def remember_committed(saved: list[LoadedCase]) -> None:
    """Keep workflows whose save committed, keyed by the lock version now in the database."""
    url = db.engine.url.render_as_string()
    for loaded, lock_version in saved:
        _RECENT[(url, loaded.instance.id)] = (lock_version, loaded.workflow)
        _RECENT.move_to_end((url, loaded.instance.id))
    while len(_RECENT) > _RECENT_SIZE:
        _RECENT.popitem(last=False)


@contextmanager
def step(loaded: LoadedCase, actor: str):
    """Run workflow code that may call the diagram API, then save what it did."""
    effects = StepEffects(known_deadlines={d.step: _as_change(d) for d in loaded.case.deadlines})
    with collecting(effects):
        yield effects
    save(loaded, effects, actor)


def _as_change(row: Deadline) -> DeadlineChange:
    return DeadlineChange(
        row.step, row.due_on, row.basis, row.start_on, row.working_days,
        row.extension_reason, row.extended_working_days, row.completed_on,
    )


def save(loaded: LoadedCase, effects: StepEffects, actor: str) -> None:
    workflow, case, instance = loaded.workflow, loaded.case, loaded.instance
    # One flush at commit instead of one before every query: fewer, batched statements.
    with db.session.no_autoflush:
        instance.state = spiff.dump_state(workflow)
        instance.library_version = spiff.LIBRARY_VERSION
        instance.serializer_version = spiff.SERIALIZER_VERSION
        _apply_deadlines(case, effects)
        _apply_case_changes(case, effects, workflow, instance, actor)
        open_tasks, new_tasks = _sync_human_tasks(loaded)
        _apply_reminders_and_escalations(case, effects, open_tasks, new_tasks)
        _sync_timers(loaded)
    _remember_after_commit(loaded)


def _apply_deadlines(case: Case, effects: StepEffects) -> None:
    existing = {d.step: d for d in case.deadlines}
    for step_name, change in effects.deadlines.items():
        row = existing.get(step_name)
        if row is None:
            row = Deadline(case=case, step=step_name)
            db.session.add(row)
        row.due_on = change.due_on
        row.basis = change.basis
        row.start_on = change.start_on
        row.working_days = change.working_days
        row.extended_working_days = change.extended_working_days
        row.extension_reason = change.extension_reason
        row.completed_on = change.completed_on
        if change.extension_reason and (step_name not in effects.known_deadlines or
                                        effects.known_deadlines[step_name].due_on != change.due_on):
            audit.record(case.id, "system", "deadline_extended",
                   f"{step_name} now due {change.due_on.isoformat()}: {change.extension_reason}")


def _apply_case_changes(case, effects, workflow, instance, actor) -> None:
    if effects.stage and effects.stage != case.stage:
        audit.record(case.id, actor, "stage_changed", f"{case.stage} → {effects.stage}")
        case.stage = effects.stage
    if effects.outcome:
        case.outcome = effects.outcome
    if effects.next_stage_request_by:
        case.next_stage_request_by = date.fromisoformat(effects.next_stage_request_by)
    for event, detail in effects.notes:
        audit.record(case.id, actor, event, detail)
    if spiff.is_completed(workflow) and instance.status != "completed":
        instance.status = "completed"
        case.stage = "closed"
        if case.status == "open":
            case.status = "closed"
        case.closed_on = london_date(clock.now())
        audit.record(case.id, actor, "case_closed", f"outcome: {case.outcome or 'none recorded'}")


def _apply_reminders_and_escalations(case: Case, effects: StepEffects, open_tasks: list[HumanTask],
                                     new_tasks: list[HumanTask]) -> None:
    if not effects.overdue and not effects.reminders:
        return
    open_by_step = {t.deadline_step: t for t in open_tasks if t.deadline_step}
    deadlines = {d.step: d for d in case.deadlines}
    for step_name in sorted(effects.overdue):
        if step_name in deadlines:
            deadlines[step_name].overdue = True
        audit.record(case.id, "system", "deadline_overdue", f"{step_name} was due on "
                     f"{deadlines[step_name].due_on.isoformat() if step_name in deadlines else 'an unknown date'}")
        task = open_by_step.get(step_name)
        notifications.queue(case, "escalation", step_name, task, new_tasks or ([task] if task else []))
    for step_name in effects.reminders:
        task = open_by_step.get(step_name)
        audit.record(case.id, "system", "reminder_due", f"{task.name if task else step_name} is due soon")
        notifications.queue(case, "reminder", step_name, task, [task] if task else [])


def _sync_human_tasks(loaded: LoadedCase) -> tuple[list[HumanTask], list[HumanTask]]:
    """Make the inbox rows match the workflow's ready user tasks; return (open rows, rows created)."""
    case, instance = loaded.case, loaded.instance
    ready = {view.id: view for view in spiff.ready_user_tasks(loaded.workflow)}
    rows = {row.id: row for row in db.session.scalars(select(HumanTask).where(HumanTask.instance_id == instance.id))}
    for task_id, row in rows.items():
        if task_id not in ready:
            db.session.delete(row)
    due_by_step = {d.step: d.due_on for d in case.deadlines}
    created, kept = [], []
    for task_id, view in ready.items():
        row = rows.get(task_id)
        deadline_step = view.properties.get("deadline")
        if row is None:
            route = route_task(view.lane, {"service_area": case.service_area, "procedure": case.procedure})
            row = HumanTask(
                id=task_id, case_id=case.id, instance_id=instance.id, process_version_id=instance.process_version_id,
                spec_id=view.spec_id, name=view.title,
                lane=view.lane, role=route.role, team=route.team, case_reference=case.reference,
                procedure=case.procedure, service_area=case.service_area,
                form=view.properties.get("formJsonSchemaFilename"), deadline_step=deadline_step,
                excluded_user_id=_excluded_user(case, view.properties.get("notSameAssigneeAs")),
                created_at=clock.now(),
            )
            db.session.add(row)
            created.append(row)
            audience = f"{route.role} ({route.team or 'appointed'})"
            audit.record(case.id, "system", "task_created", f"{view.title} for {audience}")
        row.stage = case.stage
        row.due_on = due_by_step.get(deadline_step)
        kept.append(row)
    return kept, created


def _excluded_user(case: Case, spec_id: str | None) -> int | None:
    if not spec_id:
        return None
    return db.session.scalar(
        select(CompletedTask.completed_by_id).where(CompletedTask.case_id == case.id, CompletedTask.spec_id == spec_id)
        .order_by(CompletedTask.completed_at.desc()).limit(1)
    )


def _sync_timers(loaded: LoadedCase) -> None:
    instance = loaded.instance
    waiting = {t.task_id: t for t in spiff.waiting_timers(loaded.workflow)}
    rows = {row.task_id: row for row in db.session.scalars(
        select(Timer).where(Timer.instance_id == instance.id, Timer.fired_at.is_(None), Timer.cancelled_at.is_(None))
    )}
    now = clock.now()
    for task_id, row in rows.items():
        if task_id in waiting:
            continue
        if spiff.timer_fired(loaded.workflow, task_id):
            row.fired_at = now
            audit.record(loaded.case.id, "system", "timer_fired",
                         f"{row.name or row.spec_id} (due {row.due_at.isoformat()})")
        else:
            # Gone without firing: its task finished first (the deadline was met) or was cancelled.
            row.cancelled_at = now
    for task_id, timer in waiting.items():
        if task_id not in rows:
            db.session.add(Timer(
                instance_id=instance.id, case_id=loaded.case.id, task_id=task_id, spec_id=timer.spec_id,
                name=timer.title, due_at=timer.due_at,
            ))
