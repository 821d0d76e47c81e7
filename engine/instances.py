"""Load a case's workflow, and save it with everything that is read from it.

Every save rewrites, in the same transaction: the workflow state, the open
human tasks (the inbox), the waiting timers, the deadlines the diagram set,
and the case's stage and status. Readers never deserialize a workflow.

The inbox and timer rows are written with Core statements (insert, update,
delete of columns), not ORM objects: they are plain projections of the
workflow, and the unit of work cost more than the SQL it sends.
"""
from __future__ import annotations

from collections import OrderedDict
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timezone

from sqlalchemy import bindparam, delete, event, insert, inspect, select, update
from sqlalchemy.orm import Session, attributes
from sqlalchemy.orm.exc import StaleDataError

from . import (action_tracking, appointments, audit, clock, deadlines, notifications, ombudsman_compliance,
               restriction_records, spiff)
from .calendar import london_date
from .diagram_api import DeadlineChange, StepEffects, collecting
from .models import Case, CompletedTask, Deadline, HumanTask, ProcessInstance, Timer, db, execute_core
from .registry import specs_for
from .routing import route_task

INSTANCES = ProcessInstance.__table__
CASES = Case.__table__
HUMAN_TASKS = HumanTask.__table__
TIMERS = Timer.__table__

# Statements built once: building and cache-keying a statement per call cost more than running it.
_DELETE_TASKS = delete(HUMAN_TASKS).where(HUMAN_TASKS.c.id.in_(bindparam("task_ids", expanding=True)))
_INSERT_TASKS = insert(HUMAN_TASKS)
_UPDATE_TASKS = (update(HUMAN_TASKS).where(HUMAN_TASKS.c.id == bindparam("b_id"))
                 .values(stage=bindparam("b_stage"), due_on=bindparam("b_due_on")))
_INSERT_TIMERS = insert(TIMERS)
_UPDATE_INSTANCE = (
    update(INSTANCES)
    .where(INSTANCES.c.id == bindparam("b_id"), INSTANCES.c.lock_version == bindparam("b_lock_version"))
    .values({name: bindparam(name) for name in ("state", "library_version", "serializer_version",
                                                 "lock_version", "updated_at", "status")})
)
_CLOSE_TIMERS = {
    column: update(TIMERS)
    .where(TIMERS.c.instance_id == bindparam("b_instance_id"),
           TIMERS.c.task_id.in_(bindparam("b_task_ids", expanding=True)),
           TIMERS.c.fired_at.is_(None), TIMERS.c.cancelled_at.is_(None))
    .values({column: bindparam("b_now")})
    for column in ("fired_at", "cancelled_at")
}


@dataclass
class ReadModels:
    """What the inbox and timer rows of an instance hold, as written by the last save."""

    tasks: dict[str, tuple[str, date | None]]   # open human task id -> (stage, due_on)
    timers: dict[str, spiff.WaitingTimer]         # waiting timer task id -> timer (due_at in UTC)
    # Not the case's deadline rows: they belong to the case, not to this instance, and other instances
    # of the case (side processes), triage's change of procedure and case moves write them without
    # touching this instance's lock version. Each step reads them (one SELECT, engine/deadlines.py).


@dataclass
class InstanceRow:
    """The columns of a process instance row a step uses (read and written by Core; the state apart)."""

    id: int
    process_version_id: int
    status: str
    lock_version: int

    @property
    def state(self) -> str:
        """The workflow state as saved (read when asked for: a step does not need it)."""
        return execute_core(_LOAD_STATE, {"instance_id": self.id}).one()[0]


@dataclass
class LoadedCase:
    case: Case
    instance: InstanceRow
    workflow: object
    # None: not known in memory, read the rows from the database when saving.
    read_models: ReadModels | None = None
    fired_timers: set[str] = field(default_factory=set)


