"""Who may see and do what: plain functions over users, cases and tasks (need to know)."""
from __future__ import annotations

SEE_EVERY_CASE = {"complaints_manager", "senior_manager", "admin"}
STAFF_ROLES = {"officer", "complaints_manager", "senior_manager", "process_owner", "admin"}
APPOINTED_ROLES = {"independent_person", "panel_member", "investigating_officer"}
# The customer relations team runs the procedure for every service, so it sees every case.
COORDINATING_TEAM = "customer_relations"


def is_staff(user) -> bool:
    return bool(STAFF_ROLES.intersection(user.roles))


def sees_every_case(user) -> bool:
    return bool(SEE_EVERY_CASE.intersection(user.roles)) or (
        "officer" in user.roles and COORDINATING_TEAM in user.teams
    )


def can_view_case(user, case, appointed_case_ids: frozenset[int] = frozenset()) -> bool:
    if sees_every_case(user):
        return True
    if case.id in appointed_case_ids:
        return True
    return "officer" in user.roles and case.service_area in user.teams


def can_log_contact(user) -> bool:
    return is_staff(user)


def can_list_cases(user) -> bool:
    return is_staff(user)


def could_take_task(user, task) -> bool:
    """Whether the task is for one of the user's roles and teams (whoever holds it now)."""
    if task.role not in user.roles:
        return False
    if task.role in APPOINTED_ROLES or is_appointed_only(user):
        # Appointed work is given to a named person, never picked from a shared list.
        return task.assignee_id == user.id
    return task.team is None or task.team in user.teams or sees_every_case(user)


def can_act_on_task(user, task) -> bool:
    """A task is the user's if it is assigned to them, or unassigned and for one of their roles and teams."""
    if task.assignee_id is not None:
        return task.assignee_id == user.id
    return could_take_task(user, task)


def can_reassign(user) -> bool:
    return bool({"complaints_manager", "admin"}.intersection(user.roles))


def can_manage_appointments(user) -> bool:
    return bool({"complaints_manager", "admin"}.intersection(user.roles))


def is_appointed_only(user) -> bool:
    """External people: they act only on what they are appointed to and assigned."""
    return not is_staff(user) and bool(APPOINTED_ROLES.intersection(user.roles))


def can_change_procedure(user) -> bool:
    """Triage is the customer relations team's job; complaints managers may correct it."""
    return bool({"complaints_manager", "admin"}.intersection(user.roles)) or (
        "officer" in user.roles and COORDINATING_TEAM in user.teams
    )


def can_merge_contacts(user) -> bool:
    """Contact records are kept by the customer relations team; complaints managers may correct them."""
    return can_change_procedure(user)


def can_propose_restriction(user) -> bool:
    return bool({"officer", "complaints_manager", "senior_manager"}.intersection(user.roles))


def can_decide_restriction(user) -> bool:
    """Ombudsman guidance: a senior officer decides, never the officer dealing with the person."""
    return "senior_manager" in user.roles


def can_see_restriction_report(user) -> bool:
    return sees_every_case(user)
