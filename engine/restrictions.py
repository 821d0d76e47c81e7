"""Unreasonable and unreasonably persistent contact: propose a restriction, record abuse, route and report.

The restriction itself is decided, reviewed and lapsed by the contact_restriction diagram, run beside
the case the proposal was made from; restriction_records applies what it decides to the restrictions
table. This module holds the use cases around it and the rule of scope: a restriction applies only
to cases in its service area, or to every case when it covers the whole council.
"""
from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy import bindparam, select, update

from . import access, audit, clock, forms, instances, registry
from .calendar import london_date
from .cases import find_visible_case
from .errors import Conflict, NotFound, ValidationFailed
from .models import AbuseReport, Case, Contact, HumanTask, Restriction, User, db
from .restriction_records import MEASURE_LABELS, describe
from .transaction import transactional

PROCESS_ID = "contact_restriction"
FORMS = Path(__file__).resolve().parent.parent / "processes" / "forms" / "restriction"
PROPOSAL_FORM, ABUSE_FORM = FORMS / "proposal.json", FORMS / "abuse.json"
OPEN = ("proposed", "active")


def applies_to(restriction: Restriction, service_area: str) -> bool:
    """Whether an active restriction covers a case in `service_area`: never beyond its scope."""
    return restriction.status == "active" and (
        restriction.scope == "council" or restriction.service_area == service_area)


def restrictions_of(contact_id: int) -> list[Restriction]:
    return list(db.session.scalars(select(Restriction).where(Restriction.contact_id == contact_id)
                                   .order_by(Restriction.proposed_at.desc(), Restriction.id.desc())))


def active_for(contact_id: int) -> list[Restriction]:
    return [r for r in restrictions_of(contact_id) if r.status == "active"]


def in_force_for(case: Case) -> Restriction | None:
    """The active restriction that covers this case, if its person has one (the newest, if several)."""
    if case.contact_id is None:
        return None
    # Asked of every new case, nearly always of someone with no restriction: one indexed query, no list.
    return db.session.scalar(_IN_FORCE, {"contact_id": case.contact_id, "service_area": case.service_area})


# Built once: building and cache-keying the statement cost more than running it.
_IN_FORCE = (
    select(Restriction)
    .where(Restriction.contact_id == bindparam("contact_id"), Restriction.status == "active",
           (Restriction.scope == "council") | (Restriction.service_area == bindparam("service_area")))
    .order_by(Restriction.proposed_at.desc(), Restriction.id.desc()).limit(1)
)


def for_instance(instance_id: int) -> Restriction | None:
    return db.session.scalar(select(Restriction).where(Restriction.instance_id == instance_id))


@transactional
def record_abuse(reference: str, data: dict, *, user: User) -> dict:
    """Record abuse towards staff on a case; it is added to any restriction proposal for the person."""
    case = find_visible_case(reference, user)
    if not access.is_staff(user):
        raise NotFound(f"No case {reference}")
    forms.validate(forms.load_form(ABUSE_FORM), data)
    occurred = date.fromisoformat(data["occurred_on"])
    if occurred > london_date(clock.now()):
        raise ValidationFailed({"occurred_on": "The date it happened must be today or in the past"})
    report = AbuseReport(case_id=case.id, contact_id=case.contact_id, occurred_on=occurred, kind=data["kind"],
                         description=data["description"].strip(), recorded_by=user.username,
                         recorded_at=clock.now())
    db.session.add(report)
    db.session.flush()
    audit.record(case.id, user.username, "abuse_recorded",
                 f"{_kind_label(report.kind)} on {occurred.isoformat()}: {report.description}")
    return abuse_view(report)


def abuse_reports_for(contact_id: int | None, case_id: int | None = None) -> list[AbuseReport]:
    query = select(AbuseReport).order_by(AbuseReport.occurred_on, AbuseReport.id)
    query = query.where(AbuseReport.case_id == case_id) if case_id else query.where(
        AbuseReport.contact_id == contact_id)
    return list(db.session.scalars(query))


