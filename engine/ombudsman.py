"""Cases the Local Government and Social Care Ombudsman looks into: its enquiry, its decision, its recommendations.

Complaints managers record them from the case page. Each recommendation with a compliance date runs the
`ombudsman_compliance` diagram beside the case's procedure: "Comply with the Ombudsman's recommendation" in
the complaints managers' task list, a reminder before the date and an overdue mark after it.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from . import access, audit, clock, instances, registry
from .calendar import london_date
from .errors import Forbidden, NotFound, ValidationFailed
from .models import Case, OmbudsmanCase, OmbudsmanRecommendation, User, db
from .transaction import transactional

PROCESS_ID = "ombudsman_compliance"
# The categories the Ombudsman reports by, in its annual letter and its decisions.
CATEGORIES = {
    "adult_care": "Adult care services",
    "benefits_tax": "Benefits & tax",
    "corporate_other": "Corporate & other services",
    "education_children": "Education & children's services",
    "environment": "Environment services",
    "highways_transport": "Highways & transport",
    "housing": "Housing",
    "planning": "Planning & development",
}
# The category suggested for a case from its service area; the complaints manager may choose another.
CATEGORY_FOR_AREA = {
    "highways": "highways_transport",
    "waste": "environment",
    "parks": "environment",
    "planning": "planning",
    "housing": "housing",
    "council_tax": "benefits_tax",
    "libraries": "corporate_other",
    "childrens_social_care": "education_children",
    "adult_social_care": "adult_care",
    "customer_relations": "corporate_other",
}
DECISIONS = {
    "upheld": "Upheld",
    "not_upheld": "Not upheld",
    "closed_after_initial_enquiries": "Closed after initial enquiries",
    "referred_back": "Premature: referred back for local resolution",
    "withdrawn": "Withdrawn or closed",
}
# Decisions reached after a detailed investigation: the upheld rate is upheld / these.
DETAILED_INVESTIGATIONS = ("upheld", "not_upheld")


def default_category(service_area: str | None) -> str:
    return CATEGORY_FOR_AREA.get(service_area or "", "corporate_other")


def can_record(user: User) -> bool:
    """Only complaints managers record the Ombudsman's enquiries, decisions and recommendations."""
    return "complaints_manager" in user.roles


def _case_for(reference: str, user: User) -> Case:
    case = db.session.scalar(select(Case).where(Case.reference == reference))
    if case is None or not access.is_staff(user) or not access.can_view_case(user, case):
        raise NotFound("Not found")
    if not can_record(user):
        raise Forbidden("Only a complaints manager can record the Ombudsman's enquiries and decisions")
    return case


def _record_for(case: Case) -> OmbudsmanCase | None:
    return db.session.scalar(select(OmbudsmanCase).where(OmbudsmanCase.case_id == case.id))


def _date(errors: dict, name: str, value, what: str, *, required: bool) -> date | None:
    """A date from a form (ISO text) or a caller (a date); an error under `name` if it is missing or not a date."""
    if isinstance(value, date):
        return value
    text = (value or "").strip()
    if not text:
        if required:
            errors[name] = f"Enter {what}, for example 27 3 2026"
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        errors[name] = f"{what[0].upper()}{what[1:]} must be a real date, for example 27 3 2026"
        return None


def _text(errors: dict, name: str, value, what: str, limit: int, *, required: bool) -> str:
    text = (value or "").strip()
    if required and not text:
        errors[name] = f"Enter {what}"
    elif len(text) > limit:
        errors[name] = f"{what[0].upper()}{what[1:]} must be {limit} characters or fewer"
    return text


