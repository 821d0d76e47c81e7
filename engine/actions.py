"""Actions promised after an upheld or partly upheld complaint: added by staff, tracked to completion.

Each action runs the small `action_tracking` diagram beside the case's procedure: a "Complete the
action" task in the owner's inbox, a reminder before the due date and an overdue mark after it.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from . import access, audit, clock, instances, registry
from .calendar import london_date
from .errors import NotFound, ValidationFailed
from .models import Action, Case, User, db
from .transaction import transactional

PROCESS_ID = "action_tracking"
ACTIONABLE_OUTCOMES = ("upheld", "partly_upheld")
# The controlled list of themes (categories of lesson) the dashboard and annual report count by.
THEMES = {
    "communication": "Communication and information",
    "delay": "Delay or failure to act",
    "staff_conduct": "Staff attitude or conduct",
    "policy_procedure": "Policy or procedure",
    "service_quality": "Quality of the service",
    "records": "Record keeping",
    "training": "Staff training and guidance",
    "contractor": "Contractor performance",
    "accessibility": "Accessibility and reasonable adjustments",
}


def can_add_actions(user: User, case: Case) -> bool:
    return access.is_staff(user) and access.can_view_case(user, case) and case.outcome in ACTIONABLE_OUTCOMES


def _case_for(reference: str, user: User) -> Case:
    case = db.session.scalar(select(Case).where(Case.reference == reference))
    if case is None or not access.can_view_case(user, case) or not access.is_staff(user):
        raise NotFound("Not found")
    return case


def _check(case: Case, description: str, theme: str, owner: User | None, due_on: date | None) -> dict:
    errors = {}
    if case.outcome not in ACTIONABLE_OUTCOMES:
        errors["_form"] = "Actions can only be added to an upheld or partly upheld complaint"
    if not description:
        errors["description"] = "Enter what will change"
    elif len(description) > 2000:
        errors["description"] = "What will change must be 2000 characters or fewer"
    if theme not in THEMES:
        errors["theme"] = "Select the theme"
    if owner is None or not owner.active or not access.is_staff(owner):
        errors["owner"] = "Enter the username of a member of staff who will own the action"
    if due_on is None:
        errors["due_on"] = "Enter the date the action is due, for example 27 3 2026"
    elif due_on < london_date(clock.now()):
        errors["due_on"] = "The date the action is due must be today or in the future"
    return errors


@transactional
def add_action(reference: str, *, description: str, theme: str, owner_username: str, due_on: date | None,
               user: User) -> dict:
    """Record an action on the case and put "Complete the action" in its owner's inbox."""
    case = _case_for(reference, user)
    description = (description or "").strip()
    owner = db.session.scalar(select(User).where(User.username == (owner_username or "").strip()))
    errors = _check(case, description, theme, owner, due_on)
    if errors:
        raise ValidationFailed(errors)
    action = Action(case_id=case.id, description=description, theme=theme, owner_id=owner.id, due_on=due_on,
                    status="open", overdue=False, created_by=user.username, created_at=clock.now())
    db.session.add(action)
    db.session.flush()
    audit.record(case.id, user.username, "action_added",
                 f"Action {action.id} for {owner.username}, due {due_on.isoformat()}: {description}")
    version_id = registry.latest_version_id(PROCESS_ID)
    if version_id is None:
        audit.record(case.id, "system", "procedure_missing",
                     f"No {PROCESS_ID} diagram is deployed; action {action.id} is not in anyone's inbox")
    else:
        data = {"action_id": action.id, "case_reference": case.reference, "description": description,
                "theme": THEMES[theme], "owner_username": owner.username, "action_due": due_on.isoformat()}
        loaded = instances.start(case, version_id, data, user.username, main=False)
        action.process_instance_id = loaded.instance.id
    return action_view(action, owner)


def action_view(action: Action, owner: User | None = None) -> dict:
    owner = owner or action.owner
    return {"id": action.id, "description": action.description, "theme": action.theme,
            "theme_label": THEMES.get(action.theme, action.theme), "owner": owner.username,
            "owner_name": owner.display_name, "due_on": action.due_on.isoformat(), "status": action.status,
            "overdue": action.overdue, "completed_on": action.completed_on.isoformat() if action.completed_on else None,
            "completion_note": action.completion_note}


def actions_for_case(case_id: int) -> list[dict]:
    rows = db.session.scalars(select(Action).where(Action.case_id == case_id).order_by(Action.id)).all()
    return [action_view(a) for a in rows]