def start(case: Case, version_id: int, data: dict, actor: str, *, main: bool = True) -> LoadedCase:
    """Start a diagram for the case: its procedure (`main`), or a side process such as the triage check."""
    spec, subprocess_specs = specs_for(version_id)
    effects = StepEffects()
    with collecting(effects):
        workflow = spiff.start_workflow(spec, subprocess_specs, data)
    now = clock.now()
    # Inserted with its state, so save() need not write the row again unless the diagram already ended.
    inserted = execute_core(_INSERT_INSTANCE, {
        "process_version_id": version_id, "state": spiff.dump_state(workflow), "library_version": spiff.LIBRARY_VERSION,
        "serializer_version": spiff.SERIALIZER_VERSION, "status": "running", "lock_version": 1,
        "created_at": now, "updated_at": now,
    })
    instance = InstanceRow(inserted.inserted_primary_key[0], version_id, "running", 1)
    if main:
        case.process_instance_id = instance.id  # written with the case's other changes by save()
    loaded = LoadedCase(case, instance, workflow, ReadModels({}, {}))  # a new instance has no rows yet
    save(loaded, effects, actor, state_just_inserted=True)
    return loaded


_INSERT_INSTANCE = insert(INSTANCES)
# The columns of an InstanceRow, in its order: the state (tens of kB) is read only when the workflow
# is not kept in memory.
INSTANCE_ROW_COLUMNS = (INSTANCES.c.id, INSTANCES.c.process_version_id, INSTANCES.c.status, INSTANCES.c.lock_version)
_LOAD_INSTANCE = select(*INSTANCE_ROW_COLUMNS).where(INSTANCES.c.id == bindparam("instance_id"))
_LOAD_INSTANCE_FOR_UPDATE = _LOAD_INSTANCE.with_for_update()
_LOAD_STATE = (select(INSTANCES.c.state, INSTANCES.c.serializer_version)
               .where(INSTANCES.c.id == bindparam("instance_id")))


def load(case: Case, *, for_update: bool = False, instance_id: int | None = None,
         row: InstanceRow | None = None) -> LoadedCase:
    """Load the case's procedure, or another of its diagrams (`instance_id`, e.g. the triage check).

    `row`: the instance's columns, when the caller read (and locked) them with its own query.
    """
    if row is None:
        query = _LOAD_INSTANCE_FOR_UPDATE if for_update else _LOAD_INSTANCE
        row = InstanceRow(*execute_core(query, {"instance_id": instance_id or case.process_instance_id}).one())
    instance = row
    recalled = _recall(instance)
    if recalled is not None:
        workflow, read_models = recalled
        return LoadedCase(case, instance, workflow, read_models)
    spec, subprocess_specs = specs_for(instance.process_version_id)
    state, serializer_version = execute_core(_LOAD_STATE, {"instance_id": instance.id}).one()
    workflow = spiff.load_state(state, spec, subprocess_specs, serializer_version)
    return LoadedCase(case, instance, workflow)


def read_workflow(case: Case):
    """The case's workflow as last committed, for reading only (a page): restored from its saved state.

    It never takes the in-memory copy, which belongs to whoever takes the next step.
    """
    instance = db.session.get(ProcessInstance, case.process_instance_id)
    spec, subprocess_specs = specs_for(instance.process_version_id)
    return spiff.load_state(instance.state, spec, subprocess_specs, instance.serializer_version)


# Workflows saved by this process, by (database, instance id): (lock_version, workflow, read models).
# Restoring from JSON costs more than the rest of a step; an entry is taken out for exclusive use and
# put back only after its transaction commits, so a failed step can never leave a half-changed workflow
# here. Every save bumps the lock version, so an entry whose version matches the database row also
# describes that instance's inbox and timer rows exactly (not its case's deadlines: see ReadModels).
_RECENT: OrderedDict[tuple[str, int], tuple[int, object, ReadModels]] = OrderedDict()
_RECENT_SIZE = 256