@transactional
def propose_restriction(reference: str, data: dict, *, actor: User) -> dict:
    """An officer proposes restricting contact with the person behind a case; a senior manager decides."""
    case = find_visible_case(reference, actor)
    if not access.can_propose_restriction(actor):
        raise NotFound(f"No case {reference}")
    if case.contact_id is None:
        raise Conflict(f"Case {reference} is not linked to a contact record")
    forms.validate(forms.load_form(PROPOSAL_FORM), data)
    contact = db.session.get(Contact, case.contact_id)
    references = _cases_concerned(contact, reference, data["case_references"])
    if any(r.status in OPEN and r.service_area == case.service_area for r in restrictions_of(contact.id)):
        raise Conflict(f"A restriction on {contact.name} in this service area is already proposed or in force")
    version_id = registry.latest_version_id(PROCESS_ID)
    if version_id is None:
        raise Conflict(f"No {PROCESS_ID} diagram is deployed")
    abuse = abuse_reports_for(contact.id)
    restriction = Restriction(
        contact_id=contact.id, case_id=case.id, status="proposed", behaviour=data["behaviour"].strip(),
        evidence=data["evidence"].strip(), adjustments=data["adjustments"].strip(), case_references=references,
        abuse_report_ids=[a.id for a in abuse], proposed_by=actor.username, proposed_at=clock.now(),
        service_area=case.service_area, measures=[], renewals=0)
    db.session.add(restriction)
    db.session.flush()
    from .restriction_records import record

    record(restriction, actor.username, "restriction_proposed",
           f"Restricting contact with {contact.name} proposed. Behaviour: {restriction.behaviour}. "
           f"Evidence: {restriction.evidence}. Cases concerned: {', '.join(references)}. "
           f"Reasonable adjustments considered: {restriction.adjustments}. "
           f"Abuse towards staff recorded: {_abuse_summary(abuse)}")
    start_data = {
        "case_reference": case.reference, "service_area": case.service_area, "contact_name": contact.name,
        "behaviour": restriction.behaviour, "evidence": restriction.evidence,
        "adjustments": restriction.adjustments, "case_references": references,
        # Defaults for the decision form's optional fields, which the diagram's scripts read.
        "measures": [], "single_point_of_contact": "", "scope": "service_area", "call_limit": "",
        "visit_limit": "", "decision_reasons": "",
    }
    loaded = instances.start(case, version_id, start_data, actor.username, main=False)
    restriction.instance_id = loaded.instance.id
    return restriction_view(restriction)


def _cases_concerned(contact: Contact, reference: str, chosen: list[str]) -> list[str]:
    """The cases named in the proposal: all must be this person's; the case proposed from always is."""
    own = set(db.session.scalars(select(Case.reference).where(Case.contact_id == contact.id)))
    wrong = sorted(set(chosen) - own)
    if wrong:
        raise ValidationFailed({"case_references": f"Not a case of {contact.name}: {', '.join(wrong)}"})
    return sorted(set(chosen) | {reference})


def _abuse_summary(abuse: list[AbuseReport]) -> str:
    if not abuse:
        return "none"
    return "; ".join(f"{a.occurred_on.isoformat()} {_kind_label(a.kind).lower()}: {a.description}" for a in abuse)


def _kind_label(kind: str) -> str:
    schema = forms.load_form(ABUSE_FORM)["properties"]["kind"]
    return schema["x-labels"].get(kind, kind)


def route_new_case(case: Case, actor: str) -> None:
    """A restricted person's new contact is logged as usual and its first tasks go to the named officer.

    Nothing is dropped: the contact keeps its procedure and deadlines, and the history says it was
    logged under the restriction and must still be read for new issues and safeguarding.
    """
    restriction = in_force_for(case)
    if restriction is None:
        return
    officer = restriction.single_point_of_contact
    audit.record(case.id, "system", "logged_under_restriction",
                 f"{restriction.contact.name} is under a contact restriction ({describe(restriction)}). "
                 f"This contact is logged and read for new issues and safeguarding like any other; "
                 f"it is routed to {officer.display_name if officer else 'the complaints manager'}")
    if officer is None:
        return
    tasks = list(db.session.scalars(select(HumanTask).where(HumanTask.case_id == case.id,
                                                            HumanTask.assignee_id.is_(None))))
    if tasks:
        db.session.execute(update(HumanTask).where(HumanTask.id.in_([t.id for t in tasks]))
                           .values(assignee_id=officer.id))
    for task in tasks:
        audit.record(case.id, "system", "task_assigned",
                     f"{task.name} to {officer.display_name} ({officer.username}), the single point of contact")


