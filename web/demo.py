"""Demo users and cases for the README's run command."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from engine import cases, clock, human_tasks, restrictions, users
from engine.calendar import london_date
from engine.models import Case, HumanTask, User, db

DEMO_USERS = [
    ("cr.officer", ["officer"], ["customer_relations"]),
    ("cr.reviewer", ["officer"], ["customer_relations"]),
    ("highways.officer", ["officer"], ["highways"]),
    ("waste.officer", ["officer"], ["waste"]),
    ("complaints.manager", ["complaints_manager"], ["customer_relations"]),
    ("cs.officer", ["officer"], ["childrens_social_care"]),
    ("head.of.service", ["senior_manager"], ["childrens_social_care"]),
    ("asc.officer", ["officer"], ["adult_social_care"]),
    ("head.of.adults", ["senior_manager"], ["adult_social_care"]),
    ("head.of.highways", ["senior_manager"], ["highways"]),
    ("external.io", ["investigating_officer"], []),
    ("independent.person", ["independent_person"], []),
    ("panel.chair", ["panel_member"], []),
    ("process.owner", ["process_owner"], []),
    ("process.reviewer", ["process_owner"], []),  # a second process owner approves drafts (four eyes)
    ("admin", ["admin"], []),
]
DEMO_PASSWORD = "demo-password-1"


def seed_demo() -> list[tuple[str, str, str, str]]:
    """Create the demo users and a few cases if they are missing; return (user, password, token, roles)."""
    for username, roles, teams in DEMO_USERS:
        if db.session.scalar(select(User).where(User.username == username)) is None:
            users.create_user(username, roles=roles, teams=teams, password=DEMO_PASSWORD,
                              email=f"{username}@council.example")
    if db.session.scalar(select(Case.id).limit(1)) is None:
        _seed_cases()
    return [
        (username, DEMO_PASSWORD, users.issue_token(username), ", ".join(roles))
        for username, roles, _ in DEMO_USERS
    ]


def _seed_cases() -> None:
    actor = users.get_user("cr.officer")
    today = london_date(clock.now())
    samples = [
        ("highways", "Pothole on Mill Lane reported three times, not repaired", 2),
        ("waste", "Green bin missed four weeks running", 9),
        ("highways", "Street light out outside the primary school", 0),
    ]
    for service_area, summary, days_ago in samples:
        cases.open_case({
            "kind": "complaint", "channel": "phone", "service_area": service_area, "summary": summary,
            "received_on": (today - timedelta(days=days_ago)).isoformat(),
            "complainant": {"name": "Sam Resident", "email": "sam@example.org"},
        }, actor=actor)
    cases.open_case({
        "kind": "complaint", "channel": "letter", "service_area": "childrens_social_care", "social_care": "children",
        "summary": "Contact arrangements with my son were changed without telling me",
        "received_on": (today - timedelta(days=1)).isoformat(),
        "complainant": {"name": "Jo Parent", "email": "jo@example.org"},
    }, actor=users.get_user("complaints.manager"))
    cases.open_case({
        "kind": "complaint", "channel": "email", "service_area": "adult_social_care", "social_care": "adults",
        "summary": "My mother's home care visits were cut without a review of her needs",
        "received_on": (today - timedelta(days=2)).isoformat(),
        "complainant": {"name": "Alex Carer", "email": "alex@example.org"},
        "on_behalf_of": {"name": "Mary Carer", "relationship": "mother", "consent": True},
    }, actor=users.get_user("complaints.manager"))
    cases.open_case({
        "kind": "compliment", "channel": "email", "service_area": "waste",
        "summary": "Thanks to the crew who returned my bin to the gate",
        "complainant": {"name": "Pat Neighbour"},
    }, actor=actor)
    # Sent through the website: the triage table suggests the corporate procedure and a person checks it.
    cases.open_case({
        "kind": "complaint", "channel": "web", "service_area": "waste", "contractor": "Greenway Waste Services",
        "summary": "The contractor's crew left rubbish all over the pavement",
        "complainant": {"name": "Chris Walker", "email": "chris@example.org"},
    }, actor=actor, source="public")
    # An insurance claim is not dealt with under the complaints policy: a person confirms it and writes.
    cases.open_case({
        "kind": "complaint", "channel": "email", "service_area": "highways", "exclusion": "insurance_claim",
        "summary": "My tyre burst in a pothole; I want the council to pay for it",
        "complainant": {"name": "Lee Driver", "email": "lee@example.org"},
    }, actor=actor)
    _seed_restriction(today)


def _seed_restriction(today) -> None:
    """A person whose contact with highways is restricted: new contact from them goes to highways.officer."""
    case = cases.open_case({
        "kind": "complaint", "channel": "phone", "service_area": "highways",
        "summary": "Road sweeping schedule is wrong (twentieth call this month)",
        "received_on": (today - timedelta(days=3)).isoformat(),
        "complainant": {"name": "Pat Persistent", "email": "pat@example.org", "phone": "01632 960123"},
    }, actor=users.get_user("cr.officer"))
    reference, officer = case["reference"], users.get_user("highways.officer")
    restrictions.record_abuse(reference, {"occurred_on": (today - timedelta(days=2)).isoformat(), "kind": "verbal",
                                          "description": "Shouted at and insulted the call handler"}, user=officer)
    restrictions.propose_restriction(reference, {
        "behaviour": "Calls the highways team several times a day about matters already answered; abusive to staff",
        "evidence": "Call log for the last month: 20 calls; one incident of verbal abuse recorded on the case",
        "adjustments": "Asked about support needs; offered a fortnightly call with one officer, which was declined",
        "case_references": [reference]}, actor=officer)
    _complete(reference, "Decide on the restriction", {
        "decision": "restrict", "adjustments_considered": True,
        "measures": ["single_point_of_contact", "written_only"], "single_point_of_contact": "highways.officer",
        "scope": "service_area", "decision_reasons": "The calls take an officer's day; adjustments were declined",
    }, "head.of.highways")
    _complete(reference, "Send the decision letter", {
        "letter_sent_on": today.isoformat(), "letter_method": "email", "letter_contents_confirmed": True,
    }, "cr.officer")


def _complete(reference: str, name: str, data: dict, username: str) -> None:
    task_id = db.session.scalar(select(HumanTask.id).where(HumanTask.case_reference == reference,
                                                           HumanTask.name == name))
    human_tasks.complete_task(task_id, data, user=users.get_user(username))