def forget_remembered() -> None:
    """Drop every remembered workflow: for whoever deletes process instances (test databases being emptied),
    since SQLite may then hand a deleted instance's id to a new one."""
    _RECENT.clear()


def _recall(instance: InstanceRow):
    entry = _RECENT.pop((db.engine.url.render_as_string(), instance.id), None)
    if entry is not None and entry[0] == instance.lock_version:
        return entry[1], entry[2]
    return None


def _remember_after_commit(loaded: LoadedCase) -> None:
    db.session.info.setdefault("saved_workflows", []).append(loaded)


@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_soft_rollback")
def _forget_saved(session, *_args) -> None:
    # Whoever commits (a service, a timer sweep) takes the list before committing; none outlives its transaction.
    session.info.pop("saved_workflows", None)


def saved_in_transaction() -> list[tuple[int, int, object, ReadModels]]:
    """After the final flush and before commit: (instance id, lock version, workflow, read models) per save.

    Read before committing: the lock versions written in this transaction are the ones now in the database.
    """
    return [(loaded.instance.id, loaded.instance.lock_version, loaded.workflow, loaded.read_models)
            for loaded in db.session.info.get("saved_workflows", [])]


def remember_committed(saved: list[tuple[int, int, object, ReadModels]]) -> None:
    """Keep workflows whose save committed, keyed by the lock version now in the database.

    Not a finished one (its case closed, or its procedure replaced): it takes no further step, and
    keeping a thousand-odd objects per closed case alive makes every full garbage collection of a
    busy process longer (bench/RESULTS.md, 2026-12-07).
    """
    url = db.engine.url.render_as_string()
    for instance_id, lock_version, workflow, read_models in saved:
        if spiff.is_completed(workflow):
            _RECENT.pop((url, instance_id), None)
            continue
        _RECENT[(url, instance_id)] = (lock_version, workflow, read_models)
        _RECENT.move_to_end((url, instance_id))
    while len(_RECENT) > _RECENT_SIZE:
        _RECENT.popitem(last=False)


@contextmanager
def step(loaded: LoadedCase, actor: str):
    """Run workflow code that may call the diagram API, then save what it did."""
    known = {step_name: row.as_change() for step_name, row in deadlines.rows_for(loaded.case.id).items()}
    effects = StepEffects(known_deadlines=known)
    with collecting(effects):
        yield effects
    save(loaded, effects, actor)


def deadline_change(row: Deadline) -> DeadlineChange:
    return DeadlineChange(
        row.step, row.due_on, row.basis, row.start_on, row.working_days,
        row.extension_reason, row.extended_working_days, row.completed_on,
    )


def save(loaded: LoadedCase, effects: StepEffects, actor: str, *, state_just_inserted: bool = False) -> None:
    """Write the workflow and everything read from it. `state_just_inserted`: start() wrote the row as it is now."""
    workflow, case, instance = loaded.workflow, loaded.case, loaded.instance
    # One flush at commit instead of one before every query: fewer, batched statements.
    with db.session.no_autoflush:
        completed = spiff.is_completed(workflow) and instance.status not in ("completed", "superseded")
        status = "superseded" if effects.superseded else "completed" if completed else instance.status
        if not (state_just_inserted and status == instance.status):
            _write_instance(instance, spiff.dump_state(workflow), status)
        due_by_step = _apply_deadlines(case, effects)
        # Only the end of the case's procedure closes the case, not a side process or a replaced procedure.
        closes_case = completed and instance.id == case.process_instance_id and not effects.superseded
        _apply_case_changes(case, effects, closes_case, actor)
        if effects.appointments:
            appointments.apply_from_diagram(case, effects.appointments, actor)
        if effects.action_events:
            action_tracking.apply_from_diagram(case, effects.action_events, actor)
        if effects.restriction_changes:
            restriction_records.apply_from_diagram(case, instance, effects.restriction_changes, actor)
        if effects.recommendation_events:
            ombudsman_compliance.apply_from_diagram(case, effects.recommendation_events, actor)
        before = loaded.read_models or _read_models_from_database(instance.id)
        tasks, new_task_ids = _sync_human_tasks(loaded, before.tasks, due_by_step)
        _apply_reminders_and_escalations(case, instance, effects, new_task_ids)
        timers = _sync_timers(loaded, before.timers)
    loaded.read_models = ReadModels(tasks, timers)
    _remember_after_commit(loaded)


