"""Apply what the contact_restriction diagram decided to the restrictions table, and write it in the audit log.

The diagram calls record_restriction, renew_restriction, lapse_restriction... (engine.diagram_api); the
engine applies them here when it saves the step, in the same transaction, checking what a diagram
cannot: that the person deciding is a senior manager and that the named officer exists.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from . import access, audit, clock
from .calendar import london_date
from .diagram_api import DeadlineRuleError
from .errors import Forbidden
from .models import Case, ProcessInstance, Restriction, User, db

MEASURE_LABELS = {
    "single_point_of_contact": "contact only through a named officer",
    "written_only": "written contact only",
    "call_limits": "limits on phone calls",
    "no_reply": "correspondence read and filed without reply (still read for new issues and safeguarding)",
    "visit_limits": "limits on visits to council premises",
}
# Changes only a senior manager may make: the Ombudsman's guidance asks for a senior officer's decision.
SENIOR_DECISIONS = {"decided", "refused", "renewed", "ended"}


def apply_from_diagram(case: Case, instance: ProcessInstance, changes: list[tuple[str, dict]], actor: str) -> None:
    restriction = db.session.scalar(select(Restriction).where(Restriction.instance_id == instance.id))
    if restriction is None:
        raise RuntimeError(f"process instance {instance.id} decides no restriction")
    for kind, values in changes:
        if kind in SENIOR_DECISIONS:
            _check_senior_manager(actor)
        APPLY[kind](restriction, values, actor)


def _check_senior_manager(username: str) -> None:
    user = db.session.scalar(select(User).where(User.username == username))
    if user is None or not access.can_decide_restriction(user):
        raise Forbidden("Only a senior manager can decide on a restriction")


def _today() -> date:
    return london_date(clock.now())


def record(restriction: Restriction, actor: str, event: str, detail: str) -> None:
    """Write the event in the history of every case the restriction concerns."""
    refs = [r for r in restriction.case_references if r]
    ids = set(db.session.scalars(select(Case.id).where(Case.reference.in_(refs)))) if refs else set()
    for case_id in sorted(ids | {restriction.case_id}):
        audit.record(case_id, actor, event, detail)


def describe(restriction: Restriction) -> str:
    """The restriction in words: what, where, with whom, until when."""
    measures = "; ".join(MEASURE_LABELS.get(m, m) for m in restriction.measures)
    limits = "".join(f" ({label}: {text})" for label, text in (("calls", restriction.call_limit),
                                                               ("visits", restriction.visit_limit)) if text)
    officer = restriction.single_point_of_contact
    where = ("the whole council" if restriction.scope == "council"
             else f"the {restriction.service_area.replace('_', ' ')} service")
    return (f"{measures}{limits}; applies to {where}; single point of contact "
            f"{officer.display_name if officer else 'not named'}; review date "
            f"{restriction.review_on.isoformat() if restriction.review_on else 'not set'}")


def _decided(restriction: Restriction, values: dict, actor: str) -> None:
    officer = db.session.scalar(select(User).where(User.username == values["single_point_of_contact"],
                                                   User.active.is_(True)))
    if officer is None or not access.is_staff(officer):
        raise DeadlineRuleError(f"There is no member of staff called {values['single_point_of_contact']}",
                                "single_point_of_contact")
    # New contact is routed to this officer: they must be able to open every case the restriction covers.
    if not (access.sees_every_case(officer) or
            values["scope"] == "service_area" and restriction.service_area in officer.teams):
        where = "every service" if values["scope"] == "council" else f"{restriction.service_area} cases"
        raise DeadlineRuleError(f"{officer.display_name} cannot see {where}: choose an officer who can "
                                "(for the whole council, one in customer relations)", "single_point_of_contact")
    restriction.status, restriction.scope, restriction.measures = "active", values["scope"], values["measures"]
    restriction.call_limit, restriction.visit_limit = values["call_limit"] or None, values["visit_limit"] or None
    restriction.single_point_of_contact = officer
    restriction.decision_reasons, restriction.decided_by = values["reasons"], actor
    restriction.decided_on, restriction.review_on = _today(), date.fromisoformat(values["review_on"])
    record(restriction, actor, "restriction_decided",
           f"Contact with {restriction.contact.name} restricted: {describe(restriction)}. "
           f"Reasons: {values['reasons']}")


def _refused(restriction: Restriction, values: dict, actor: str) -> None:
    restriction.status, restriction.decision_reasons = "refused", values["reasons"]
    restriction.decided_by, restriction.decided_on = actor, _today()
    record(restriction, actor, "restriction_refused",
           f"No restriction on contact with {restriction.contact.name}. Reasons: {values['reasons']}")


def _letter_sent(restriction: Restriction, values: dict, actor: str) -> None:
    restriction.letter_sent_on = date.fromisoformat(values["sent_on"])
    restriction.letter_method = values["method"] or None
    record(restriction, actor, "restriction_letter_sent",
           f"Decision letter sent to {restriction.contact.name} on {values['sent_on']}"
           f"{' by ' + values['method'] if values['method'] else ''}: the restriction, its scope, the review "
           f"date and the right to complain to the Ombudsman")


def _renewed(restriction: Restriction, values: dict, actor: str) -> None:
    restriction.review_on = date.fromisoformat(values["review_on"])
    restriction.renewals += 1
    record(restriction, actor, "restriction_renewed",
           f"Restriction on {restriction.contact.name} renewed until the review on {values['review_on']}. "
           f"Reasons: {values['reasons']}")


def _ended(restriction: Restriction, values: dict, actor: str) -> None:
    restriction.status, restriction.ended_on, restriction.end_reason = "ended", _today(), values["reasons"]
    record(restriction, actor, "restriction_ended",
           f"Restriction on {restriction.contact.name} ended at review. Reasons: {values['reasons']}")


def _lapsed(restriction: Restriction, values: dict, actor: str) -> None:
    restriction.status, restriction.ended_on = "lapsed", _today()
    restriction.end_reason = "Not renewed by the review date"
    record(restriction, actor, "restriction_lapsed",
           f"Restriction on {restriction.contact.name} lapsed: it was not renewed by the review date "
           f"{restriction.review_on.isoformat() if restriction.review_on else ''}".rstrip())


APPLY = {"decided": _decided, "refused": _refused, "letter_sent": _letter_sent, "renewed": _renewed,
         "ended": _ended, "lapsed": _lapsed}
