"""What the case page shows, and the case's deployed diagram with where the case is now."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from . import access, actions, appointments, clock, contacts, instances, restrictions, spiff, status_links, triage
from .attachments import attachments_of
from .calendar import add_working_days, london_date
from .cases import find_visible_case
from .errors import NotFound
from .models import Case, HumanTask, ProcessInstance, ProcessVersion, User, db
from .presenters import DUE_SOON_WORKING_DAYS, case_view


def deadline_status(deadline: dict, today: date) -> str:
    """Met, Overdue, Due soon or Open: how the case page tags a deadline."""
    due = date.fromisoformat(deadline["due_on"])
    if deadline["completed_on"]:
        return "Overdue" if deadline["overdue"] else "Met"
    if deadline["overdue"]:
        return "Overdue"
    if due <= add_working_days(today, DUE_SOON_WORKING_DAYS):
        return "Due soon"
    return "Open"


def _open_spec_ids(case_id: int) -> list[str]:
    return list(db.session.scalars(select(HumanTask.spec_id).where(HumanTask.case_id == case_id)
                                   .order_by(HumanTask.created_at)))


def case_page(reference: str, *, user: User) -> dict:
    """The case as the API shows it, plus its details, deadline statuses, attachments and diagram position."""
    case = find_visible_case(reference, user)
    today = london_date(clock.now())
    view = case_view(case)
    for deadline in view["deadlines"]:
        deadline["status"] = deadline_status(deadline, today)
    open_tasks = (select(HumanTask.id, HumanTask.spec_id).where(HumanTask.case_id == case.id)
                  .order_by(HumanTask.created_at))
    spec_ids = dict(db.session.execute(open_tasks).all())
    for task in view["open_tasks"]:
        task["spec_id"] = spec_ids.get(task["id"])
    return {
        "case": view,
        "details": case.details,
        "social_care": case.social_care,
        "attachments": attachments_of(case.id),
        "has_diagram": case.process_instance_id is not None,
        "appointments": [
            {"id": a.id, "role": a.role, "username": a.user.username, "name": a.user.display_name,
             "appointed_at": a.appointed_at, "appointed_by": a.appointed_by}
            for a in appointments.active_appointments(case.id)
        ],
        "can_manage_appointments": access.can_manage_appointments(user),
        "triage_reason": case.triage_reason,
        "can_change_procedure": access.can_change_procedure(user) and case.status == "open",
        "procedure_choices": [{"value": key, "text": label[0].upper() + label[1:]}
                              for key, label in triage.PROCEDURE_LABELS.items() if key != case.procedure],
        "status_links": status_links.links_summary(case.id) if access.is_staff(user) else None,
        "diagram_progress": diagram_progress(case),
        "actions": actions.actions_for_case(case.id),
        "can_add_actions": actions.can_add_actions(user, case),
        "action_themes": actions.THEMES,
        **_contact_part(case, user),
    }


def _contact_part(case, user: User) -> dict:
    """The person behind the case: their record, the restriction in force here, abuse towards staff."""
    in_force = restrictions.in_force_for(case)
    open_here = case.contact_id is not None and any(
        r.status in restrictions.OPEN and r.service_area == case.service_area
        for r in restrictions.restrictions_of(case.contact_id))
    contact_cases = contacts.cases_of(case.contact_id, user) if case.contact_id is not None else []
    return {
        # The contact record is for staff; appointed people see only the cases they are appointed to.
        "contact_id": case.contact_id if access.is_staff(user) else None,
        "restriction": restrictions.restriction_view(in_force) if in_force else None,
        "contact_cases": contact_cases,
        "abuse_reports": [restrictions.abuse_view(a) for a in restrictions.abuse_reports_for(None, case.id)],
        "can_record_abuse": access.is_staff(user),
        "can_propose_restriction": (access.can_propose_restriction(user) and case.contact_id is not None
                                    and not open_here),
    }


def case_diagram(reference: str, *, user: User) -> dict:
    """The BPMN XML of the version the case's process instance runs, and the spec ids of its open tasks."""
    case = find_visible_case(reference, user)
    if case.process_instance_id is None:
        raise NotFound(f"Case {reference} follows no diagram")
    xml = db.session.scalar(select(ProcessVersion.xml).join(ProcessInstance,
                                                           ProcessInstance.process_version_id == ProcessVersion.id)
                            .where(ProcessInstance.id == case.process_instance_id))
    if xml is None:
        raise NotFound(f"Case {reference} follows no diagram")
    return {"xml": xml, "current": _open_spec_ids(case.id)}


def diagram_progress(case: Case) -> dict[str, list[str]]:
    """Element ids of the case's diagram that are completed, current and waiting; the rest are pending."""
    if case.process_instance_id is None:
        return {"completed": [], "current": [], "waiting": []}
    states = spiff.element_states(instances.read_workflow(case))
    return {"completed": states.completed, "current": states.current, "waiting": states.waiting}