def _write_instance(instance: InstanceRow, state: str, status: str) -> None:
    """Save the workflow state now, taking the optimistic lock: a concurrent save of the case fails here.

    A Core UPDATE rather than the unit of work (the row is the largest a step writes), and always
    an UPDATE, even if the state came out the same: every save takes the lock, and the lock version
    then identifies the inbox and timer rows written with it (see _RECENT).
    """
    values = {"state": state, "library_version": spiff.LIBRARY_VERSION,
              "serializer_version": spiff.SERIALIZER_VERSION, "lock_version": instance.lock_version + 1,
              "updated_at": clock.now(), "status": status}
    written = execute_core(
        _UPDATE_INSTANCE, {**values, "b_id": instance.id, "b_lock_version": instance.lock_version}
    ).rowcount
    if written != 1:
        raise StaleDataError(f"process instance {instance.id} was saved by someone else first")
    instance.lock_version, instance.status = values["lock_version"], values["status"]


def _read_models_from_database(instance_id: int) -> ReadModels:
    tasks = execute_core(
        select(HUMAN_TASKS.c.id, HUMAN_TASKS.c.stage, HUMAN_TASKS.c.due_on)
        .where(HUMAN_TASKS.c.instance_id == instance_id)
    ).all()
    timers = execute_core(
        select(TIMERS.c.task_id, TIMERS.c.spec_id, TIMERS.c.name, TIMERS.c.due_at)
        .where(TIMERS.c.instance_id == instance_id, TIMERS.c.fired_at.is_(None), TIMERS.c.cancelled_at.is_(None))
    ).all()
    return ReadModels(
        {task_id: (stage, due_on) for task_id, stage, due_on in tasks},
        {task_id: spiff.WaitingTimer(task_id, spec_id, name, _utc(due_at))
         for task_id, spec_id, name, due_at in timers},
    )


def _utc(instant):
    return instant.astimezone(timezone.utc)


def _apply_deadlines(case: Case, effects: StepEffects) -> dict[str, date]:
    """Write the deadlines the step set; return every deadline's due date by step."""
    rows = deadlines.write(case.id, effects.deadlines, effects.calendar)
    for step_name, change in effects.deadlines.items():
        if change.extension_reason and (step_name not in effects.known_deadlines or
                                        effects.known_deadlines[step_name].due_on != change.due_on):
            audit.record(case.id, "system", "deadline_extended",
                   f"{step_name} now due {change.due_on.isoformat()}: {change.extension_reason}")
    return {step_name: row.due_on for step_name, row in rows.items()}


def _apply_case_changes(case: Case, effects: StepEffects, completed: bool, actor: str) -> None:
    values = {}
    if effects.stage and effects.stage != case.stage:
        audit.record(case.id, actor, "stage_changed", f"{case.stage} → {effects.stage}")
        values["stage"] = effects.stage
    if effects.outcome:
        values["outcome"] = effects.outcome
    if effects.next_stage_request_by:
        values["next_stage_request_by"] = date.fromisoformat(effects.next_stage_request_by)
    for event_name, detail in effects.notes:
        audit.record(case.id, actor, event_name, detail)
    if effects.withdrawn_reason:
        values["status"] = "withdrawn"
        audit.record(case.id, actor, "withdrawn", effects.withdrawn_reason)
    if completed:
        values["stage"] = "closed"
        if values.get("status", case.status) == "open":
            values["status"] = "closed"
        values["closed_on"] = london_date(clock.now())
        audit.record(case.id, actor, "case_closed",
                     f"outcome: {values.get('outcome', case.outcome) or 'none recorded'}")
    _write_case(case, values)


