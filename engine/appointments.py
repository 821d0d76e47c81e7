"""Appointed people (Investigating Officers, Independent Persons, Review Panel members) and their cases.

Children's Act 1989 complaints bring in people from outside the council. They are deny-by-default:
an appointment to a case is the only thing that lets them see it, and removing it cuts access at once.
"""
from __future__ import annotations

from sqlalchemy import select, update

from . import access, audit, clock
from .diagram_api import DeadlineRuleError
from .errors import NotFound, ValidationFailed
from .models import Appointment, Case, HumanTask, User, db
from .transaction import transactional

APPOINTABLE_ROLES = ("investigating_officer", "independent_person", "panel_member")


def appointed_case_ids(user: User) -> frozenset[int]:
    """The cases the user holds an active appointment on (empty for most staff)."""
    if not access.APPOINTED_ROLES.intersection(user.roles):
        return frozenset()
    return frozenset(db.session.scalars(
        select(Appointment.case_id).where(Appointment.user_id == user.id, Appointment.removed_at.is_(None))
    ))


def active_appointments(case_id: int) -> list[Appointment]:
    return db.session.scalars(
        select(Appointment).where(Appointment.case_id == case_id, Appointment.removed_at.is_(None))
        .order_by(Appointment.appointed_at, Appointment.id)
    ).all()


def apply_from_diagram(case: Case, appointments: list[tuple[str, str, str | None]], actor: str) -> None:
    """Record the appointments a diagram's script asked for, refusing what the rules forbid."""
    chosen: set[tuple[str, int]] = set()
    for role, username, field_name in appointments:
        user = _appointable(role, username, field_name)
        if role == "panel_member" and _was_independent_person(case.id, user.id):
            raise DeadlineRuleError(
                f"{user.display_name} was the Stage 2 Independent Person and may not sit on the Review Panel",
                field_name)
        if (role, user.id) in chosen:
            raise DeadlineRuleError(f"{user.display_name} is already appointed as {_words(role)}", field_name)
        chosen.add((role, user.id))
        _appoint(case, user, role, actor)


def _appointable(role: str, username: str, field_name: str | None) -> User:
    user = db.session.scalar(select(User).where(User.username == username, User.active.is_(True)))
    if user is None:
        raise DeadlineRuleError(f"There is no user called {username}", field_name)
    if role not in user.roles:
        raise DeadlineRuleError(f"{user.display_name} does not have the role {_words(role)}", field_name)
    return user


def _was_independent_person(case_id: int, user_id: int) -> bool:
    return db.session.scalar(select(Appointment.id).where(
        Appointment.case_id == case_id, Appointment.user_id == user_id, Appointment.role == "independent_person"
    ).limit(1)) is not None


def _appoint(case: Case, user: User, role: str, actor: str) -> Appointment:
    appointment = Appointment(case_id=case.id, user_id=user.id, role=role, appointed_at=clock.now(),
                              appointed_by=actor)
    db.session.add(appointment)
    audit.record(case.id, actor, "appointed", f"{user.display_name} ({user.username}) as {_words(role)}")
    return appointment


def _words(role: str) -> str:
    return role.replace("_", " ")


def user_id_for(username: str | None) -> int | None:
    if not username:
        return None
    return db.session.scalar(select(User.id).where(User.username == username))


def _managed_case(reference: str, by: User) -> Case:
    case = db.session.scalar(select(Case).where(Case.reference == reference))
    if case is None or not access.can_manage_appointments(by) or not access.can_view_case(by, case):
        raise NotFound(f"No case {reference}")
    return case


@transactional
def appoint_person(reference: str, username: str, role: str, *, by: User) -> None:
    """A complaints manager appoints someone to a case by hand (e.g. a replacement)."""
    case = _managed_case(reference, by)
    if role not in APPOINTABLE_ROLES:
        raise ValidationFailed({"role": "Choose the role of the appointment"})
    try:
        apply_from_diagram(case, [(role, username.strip(), "username")], by.username)
    except DeadlineRuleError as refused:
        raise ValidationFailed({"username": str(refused)}) from None


@transactional
def remove_appointment(reference: str, appointment_id: int, *, by: User) -> None:
    """End an appointment now: the person loses the case and any task they held goes back unassigned."""
    case = _managed_case(reference, by)
    appointment = db.session.get(Appointment, appointment_id)
    if appointment is None or appointment.case_id != case.id or appointment.removed_at is not None:
        raise NotFound("No such appointment")
    appointment.removed_at, appointment.removed_by = clock.now(), by.username
    db.session.execute(update(HumanTask).where(HumanTask.case_id == case.id,
                                               HumanTask.assignee_id == appointment.user_id)
                       .values(assignee_id=None))
    audit.record(case.id, by.username, "appointment_removed",
                 f"{appointment.user.display_name} ({appointment.user.username}) as {_words(appointment.role)}; "
                 "their open tasks are unassigned")