@transactional
def record_enquiry(reference: str, *, ombudsman_reference: str, category: str, enquiry_received_on,
                   reply_due_on=None, reply_sent_on=None, user: User) -> dict:
    """Record (or correct) the Ombudsman's enquiry into the case: its reference, category and our reply."""
    case = _case_for(reference, user)
    record = _record_for(case)
    today = london_date(clock.now())
    errors: dict[str, str] = {}
    their_ref = _text(errors, "omb_reference", ombudsman_reference, "the Ombudsman's reference", 40, required=True)
    if their_ref:
        other = db.session.scalar(select(Case.reference).join(OmbudsmanCase, OmbudsmanCase.case_id == Case.id)
                                  .where(OmbudsmanCase.ombudsman_reference == their_ref, Case.id != case.id))
        if other:
            errors["omb_reference"] = f"The Ombudsman's reference {their_ref} is already recorded on case {other}"
    if category not in CATEGORIES:
        errors["omb_category"] = "Select the Ombudsman's category"
    received = _date(errors, "omb_enquiry_received_on", enquiry_received_on, "the date the enquiry was received",
                     required=True)
    reply_due = _date(errors, "omb_reply_due_on", reply_due_on, "the date our reply is due", required=False)
    reply_sent = _date(errors, "omb_reply_sent_on", reply_sent_on, "the date our reply was sent", required=False)
    if received and received > today:
        errors["omb_enquiry_received_on"] = "The date the enquiry was received must be today or in the past"
    if received and reply_due and reply_due < received:
        errors["omb_reply_due_on"] = "The date our reply is due must be on or after the date the enquiry was received"
    if received and reply_sent and not received <= reply_sent <= today:
        errors["omb_reply_sent_on"] = ("The date our reply was sent must be between the date the enquiry was "
                                       "received and today")
    if errors:
        raise ValidationFailed(errors)
    detail = (f"Ombudsman's reference {their_ref}, {CATEGORIES[category]}, enquiry received "
              f"{received.isoformat()}, reply due {_iso_or(reply_due, 'not set')}, "
              f"reply sent {_iso_or(reply_sent, 'not yet')}")
    if record is None:
        record = OmbudsmanCase(case_id=case.id, recorded_by=user.username, created_at=clock.now(),
                               remedied_before=False)
        db.session.add(record)
        audit.record(case.id, user.username, "ombudsman_enquiry_recorded", detail)
    else:
        audit.record(case.id, user.username, "ombudsman_enquiry_updated", detail)
    record.ombudsman_reference, record.category = their_ref, category
    record.enquiry_received_on, record.reply_due_on, record.reply_sent_on = received, reply_due, reply_sent
    record.updated_at = clock.now()
    db.session.flush()
    return ombudsman_view(record)


@transactional
def record_decision(reference: str, *, decision: str, decided_on, remedy: str = "", remedied_before: bool = False,
                    compliance_due_on=None, user: User) -> dict:
    """Record (or correct) the Ombudsman's decision on the case, with the remedy and the compliance date."""
    case = _case_for(reference, user)
    record = _record_for(case)
    if record is None:
        raise ValidationFailed({"omb_reference": "Record the Ombudsman's enquiry first"})
    today = london_date(clock.now())
    errors: dict[str, str] = {}
    if decision not in DECISIONS:
        errors["omb_decision"] = "Select the Ombudsman's decision"
    decided = _date(errors, "omb_decided_on", decided_on, "the date of the decision", required=True)
    remedy_text = _text(errors, "omb_remedy", remedy, "the remedy and recommendations", 5000, required=False)
    compliance_due = _date(errors, "omb_compliance_due_on", compliance_due_on, "the date to comply by",
                           required=False)
    if decided and not record.enquiry_received_on <= decided <= today:
        errors["omb_decided_on"] = ("The date of the decision must be between the date the enquiry was received "
                                    f"({record.enquiry_received_on.isoformat()}) and today")
    if decision in DECISIONS and decision != "upheld" and (compliance_due or remedied_before):
        errors["omb_decision"] = ("Only an upheld decision has a remedy to comply with or a remedy the council "
                                  "gave before")
    if decision != "upheld" and _recommendations(record.id):
        errors["omb_decision"] = "The decision has recommendations recorded, so it must stay upheld"
    if decided and compliance_due and compliance_due < decided:
        errors["omb_compliance_due_on"] = "The date to comply by must be on or after the date of the decision"
    if errors:
        raise ValidationFailed(errors)
    event = "ombudsman_decision_updated" if record.decision else "ombudsman_decision_recorded"
    record.decision, record.decided_on, record.remedy = decision, decided, remedy_text or None
    record.remedied_before = bool(remedied_before) and decision == "upheld"
    record.compliance_due_on = compliance_due
    record.updated_at = clock.now()
    audit.record(case.id, user.username, event,
                 f"{DECISIONS[decision]} on {decided.isoformat()}"
                 + (", remedied by the council before the Ombudsman's involvement" if record.remedied_before else "")
                 + (f"; comply by {compliance_due.isoformat()}" if compliance_due else "")
                 + (f"; remedy: {remedy_text}" if remedy_text else ""))
    db.session.flush()
    return ombudsman_view(record)


