"""Plain factory functions for test data: each builds what it is not given."""
from __future__ import annotations

import itertools
from datetime import date, datetime, time, timezone

from engine import cases, clock, users
from engine.models import HumanTask, db

_serial = itertools.count(1)


def make_user(*, roles=("officer",), teams=("customer_relations",), username=None, password="secret-pass-1"):
    username = username or f"user{next(_serial)}"
    return users.create_user(username, roles=list(roles), teams=list(teams), password=password,
                             email=f"{username}@council.example")


def intake(**overrides) -> dict:
    body = {
        "kind": "complaint",
        "channel": "phone",
        "received_on": "2025-12-19",
        "service_area": "highways",
        "summary": "Pothole reported three times, not repaired",
        "details": "Outside 12 Mill Lane; reported in October and November.",
        "social_care": "none",
        "complainant": {"name": "Sam Resident", "email": "sam@example.org", "phone": "01632 960000"},
    }
    body.update(overrides)
    return body


def at(day: date, hour: int = 10) -> datetime:
    """An aware instant on a London working day (UTC in winter is close enough for a test clock)."""
    return datetime.combine(day, time(hour), tzinfo=timezone.utc)


def open_complaint(actor, on: date = date(2025, 12, 19), **overrides) -> dict:
    with clock.frozen_at(at(on)):
        return cases.open_case(intake(received_on=on.isoformat(), **overrides), actor=actor)


def open_task(reference: str, name: str) -> HumanTask:
    from sqlalchemy import select

    return db.session.scalars(
        select(HumanTask).where(HumanTask.case_reference == reference, HumanTask.name == name)
    ).one()


def acknowledge(on: str) -> dict:
    return {"acknowledged_on": on, "acknowledgement_method": "email",
            "points_raised": "1. The pothole was not repaired. 2. Nobody replied to two reports."}


def stage1_response(on: str, outcome: str = "partly_upheld") -> dict:
    return {"decision": "respond", "outcome": outcome, "response": "We have repaired the road and apologise.",
            "points_addressed": True, "remedy": ["apology", "service_action"],
            "actions_promised": "Inspect Mill Lane monthly until March.", "responded_on": on}


def stage1_extension(days: int, reason: str = "Waiting for the contractor's inspection report") -> dict:
    return {"decision": "extend", "extension_working_days": days, "extension_reason": reason,
            "complainant_told": True}


def acknowledge_stage2(on: str) -> dict:
    return {"stage2_acknowledged_on": on, "stage2_points": "The repair was poor and the apology late."}


def stage2_review(on: str, outcome: str = "upheld") -> dict:
    return {"stage2_decision": "respond", "stage2_outcome": outcome, "stage2_response": "We agree; resurfaced.",
            "stage2_points_addressed": True, "stage2_remedy": ["apology"], "stage2_responded_on": on,
            "ombudsman_signposted": True}


def stage2_extension(days: int, reason: str = "Independent engineer's survey needed") -> dict:
    return {"stage2_decision": "extend", "stage2_extension_working_days": days,
            "stage2_extension_reason": reason, "stage2_complainant_told": True}


def case_on_version(version_id: int, *, stage: str = "stage1", procedure: str = "corporate", data=None):
    """A case running the given deployed version (any diagram), saved and committed."""
    from engine import instances
    from engine.models import Case

    number = next(_serial)
    case = Case(reference=f"TST-{number:06d}", kind="complaint", procedure=procedure, stage=stage, status="open",
                service_area="highways", channel="phone", summary=f"Test case {number}",
                complainant_name="Sam Resident", received_on=date(2025, 12, 19))
    db.session.add(case)
    db.session.flush()
    instances.start(case, version_id, dict(data or {}), "tester")
    db.session.commit()
    return case
