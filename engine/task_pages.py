"""The task page and who a task may be given to: reading and reassigning, beside human_tasks' completion."""
from __future__ import annotations

from sqlalchemy import select

from . import access, appointments, audit, registry, restrictions, spiff
from .errors import NotFound, ValidationFailed
from .human_tasks import _form_for
from .models import Case, HumanTask, User, db
from .presenters import case_view, task_view
from .transaction import transactional


def task_page(task_id: str, *, user: User) -> dict:
    """Everything the task page shows: the task and its form, the owner's guidance, the case."""
    task = db.session.get(HumanTask, task_id)
    case = db.session.get(Case, task.case_id) if task else None
    may_act = task is not None and access.can_act_on_task(user, task)
    # Managers open any task of a case they can see, to reassign it, without being able to complete it.
    may_manage = case is not None and access.can_reassign(user) and access.can_view_case(user, case)
    if not (may_act or may_manage):
        raise NotFound("No such task")
    spec, _ = registry.specs_for(task.process_version_id)
    documentation, instructions = spiff.task_guidance(spec, task.spec_id)
    return {
        "task": task_view(task, form=_form_for(task)),
        "documentation": documentation,
        "instructions": instructions,
        "case": case_view(case),
        "can_complete": may_act,
        "can_claim": may_act and task.assignee_id is None and task.excluded_user_id != user.id,
        "held_by_me": task.assignee_id == user.id,
        "restriction": _restriction(task),
    }


def _restriction(task: HumanTask) -> dict | None:
    """For a task of the contact restriction process: the proposal (and decision) it is about."""
    restriction = restrictions.for_instance(task.instance_id)
    return restrictions.restriction_view(restriction) if restriction else None


@transactional
def reassign_task(task_id: str, to_username: str, *, by: User) -> dict:
    """A manager gives a task to a named person who could have taken it."""
    if not access.can_reassign(by):
        raise NotFound("No such task")
    task = db.session.get(HumanTask, task_id)
    if task is None or not access.can_view_case(by, db.session.get(Case, task.case_id)):
        raise NotFound("No such task")
    target = db.session.scalar(select(User).where(User.username == to_username))
    if target is None or not target.active:
        raise ValidationFailed({"assignee": "Choose someone from the list"})
    if task.role in access.APPOINTED_ROLES:
        allowed = task.case_id in appointments.appointed_case_ids(target) and task.role in target.roles
    else:
        allowed = access.could_take_task(target, task)
    if not allowed or task.excluded_user_id == target.id:
        raise ValidationFailed({"assignee": f"{target.display_name} cannot do this task"})
    task.assignee_id = target.id
    audit.record(task.case_id, by.username, "task_reassigned", f"{task.name} to {target.username}")
    return task_view(task)


def people_who_could_take(task_id: str, *, by: User) -> list[User]:
    task = db.session.get(HumanTask, task_id)
    if task is None:
        return []
    candidates = db.session.scalars(select(User).where(User.active.is_(True)).order_by(User.username))
    if task.role in access.APPOINTED_ROLES:
        appointed = {a.user_id for a in appointments.active_appointments(task.case_id) if a.role == task.role}
        return [u for u in candidates if u.id in appointed]
    return [u for u in candidates if access.could_take_task(u, task) and u.id != task.excluded_user_id]

