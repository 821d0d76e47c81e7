"""Which procedure a contact follows: the triage table's suggestion when it is logged, then a person's check.

The suggested procedure starts at once, so its statutory clock runs from receipt; the person checking
it (the `triage_check` diagram) confirms it or chooses another with a reason. A change stops the
suggested procedure and starts the chosen one, and both are recorded in the case history.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import delete

from . import audit, clock, instances, registry, spiff
from .calendar import london_date
from .errors import ValidationFailed
from .models import Case, Deadline, User, db

TRIAGE_DECISION = "procedure_for_contact"
CHECK_DECISION = "triage_check_needed"
CHECK_PROCESS = "triage_check"
SOURCES = ("staff", "public")
# The diagram of each procedure: naming, not policy (which procedure applies is in triage.dmn).
PROCESS_FOR_PROCEDURE = {
    "corporate": "corporate_complaint",
    "childrens_statutory": "childrens_statutory_complaint",
    "adults_statutory": "adults_statutory_complaint",
}
PROCEDURE_LABELS = {
    "corporate": "corporate procedure",
    "childrens_statutory": "children's statutory procedure",
    "adults_statutory": "adults' statutory procedure",
    "none": "no complaints procedure",
}


def months_between(earlier: date, later: date) -> int:
    """Whole calendar months from `earlier` to `later` (0 if `later` is not after it)."""
    months = (later.year - earlier.year) * 12 + later.month - earlier.month
    if later.day < earlier.day:
        months -= 1
    return max(months, 0)


def triage_inputs(data: dict) -> dict:
    """The facts the triage table decides on, from validated intake data."""
    received = date.fromisoformat(data["received_on"])
    happened = date.fromisoformat(data["happened_on"]) if data.get("happened_on") else received
    return {
        "kind": data["kind"],
        "exclusion": data.get("exclusion") or "none",
        "social_care": data.get("social_care") or "none",
        "service_area": data["service_area"],
        "matter_age_months": months_between(happened, received),
    }


def suggest(data: dict) -> dict:
    """The triage table's answer: procedure, process_id and reason."""
    inputs = triage_inputs(data)
    decided = registry.decide(TRIAGE_DECISION, inputs)
    if decided is None:
        # No triage table deployed: every complaint follows the corporate procedure, unchecked.
        complaint = inputs["kind"] == "complaint"
        return {"procedure": "corporate" if complaint else "none",
                "process_id": "corporate_complaint" if complaint else None,
                "reason": "No triage table is deployed"}
    if not decided:
        # A gap in the table: keep the contact and let a person decide.
        return {"procedure": "none", "process_id": None,
                "reason": "No rule of the triage table matched this contact"}
    return dict(decided)


def needs_check(case: Case, source: str) -> bool:
    decided = registry.decide(CHECK_DECISION, {"source": source, "kind": case.kind, "procedure": case.procedure})
    if decided is None:
        return source == "public" or case.procedure == "none" and case.kind == "complaint"
    return bool(decided.get("needs_check", True))


def start_check(case: Case, source: str, actor_name: str) -> None:
    """Put 'Check the procedure' in the triage inbox when the check table asks for it."""
    if not needs_check(case, source):
        return
    version_id = registry.latest_version_id(CHECK_PROCESS)
    if version_id is None:
        audit.record(case.id, "system", "procedure_missing",
                     f"No {CHECK_PROCESS} diagram is deployed; the triage suggestion was not checked")
        return
    data = {"case_reference": case.reference, "suggested_procedure": case.procedure,
            "triage_reason": case.triage_reason or "", "kind": case.kind, "service_area": case.service_area,
            "summary": case.summary, "received_on": case.received_on.isoformat(), "reason": ""}
    instances.start(case, version_id, data, actor_name, main=False)


def apply_decision(case: Case, procedure: str, reason: str, *, actor: User) -> None:
    """Keep the suggested procedure, or replace it with the one the person chose."""
    suggested = case.procedure
    if procedure == suggested:
        audit.record(case.id, actor.username, "triage_confirmed",
                     f"The {PROCEDURE_LABELS[procedure]} was confirmed" + (f": {reason}" if reason else ""))
        if procedure == "none" and case.kind == "complaint" and case.process_instance_id is None:
            _close_as_not_under_policy(case, reason or case.triage_reason or "", actor)
        return
    if not reason:
        raise ValidationFailed({"reason": "Give the reason for changing the procedure"})
    audit.record(case.id, actor.username, "triage_overridden",
                 f"{PROCEDURE_LABELS[suggested].capitalize()} changed to the {PROCEDURE_LABELS[procedure]}: {reason}")
    _stop_procedure(case, actor)
    case.procedure, case.triage_reason = procedure, reason
    if procedure == "none":
        if case.kind == "complaint":
            _close_as_not_under_policy(case, reason, actor)
        return
    if case.kind != "complaint":
        audit.record(case.id, actor.username, "kind_changed", f"{case.kind.capitalize()} treated as a complaint")
        case.kind = "complaint"
    start_procedure(case, PROCESS_FOR_PROCEDURE[procedure], actor.username)


def start_procedure(case: Case, process_id: str | None, actor_name: str) -> None:
    """Start the case's procedure diagram (none for excluded contacts, which wait for the check)."""
    if process_id is None:
        return
    version_id = registry.latest_version_id(process_id)
    if version_id is None:
        # Keep the contact rather than refuse it: a manager must pick it up by hand.
        audit.record(case.id, "system", "procedure_missing",
                     f"No {process_id} diagram is deployed; a complaints manager must handle this case")
        return
    data = {
        "case_reference": case.reference, "received_on": case.received_on.isoformat(),
        "service_area": case.service_area, "summary": case.summary, "details": case.details,
        "complainant_name": case.complainant_name, "kind": case.kind, "channel": case.channel,
        "happened_on": case.happened_on.isoformat() if case.happened_on else None,
    }
    instances.start(case, version_id, data, actor_name)


def _stop_procedure(case: Case, actor: User) -> None:
    """Cancel the running procedure and clear its deadlines: the chosen procedure sets its own."""
    if case.process_instance_id is not None:
        loaded = instances.load(case, for_update=True)
        with instances.step(loaded, actor.username) as effects:
            effects.superseded = True
            spiff.cancel(loaded.workflow)
        case.process_instance_id = None
    db.session.execute(delete(Deadline).where(Deadline.case_id == case.id))
    db.session.expire(case, ["deadlines"])
    case.stage, case.outcome, case.next_stage_request_by = "intake", None, None


def _close_as_not_under_policy(case: Case, reason: str, actor: User) -> None:
    case.stage, case.status, case.closed_on = "closed", "closed", london_date(clock.now())
    audit.record(case.id, actor.username, "not_under_policy",
                 f"Not dealt with under the complaints policy: {reason}")
