"""Use cases on a whole case: log a contact, read it, list cases, ask for the next stage."""
from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy import bindparam, func, select

from . import access, appointments, audit, clock, contacts, deadlines, forms, instances, spiff, triage
from .calendar import london_date
from .errors import Conflict, Forbidden, NotFound, ValidationFailed
from .models import Case, Deadline, User, db
from .presenters import case_view
from .transaction import transactional

INTAKE_FORM = Path(__file__).resolve().parent.parent / "processes" / "forms" / "intake.json"
NEXT_STAGE = {"stage1": "stage2", "stage2": "stage3"}
PAGE_SIZE = 25
# Older than any record a council would still be handling; also keeps references CMP-YYYY-NNNNNN.
EARLIEST_RECEIPT = date(2000, 1, 1)


def validate_intake(data: dict) -> dict:
    """Check a new contact against the intake form; return it with defaults filled in."""
    forms.validate(forms.load_form(INTAKE_FORM), data)
    today = london_date(clock.now())
    received = date.fromisoformat(data["received_on"]) if data.get("received_on") else today
    if received > today:
        raise ValidationFailed({"received_on": "Date received must be today or in the past"})
    if received < EARLIEST_RECEIPT:
        raise ValidationFailed({"received_on": f"Date received must be on or after {EARLIEST_RECEIPT.isoformat()}"})
    happened = date.fromisoformat(data["happened_on"]) if data.get("happened_on") else None
    if happened and happened > received:
        raise ValidationFailed({"happened_on": "The date it happened must be on or before the date received"})
    return {**data, "received_on": received.isoformat(), "social_care": data.get("social_care", "none"),
            "exclusion": data.get("exclusion", "none")}


@transactional
def open_case(data: dict, *, actor: User, source: str = "staff") -> dict:
    """Log a complaint, comment or compliment and start the procedure the triage table suggests."""
    if source not in triage.SOURCES or not access.can_log_contact(actor):
        raise NotFound("Not found")
    return case_view(create_case(data, actor_name=actor.username, source=source))


def create_case(data: dict, *, actor_name: str, source: str = "staff") -> Case:
    """Validate a new contact, save it and start its procedure, inside the caller's transaction.

    The callers decide who may log a contact: staff through open_case, the public through their own form.
    `source` says who triaged it: "staff" who logged it, or "public", which a person then checks.
    """
    data = validate_intake(data)
    suggestion = triage.suggest(data)
    complainant = data["complainant"]
    case = Case(
        kind=data["kind"], procedure=suggestion["procedure"], stage="intake", status="open",
        service_area=data["service_area"], channel=data["channel"], summary=data["summary"],
        details=data.get("details", ""), social_care=data["social_care"], complainant=complainant,
        complainant_name=complainant["name"], complainant_email=complainant.get("email"),
        on_behalf_of=data.get("on_behalf_of"), contractor=data.get("contractor"),
        received_on=date.fromisoformat(data["received_on"]),
        happened_on=date.fromisoformat(data["happened_on"]) if data.get("happened_on") else None,
        exclusion=data["exclusion"], triage_reason=suggestion.get("reason"),
        desired_outcome=data.get("desired_outcome"), created_at=clock.now(),
    )
    db.session.add(case)
    db.session.flush()
    deadlines.new_case(case.id)  # a new case has no deadline rows: its steps need not read them
    case.reference = f"CMP-{case.received_on.year}-{case.id:06d}"
    audit.record(case.id, actor_name, "case_opened", f"{case.kind} received by {case.channel}: {case.summary}")
    audit.record(case.id, "system", "triaged", f"{triage.PROCEDURE_LABELS[case.procedure].capitalize()}: "
                 f"{case.triage_reason}")
    contacts.link_case(case, actor_name)
    triage.start_procedure(case, suggestion.get("process_id"), actor_name)
    triage.start_check(case, source, actor_name)
    from . import restrictions  # here: restrictions builds on this module's find_visible_case

    restrictions.route_new_case(case, actor_name)
    return case


def contractor_key(name: str):
    """Contractor names are typed by people: compare them trimmed and case-insensitively."""
    return func.lower(func.trim(name)) if not isinstance(name, str) else name.strip().lower()


def same_contractor(name: str):
    return contractor_key(Case.contractor) == contractor_key(name)


_CASE_BY_REFERENCE = select(Case).where(Case.reference == bindparam("reference"))  # built once: every use case reads it


def find_visible_case(reference: str, user: User) -> Case:
    case = db.session.scalar(_CASE_BY_REFERENCE, {"reference": reference})
    if case is None or not access.can_view_case(user, case, appointments.appointed_case_ids(user)):
        raise NotFound(f"No case {reference}")
    return case


def read_case(reference: str, *, user: User) -> dict:
    return case_view(find_visible_case(reference, user))