_CASE_COLUMNS = frozenset(column.key for column in Case.__mapper__.column_attrs)
_CASE_UPDATES: dict[frozenset[str], object] = {}  # one statement per set of columns written


def _write_case(case: Case, values: dict) -> None:
    """Write the case's changed columns with one Core UPDATE, with any the caller changed on the object.

    The object is left as if loaded with the new values, so the unit of work has nothing to
    write for it (a flush of a case and its deadlines cost more than the rest of a step's SQL).
    A rollback expires it, as it does every object.
    """
    state = inspect(case)
    pending = {key: state.dict[key] for key in state.committed_state if key in _CASE_COLUMNS}
    values = {**pending, **values}
    if not values:
        return
    columns = frozenset(values)
    statement = _CASE_UPDATES.get(columns)
    if statement is None:
        statement = _CASE_UPDATES[columns] = (
            update(CASES).where(CASES.c.id == bindparam("b_id")).values({key: bindparam(key) for key in columns}))
    execute_core(statement, {**values, "b_id": case.id})
    for key, value in values.items():
        attributes.set_committed_value(case, key, value)
    if not state.committed_state:
        # Nothing left to flush for this object (set_committed_value leaves it flagged as modified).
        state._commit_all(state.dict, db.session().identity_map)


def _apply_reminders_and_escalations(case: Case, instance: InstanceRow, effects: StepEffects,
                                     new_task_ids: list[str]) -> None:
    if not effects.overdue and not effects.reminders:
        return
    # Rare (a reminder or escalation timer went off): the notifications want whole task rows.
    open_tasks = db.session.scalars(select(HumanTask).where(HumanTask.instance_id == instance.id)).all()
    new_tasks = [t for t in open_tasks if t.id in new_task_ids]
    open_by_step = {t.deadline_step: t for t in open_tasks if t.deadline_step}
    rows = deadlines.rows_for(case.id)
    deadlines.mark_overdue(case.id, sorted(effects.overdue))
    for step_name in sorted(effects.overdue):
        audit.record(case.id, "system", "deadline_overdue", f"{step_name} was due on "
                     f"{rows[step_name].due_on.isoformat() if step_name in rows else 'an unknown date'}")
        task = open_by_step.get(step_name)
        notifications.queue(case, "escalation", step_name, task, new_tasks or ([task] if task else []))
    for step_name in effects.reminders:
        task = open_by_step.get(step_name)
        audit.record(case.id, "system", "reminder_due", f"{task.name if task else step_name} is due soon")
        notifications.queue(case, "reminder", step_name, task, [task] if task else [])


def _sync_human_tasks(loaded: LoadedCase, before: dict[str, tuple[str, date | None]],
                      due_by_step: dict[str, date]):
    """Make the inbox rows match the workflow's ready user tasks.

    Returns the rows' (stage, due_on) by task id as now written, and the ids of the rows created.
    """
    case, instance = loaded.case, loaded.instance
    ready = {view.id: view for view in spiff.ready_user_tasks(loaded.workflow)}
    gone = [task_id for task_id in before if task_id not in ready]
    if gone:
        execute_core(_DELETE_TASKS, {"task_ids": gone})
    now_written, new_rows, changed = {}, [], []
    for task_id, view in ready.items():
        deadline_step = view.properties.get("deadline")
        # A side process may name its own due date (an action's), where it has no deadline of the case.
        current = (case.stage, due_by_step.get(deadline_step) or _as_date_or_none(view.due_on))
        if task_id not in before:
            new_rows.append(_new_task_row(case, instance, view, deadline_step, current))
        elif before[task_id] != current:
            changed.append({"b_id": task_id, "b_stage": current[0], "b_due_on": current[1]})
        now_written[task_id] = current
    if new_rows:
        execute_core(_INSERT_TASKS, new_rows)
    if changed:
        execute_core(_UPDATE_TASKS, changed)
    return now_written, [row["id"] for row in new_rows]


