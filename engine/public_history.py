"""What a complainant sees of their own case: a safe subset, in plain words.

Only these facts are shown: when it was received, acknowledged and answered, the stages asked for,
and when it closed. Never who did what (staff and appointed people stay unnamed), never notes,
task names, internal reasons or anything of another case.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from . import clock
from .calendar import london_date
from .cases import NEXT_STAGE, next_stage_open
from .models import AuditEvent, Case, db
from .service_areas import label

STAGES = {"intake": "Received", "stage1": "Stage 1", "stage2": "Stage 2", "stage3": "Stage 3",
          "response": "Response", "closed": "Closed"}
DONE = {  # deadline step completed → what happened
    "acknowledgement": "We acknowledged your {kind}",
    "stage1_response": "We sent you our Stage 1 response",
    "stage2_acknowledgement": "We acknowledged your request for Stage 2",
    "stage2_response": "We sent you our Stage 2 response",
    "stage3_panel": "The Review Panel met",
    "stage3_panel_report": "The Review Panel sent its report",
    "stage3_council_response": "We sent you our response to the Review Panel's report",
    "complaint_plan": "We agreed with you how your complaint will be handled",
    "response": "We sent you our response",
}
DUE = {  # open deadline step → what will happen by its date
    "acknowledgement": "We will acknowledge your {kind}",
    "stage1_response": "We will send you our Stage 1 response",
    "stage2_acknowledgement": "We will acknowledge your request for Stage 2",
    "stage2_response": "We will send you our Stage 2 response",
    "stage3_panel": "The Review Panel will meet",
    "stage3_panel_report": "The Review Panel will send its report",
    "stage3_council_response": "We will send you our response to the Review Panel's report",
    "complaint_plan": "We will agree with you how your complaint will be handled",
    "response": "We will send you our response",
}
EVENTS = ("case_opened", "advocate_requested", "next_stage_requested", "withdrawn", "case_closed")
# Order of things that happen on the same day.
_RANK = {"case_opened": 0, "advocate_requested": 1, "deadline": 2, "next_stage_requested": 3, "withdrawn": 4,
         "case_closed": 5}


def _event_text(case: Case, event: str, detail: str) -> str:
    if event == "case_opened":
        return f"We received your {case.kind}"
    if event == "advocate_requested":
        return "You asked for an advocate to help you"
    if event == "next_stage_requested":
        return f"You asked for {STAGES.get(detail.split(':', 1)[0], 'the next stage')}"
    if event == "withdrawn":
        return f"Your {case.kind} was withdrawn"
    return f"Your {case.kind} was closed"


def public_history(case: Case) -> list[dict]:
    """The complainant's timeline: [{"on": date, "text": str}], oldest first."""
    entries = []
    rows = db.session.execute(select(AuditEvent.at, AuditEvent.event, AuditEvent.detail)
                              .where(AuditEvent.case_id == case.id, AuditEvent.event.in_(EVENTS))
                              .order_by(AuditEvent.at, AuditEvent.id))
    for index, (at, event, detail) in enumerate(rows):
        entries.append((london_date(at), _RANK[event], index, _event_text(case, event, detail)))
    for deadline in case.deadlines:
        if deadline.completed_on and deadline.step in DONE:
            entries.append((deadline.completed_on, _RANK["deadline"], deadline.id,
                            DONE[deadline.step].format(kind=case.kind)))
    return [{"on": on, "text": text} for on, _rank, _index, text in sorted(entries)]


def next_deadline(case: Case) -> dict | None:
    open_steps = sorted((d for d in case.deadlines if d.completed_on is None and d.step in DUE),
                        key=lambda d: d.due_on)
    if case.status != "open" or not open_steps:
        return None
    first = open_steps[0]
    return {"text": DUE[first.step].format(kind=case.kind), "due_on": first.due_on}


def public_view(case: Case) -> dict:
    """The status page of one case, as its complainant may see it."""
    today: date = london_date(clock.now())
    can_ask = next_stage_open(case, today)
    return {
        "reference": case.reference,
        "kind": case.kind,
        "service_area": label(case.service_area),
        "received_on": case.received_on,
        "status": case.status,
        "stage": STAGES.get(case.stage, case.stage),
        "next_deadline": next_deadline(case),
        "history": public_history(case),
        "next_stage": {"name": STAGES[NEXT_STAGE[case.stage]], "until": case.next_stage_request_by}
        if can_ask else None,
    }