def list_cases(user: User, *, procedure=None, stage=None, status=None, service_area=None, contractor=None,
               overdue: bool = False, page: int = 1) -> dict:
    if not access.can_list_cases(user):
        raise NotFound("Not found")
    query = select(Case)
    if not access.sees_every_case(user):
        query = query.where(Case.service_area.in_(user.teams))
    for column, value in ((Case.procedure, procedure), (Case.stage, stage), (Case.status, status),
                          (Case.service_area, service_area)):
        if value:
            query = query.where(column == value)
    if contractor:
        query = query.where(same_contractor(contractor))
    if overdue:
        today = london_date(clock.now())
        late = select(Deadline.case_id).where(Deadline.completed_on.is_(None), Deadline.due_on < today)
        query = query.where(Case.id.in_(late))
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    page = max(1, page)
    rows = db.session.scalars(query.order_by(Case.id.desc()).limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE))
    return {"items": [case_view(c, with_history=False) for c in rows], "page": page, "total": total}


@transactional
def change_procedure(reference: str, procedure: str, reason: str, *, actor: User) -> dict:
    """A member of the triage team moves a case to another procedure (or out of the policy), with a reason."""
    case = find_visible_case(reference, actor)
    if not access.can_change_procedure(actor):
        raise Forbidden("Only the customer relations team and complaints managers can change the procedure")
    if case.status != "open":
        raise Conflict(f"Case {reference} is {case.status}; its procedure cannot change")
    if procedure not in triage.PROCEDURE_LABELS:
        raise ValidationFailed({"procedure": "Choose the procedure"})
    if procedure == case.procedure:
        raise ValidationFailed({"procedure": "The case already follows that procedure"})
    triage.apply_decision(case, procedure, (reason or "").strip(), actor=actor)
    triage.close_open_checks(case, actor)
    return case_view(case)


@transactional
def escalate_case(reference: str, reason: str, *, actor: User) -> dict:
    """The complainant asks for the next stage: deliver the request to the waiting diagram."""
    case = find_visible_case(reference, actor)
    if not access.is_staff(actor):
        # Appointed people work on a case; only the council moves it on for the complainant.
        raise NotFound(f"No case {reference}")
    move_to_next_stage(case, reason, actor_name=actor.username)
    return case_view(case)


def next_stage_open(case: Case, today: date) -> bool:
    """Whether the complainant may ask for the next stage of this case today."""
    return (case.status == "open" and case.process_instance_id is not None and case.stage in NEXT_STAGE
            and case.next_stage_request_by is not None and today <= case.next_stage_request_by)


def move_to_next_stage(case: Case, reason: str, *, actor_name: str) -> None:
    """Deliver a next-stage request to the case's diagram in the caller's transaction; Conflict if it is not open."""
    reference = case.reference
    if case.status != "open" or case.process_instance_id is None:
        raise Conflict(f"Case {reference} is {case.status}; it cannot move to another stage")
    next_stage = NEXT_STAGE.get(case.stage)
    if next_stage is None:
        raise Conflict(f"Case {reference} is at its final stage")
    today = london_date(clock.now())
    if case.next_stage_request_by is None:
        raise Conflict(f"{case.stage} is still open: the next stage can be asked for after its response")
    if today > case.next_stage_request_by:
        raise Conflict(f"The time to ask for {next_stage} ended on {case.next_stage_request_by.isoformat()}")
    loaded = instances.load(case, for_update=True)
    audit.record(case.id, actor_name, "next_stage_requested", f"{next_stage}: {reason or 'no reason given'}")
    case.next_stage_request_by = None
    try:
        with instances.step(loaded, actor_name):
            spiff.send_message(loaded.workflow, f"{next_stage}_requested",
                               {"requested_on": today.isoformat(), "reason": reason or ""})
    except spiff.NotWaitingForMessage:
        raise Conflict(f"Case {reference} is not waiting for a {next_stage} request") from None


@transactional
def withdraw_case(reference: str, reason: str, *, actor: User) -> dict:
    """The complainant withdraws: the diagram's withdrawal path runs if it has one, else the case just stops."""
    case = find_visible_case(reference, actor)
    if not access.is_staff(actor):
        raise NotFound(f"No case {reference}")
    if case.status != "open":
        raise Conflict(f"Case {reference} is already {case.status}")
    if not (reason or "").strip():
        raise ValidationFailed({"reason": "Enter the reason the complaint was withdrawn"})
    if case.process_instance_id is None:
        case.status, case.stage, case.closed_on = "withdrawn", "closed", london_date(clock.now())
        audit.record(case.id, actor.username, "withdrawn", reason)
        return case_view(case)
    loaded = instances.load(case, for_update=True)
    with instances.step(loaded, actor.username) as effects:
        try:
            spiff.send_message(loaded.workflow, "case_withdrawn",
                               {"reason": reason, "withdrawn_on": london_date(clock.now()).isoformat()})
        except spiff.NotWaitingForMessage:
            # This procedure's diagram has no withdrawal path: stop it where it stands.
            spiff.cancel(loaded.workflow)
            effects.withdrawn_reason = reason
            effects.stage = "closed"
    return case_view(case)