def _as_date_or_none(value) -> date | None:
    return date.fromisoformat(str(value)[:10]) if value else None


def _new_task_row(case: Case, instance: InstanceRow, view, deadline_step, current) -> dict:
    route = route_task(view.lane, {"service_area": case.service_area, "procedure": case.procedure})
    audience = f"{route.role} ({route.team or 'appointed'})"
    audit.record(case.id, "system", "task_created", f"{view.title} for {audience}")
    return {
        "id": view.id, "case_id": case.id, "instance_id": instance.id,
        "process_version_id": instance.process_version_id, "spec_id": view.spec_id, "name": view.title,
        "lane": view.lane, "role": route.role, "team": route.team, "stage": current[0],
        "procedure": case.procedure, "service_area": case.service_area, "case_reference": case.reference,
        "assignee_id": appointments.user_id_for(view.assign_to),
        "form": view.properties.get("formJsonSchemaFilename"),
        "excluded_user_id": _excluded_user(case, view.properties.get("notSameAssigneeAs")),
        "deadline_step": deadline_step, "due_on": current[1], "created_at": clock.now(),
    }


def _excluded_user(case: Case, spec_id: str | None) -> int | None:
    if not spec_id:
        return None
    return execute_core(_LAST_COMPLETED_BY, {"case_id": case.id, "spec_id": spec_id}).scalar()


_COMPLETED = CompletedTask.__table__
_LAST_COMPLETED_BY = (
    select(_COMPLETED.c.completed_by_id)
    .where(_COMPLETED.c.case_id == bindparam("case_id"), _COMPLETED.c.spec_id == bindparam("spec_id"))
    .order_by(_COMPLETED.c.completed_at.desc()).limit(1)
)


def _sync_timers(loaded: LoadedCase, before: dict[str, spiff.WaitingTimer]) -> dict[str, spiff.WaitingTimer]:
    """Mark timers that stopped waiting as fired or cancelled, add new ones; return those now waiting."""
    waiting = {t.task_id: t for t in spiff.waiting_timers(loaded.workflow)}
    fired, cancelled = [], []
    for task_id, timer in before.items():
        if task_id in waiting:
            continue
        if spiff.timer_fired(loaded.workflow, task_id):
            fired.append(task_id)
            audit.record(loaded.case.id, "system", "timer_fired",
                         f"{timer.title or timer.spec_id} (due {timer.due_at.isoformat()})")
        else:
            # Gone without firing: its task finished first (the deadline was met) or was cancelled.
            cancelled.append(task_id)
    now = clock.now()
    _close_timers(loaded.instance.id, fired, "fired_at", now)
    _close_timers(loaded.instance.id, cancelled, "cancelled_at", now)
    added = [t for task_id, t in waiting.items() if task_id not in before]
    if added:
        execute_core(_INSERT_TIMERS, [
            {"instance_id": loaded.instance.id, "case_id": loaded.case.id, "task_id": t.task_id,
             "spec_id": t.spec_id, "name": t.title, "due_at": t.due_at, "attempts": 0}
            for t in added
        ])
    loaded.fired_timers.update(fired)
    return {task_id: spiff.WaitingTimer(t.task_id, t.spec_id, t.title, _utc(t.due_at))
            for task_id, t in waiting.items()}


def _close_timers(instance_id: int, task_ids: list[str], column: str, now) -> None:
    """Set fired_at or cancelled_at on timers that were still waiting."""
    if task_ids:
        execute_core(_CLOSE_TIMERS[column], {"b_instance_id": instance_id, "b_task_ids": task_ids, "b_now": now})