def active_report(*, user: User) -> list[dict]:
    """Active restrictions with their review dates, soonest review first."""
    if not access.can_see_restriction_report(user):
        raise NotFound("Not found")
    rows = db.session.scalars(select(Restriction).where(Restriction.status == "active")
                              .order_by(Restriction.review_on, Restriction.id))
    return [restriction_view(r) for r in rows]


def restriction_view(r: Restriction) -> dict:
    officer = r.single_point_of_contact
    case_reference = db.session.scalar(select(Case.reference).where(Case.id == r.case_id))
    return {
        "id": r.id, "status": r.status, "contact_id": r.contact_id, "contact_name": r.contact.name,
        "case_reference": case_reference, "case_references": r.case_references, "service_area": r.service_area,
        "scope": r.scope, "scope_text": _scope_text(r), "measures": r.measures,
        "measure_labels": [MEASURE_LABELS.get(m, m) for m in r.measures], "call_limit": r.call_limit,
        "visit_limit": r.visit_limit, "single_point_of_contact": officer.username if officer else None,
        "single_point_of_contact_name": officer.display_name if officer else None,
        "behaviour": r.behaviour, "evidence": r.evidence, "adjustments": r.adjustments,
        "proposed_by": r.proposed_by, "proposed_at": r.proposed_at, "decided_by": r.decided_by,
        "decided_on": r.decided_on, "decision_reasons": r.decision_reasons, "review_on": r.review_on,
        "letter_sent_on": r.letter_sent_on, "renewals": r.renewals, "ended_on": r.ended_on,
        "end_reason": r.end_reason, "abuse_reports": [abuse_view(a) for a in _abuse(r)],
        "letter": decision_letter(r) if r.status == "active" else None,
    }


def _abuse(r: Restriction) -> list[AbuseReport]:
    if not r.abuse_report_ids:
        return []
    return list(db.session.scalars(select(AbuseReport).where(AbuseReport.id.in_(r.abuse_report_ids))
                                   .order_by(AbuseReport.occurred_on)))


def _scope_text(r: Restriction) -> str:
    if r.scope == "council":
        return "The whole council"
    return f"{r.service_area.replace('_', ' ').capitalize()} only"


def abuse_view(a: AbuseReport) -> dict:
    reference = db.session.scalar(select(Case.reference).where(Case.id == a.case_id))
    return {"id": a.id, "case_reference": reference, "occurred_on": a.occurred_on, "kind": a.kind,
            "kind_label": _kind_label(a.kind), "description": a.description, "recorded_by": a.recorded_by}


def decision_letter(r: Restriction) -> str:
    """The decision letter's text: the restriction, its scope, duration and review date, and the Ombudsman."""
    officer = r.single_point_of_contact
    measures = "\n".join(f"- {MEASURE_LABELS.get(m, m).capitalize()}" for m in r.measures)
    limits = "".join(f"\n{label}: {text}" for label, text in (("Calls", r.call_limit), ("Visits", r.visit_limit))
                     if text)
    where = "all council services" if r.scope == "council" else f"the {r.service_area.replace('_', ' ')} service"
    return (
        f"Dear {r.contact.name},\n\n"
        f"We have decided to change how we manage your contact with {where}, from "
        f"{r.decided_on.isoformat() if r.decided_on else ''}.\n\n"
        f"Why: {r.decision_reasons}\n\n"
        f"What this means:\n{measures}{limits}\n\n"
        f"Your single point of contact is {officer.display_name if officer else ''}. Please contact us only "
        f"through them. We will still read everything you send us, and will look into any new issue.\n\n"
        f"This arrangement will be reviewed by {r.review_on.isoformat() if r.review_on else ''}; it ends then "
        f"unless we renew it, and we will write to you either way.\n\n"
        f"If you are unhappy with this decision, you can ask the Local Government and Social Care Ombudsman "
        f"to look at it: www.lgo.org.uk, 0300 061 0614.\n"
    )