@transactional
def add_recommendation(reference: str, *, description: str, due_on, user: User) -> dict:
    """Record a recommendation of an upheld decision and put its compliance task in the complaints managers' list."""
    case = _case_for(reference, user)
    record = _record_for(case)
    errors: dict[str, str] = {}
    if record is None or record.decision != "upheld":
        errors["_ombudsman"] = "Recommendations can only be added to a decision the Ombudsman upheld"
    text = _text(errors, "rec_description", description, "what the Ombudsman recommended", 2000, required=True)
    due = _date(errors, "rec_due_on", due_on, "the date the Ombudsman expects compliance by", required=True)
    if record is not None and record.decided_on and due and due < record.decided_on:
        errors["rec_due_on"] = "The date to comply by must be on or after the date of the decision"
    if errors:
        raise ValidationFailed(errors)
    recommendation = OmbudsmanRecommendation(
        ombudsman_case_id=record.id, case_id=case.id, description=text, due_on=due, status="open", overdue=False,
        created_by=user.username, created_at=clock.now())
    db.session.add(recommendation)
    db.session.flush()
    audit.record(case.id, user.username, "ombudsman_recommendation_added",
                 f"Recommendation {recommendation.id}, comply by {due.isoformat()}: {text}")
    version_id = registry.latest_version_id(PROCESS_ID)
    if version_id is None:
        audit.record(case.id, "system", "procedure_missing",
                     f"No {PROCESS_ID} diagram is deployed; recommendation {recommendation.id} is not in anyone's "
                     "task list")
    else:
        data = {"recommendation_id": recommendation.id, "case_reference": case.reference, "description": text,
                "ombudsman_reference": record.ombudsman_reference, "recommendation_due": due.isoformat()}
        loaded = instances.start(case, version_id, data, user.username, main=False)
        recommendation.process_instance_id = loaded.instance.id
    return recommendation_view(recommendation)


def _recommendations(ombudsman_case_id: int) -> list[OmbudsmanRecommendation]:
    return list(db.session.scalars(select(OmbudsmanRecommendation)
                                   .where(OmbudsmanRecommendation.ombudsman_case_id == ombudsman_case_id)
                                   .order_by(OmbudsmanRecommendation.id)))


def _iso_or(day: date | None, otherwise: str) -> str:
    return day.isoformat() if day else otherwise


def recommendation_view(r: OmbudsmanRecommendation) -> dict:
    return {"id": r.id, "description": r.description, "due_on": r.due_on.isoformat(), "status": r.status,
            "overdue": r.overdue, "complied_on": r.complied_on.isoformat() if r.complied_on else None,
            "on_time": r.complied_on <= r.due_on if r.complied_on else None, "evidence": r.evidence}


def ombudsman_view(record: OmbudsmanCase) -> dict:
    return {
        "ombudsman_reference": record.ombudsman_reference, "category": record.category,
        "category_label": CATEGORIES.get(record.category, record.category),
        "enquiry_received_on": record.enquiry_received_on.isoformat(),
        "reply_due_on": _iso_or(record.reply_due_on, None), "reply_sent_on": _iso_or(record.reply_sent_on, None),
        "decision": record.decision, "decision_label": DECISIONS.get(record.decision) if record.decision else None,
        "decided_on": _iso_or(record.decided_on, None), "remedy": record.remedy,
        "remedied_before": record.remedied_before, "compliance_due_on": _iso_or(record.compliance_due_on, None),
        "recommendations": [recommendation_view(r) for r in _recommendations(record.id)],
    }


def case_section(case: Case, user: User) -> dict:
    """What the case page shows of the Ombudsman: the record if there is one, and whether the user may record."""
    record = _record_for(case)
    return {"record": ombudsman_view(record) if record else None,
            "can_record": can_record(user) and access.is_staff(user),
            "default_category": record.category if record else default_category(case.service_area),
            "categories": CATEGORIES, "decisions": DECISIONS}
