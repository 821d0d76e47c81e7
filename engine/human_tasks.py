"""Use cases on one task: read it with its form, claim, release, reassign and complete it."""
from __future__ import annotations

from sqlalchemy import bindparam, insert, select, update

from . import access, audit, clock, forms, instances, remedies, spiff, triage
from .calendar import london_date
from .diagram_api import DeadlineRuleError
from .errors import Conflict, Forbidden, NotFound, ValidationFailed
from .models import Case, CompletedTask, HumanTask, User, db, execute_core
from .presenters import case_view, task_view
from .registry import form_schema
from .transaction import transactional


def _visible_task(task_id: str, user: User) -> HumanTask:
    task = db.session.get(HumanTask, task_id)
    if task is None or not access.can_act_on_task(user, task):
        raise NotFound("No such task")
    return task


# The task with its case and its process instance (locked, as instances.load would) in one statement:
# completing a task needs all three.
_INSTANCES = instances.INSTANCES
_TASK_CASE_AND_INSTANCE = (
    select(HumanTask, Case, *instances.INSTANCE_ROW_COLUMNS)
    .join(Case, Case.id == HumanTask.case_id)
    .join(_INSTANCES, _INSTANCES.c.id == HumanTask.instance_id)
    .where(HumanTask.id == bindparam("task_id"))
    .with_for_update(of=_INSTANCES)
)
_INSERT_COMPLETED = insert(CompletedTask.__table__)


def _task_to_work_on(task_id: str, user: User) -> HumanTask:
    """Return the open task for the user to claim or complete, or say why not.

    Someone who could never have had the task gets NotFound (as for a task that does
    not exist); a colleague who could have had it learns it is taken or already done.
    """
    return _check_task_to_work_on(db.session.get(HumanTask, task_id), task_id, user)


def _task_case_and_instance_to_work_on(task_id: str, user: User) -> tuple[HumanTask, Case, instances.InstanceRow]:
    """As _task_to_work_on, with the task's case and its process instance's row, locked for the step."""
    row = db.session.execute(_TASK_CASE_AND_INSTANCE, {"task_id": task_id}).first()
    if row is None:
        _check_task_to_work_on(None, task_id, user)  # raises
    task, case, *instance_columns = row
    return _check_task_to_work_on(task, task_id, user), case, instances.InstanceRow(*instance_columns)


def _check_task_to_work_on(task: HumanTask | None, task_id: str, user: User) -> HumanTask:
    if task is None:
        done = db.session.get(CompletedTask, task_id)
        if done is not None and access.can_view_case(user, db.session.get(Case, done.case_id)):
            raise Conflict("This task has already been completed")
        raise NotFound("No such task")
    if not access.could_take_task(user, task) and task.assignee_id != user.id:
        raise NotFound("No such task")
    if task.assignee_id not in (None, user.id):
        raise Conflict("Someone else has already claimed this task")
    if task.excluded_user_id == user.id:
        raise Forbidden("You completed an earlier step of this complaint; a different person must do this one")
    return task


def _form_for(task: HumanTask) -> dict:
    return form_schema(task.process_version_id, task.form)


def read_task(task_id: str, *, user: User) -> dict:
    task = _visible_task(task_id, user)
    return task_view(task, form=_form_for(task))


@transactional
def claim_task(task_id: str, *, user: User) -> dict:
    task = _task_to_work_on(task_id, user)
    # A conditional UPDATE, so two people claiming at once cannot both win.
    claimed = db.session.execute(
        update(HumanTask)
        .where(HumanTask.id == task_id, (HumanTask.assignee_id.is_(None)) | (HumanTask.assignee_id == user.id))
        .values(assignee_id=user.id)
    ).rowcount
    if not claimed:
        raise Conflict("Someone else has already claimed this task")
    db.session.refresh(task)
    audit.record(task.case_id, user.username, "task_claimed", task.name)
    return task_view(task)


@transactional
def release_task(task_id: str, *, user: User) -> dict:
    task = _visible_task(task_id, user)
    if task.assignee_id != user.id and not access.can_reassign(user):
        raise Forbidden("Only the person holding a task, or a manager, can release it")
    task.assignee_id = None
    audit.record(task.case_id, user.username, "task_released", task.name)
    return task_view(task)


@transactional
def complete_task(task_id: str, data: dict, *, user: User) -> dict:
    """Check the form data, move the workflow on and save it; nothing changes if any of that fails."""
    task, case, instance = _task_case_and_instance_to_work_on(task_id, user)
    schema, stage = _form_for(task), task.stage
    forms.validate(schema, data)
    loaded = instances.load(case, row=instance)
    ready = spiff.find_ready_user_task(loaded.workflow, task_id)
    if ready is None:
        raise Conflict("This task is no longer open")
    # Recorded first so the history reads in order: the completion, then what it caused.
    audit.record(case.id, user.username, "task_completed", task.name)
    # A Core INSERT: nothing reads the row back in this transaction, and a second completion of the
    # same task fails on its primary key (IntegrityError, a Conflict) at once.
    execute_core(_INSERT_COMPLETED, {
        "id": task.id, "case_id": case.id, "spec_id": task.spec_id, "name": task.name,
        "completed_by_id": user.id, "completed_at": clock.now()})
    try:
        with instances.step(loaded, user.username) as effects:
            spiff.complete_user_task(loaded.workflow, ready, data)
    except DeadlineRuleError as err:
        raise ValidationFailed({err.field_name or "_form": str(err)}) from None
    remedies.record_from_form(case.id, stage, schema, data, london_date(clock.now()))
    if effects.procedure_decision:
        triage.apply_decision(case, *effects.procedure_decision, actor=user)
    return case_view(case)
