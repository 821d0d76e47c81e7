"""Unreasonable and unreasonably persistent contact: a restriction is proposed, decided by a senior manager,
written to the person, reviewed, and lapses unless renewed; it routes their new contact to a named officer
and never applies beyond its scope."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest
from sqlalchemy import select, update

from engine import cases, clock, human_tasks, inbox, restrictions, timers
from engine.errors import Conflict, Forbidden, NotFound, ValidationFailed
from engine.models import HumanTask, Restriction, db
from tests.factories import at, make_user, open_complaint

pytestmark = pytest.mark.usefixtures("app")
PROPOSED_ON, DECIDED_ON = date(2026, 1, 5), date(2026, 1, 6)
REVIEW_ON = "2026-07-06"  # 6 calendar months after the decision
REMINDER_AT = datetime(2026, 6, 22, 7, 0, tzinfo=timezone.utc)  # on 22 June, 10 working days before the review
LAPSE_AT = datetime(2026, 7, 6, 7, 0, tzinfo=timezone.utc)  # on the review date


@pytest.fixture
def people():
    return {
        "cr": make_user(username="cr.officer"),
        "spoc": make_user(username="named.officer"),
        "highways": make_user(username="highways.officer", teams=["highways"]),
        "senior": make_user(username="head.of.highways", roles=["senior_manager"], teams=["highways"]),
        "manager": make_user(username="complaints.manager", roles=["complaints_manager"]),
    }


def proposal(*refs, **overrides) -> dict:
    return {"behaviour": "Calls the highways team up to 20 times a day and shouts at staff",
            "evidence": "Call log for November and December; two written complaints from staff",
            "adjustments": "Asked about support needs; offered a weekly call with one officer, declined",
            "case_references": list(refs), **overrides}


def decision(**overrides) -> dict:
    return {"decision": "restrict", "adjustments_considered": True,
            "measures": ["single_point_of_contact", "call_limits"], "single_point_of_contact": "named.officer",
            "scope": "service_area", "call_limit": "One call a week, up to 15 minutes",
            "decision_reasons": "The calls stop the team working; adjustments were offered and declined",
            **overrides}


def task_named(reference: str, name: str) -> HumanTask:
    db.session.expire_all()
    return db.session.scalars(select(HumanTask).where(HumanTask.case_reference == reference,
                                                      HumanTask.name == name)).one()


def complete(reference: str, name: str, data: dict, user, on: date):
    with clock.frozen_at(at(on)):
        return human_tasks.complete_task(task_named(reference, name).id, data, user=user)


def the_restriction() -> Restriction:
    db.session.expire_all()
    return db.session.scalars(select(Restriction)).one()


def events(reference: str, user) -> list[str]:
    return [h["event"] for h in cases.read_case(reference, user=user)["history"]]


def restricted(people, **decided) -> str:
    """A highways case whose person is restricted (decided on DECIDED_ON, letter sent); return its reference."""
    ref = open_complaint(people["cr"], on=date(2025, 12, 1))["reference"]
    with clock.frozen_at(at(PROPOSED_ON)):
        restrictions.propose_restriction(ref, proposal(ref), actor=people["highways"])
    complete(ref, "Decide on the restriction", decision(**decided), people["senior"], DECIDED_ON)
    complete(ref, "Send the decision letter",
             {"letter_sent_on": "2026-01-07", "letter_method": "post", "letter_contents_confirmed": True},
             people["cr"], date(2026, 1, 7))
    return ref


def test_the_whole_lifecycle_ends_with_the_timer_lapsing_a_restriction_nobody_renewed(people):
    ref = open_complaint(people["cr"], on=date(2025, 12, 1))["reference"]
    with clock.frozen_at(at(date(2025, 12, 3))):
        restrictions.record_abuse(ref, {"occurred_on": "2025-12-02", "kind": "verbal",
                                        "description": "Swore at the call handler"}, user=people["highways"])
    with clock.frozen_at(at(PROPOSED_ON)):
        proposed = restrictions.propose_restriction(ref, proposal(ref), actor=people["highways"])
    assert proposed["status"] == "proposed"
    assert [a["description"] for a in proposed["abuse_reports"]] == ["Swore at the call handler"]
    decide = task_named(ref, "Decide on the restriction")
    assert (decide.role, decide.team) == ("senior_manager", "highways")

    complete(ref, "Decide on the restriction", decision(), people["senior"], DECIDED_ON)
    restriction = the_restriction()
    assert (restriction.status, restriction.review_on.isoformat()) == ("active", REVIEW_ON)
    assert restriction.single_point_of_contact.username == "named.officer"
    letter = task_named(ref, "Send the decision letter")
    assert (letter.role, letter.team) == ("officer", "customer_relations")
    text = restrictions.decision_letter(restriction)
    assert REVIEW_ON in text and "Ombudsman" in text and "highways service" in text

    complete(ref, "Send the decision letter",
             {"letter_sent_on": "2026-01-07", "letter_method": "post", "letter_contents_confirmed": True},
             people["cr"], date(2026, 1, 7))
    assert the_restriction().letter_sent_on == date(2026, 1, 7)

    # The review task reaches the senior manager's inbox 10 working days before the review date.
    timers.fire_due_timers(datetime(2026, 6, 21, 22, 0, tzinfo=timezone.utc))
    assert "Review the restriction" not in [t["name"] for t in inbox.inbox_for(people["senior"])["items"]]
    timers.fire_due_timers(REMINDER_AT)
    assert "Review the restriction" in [t["name"] for t in inbox.inbox_for(people["senior"])["items"]]
    timers.fire_due_timers(datetime(2026, 7, 5, 22, 0, tzinfo=timezone.utc))
    assert the_restriction().status == "active"

    # Nobody renews it: on the review date it lapses, and the review task goes.
    assert timers.fire_due_timers(LAPSE_AT).fired == 1
    lapsed = the_restriction()
    assert (lapsed.status, lapsed.ended_on) == ("lapsed", date(2026, 7, 6))
    assert "Review the restriction" not in [t["name"] for t in inbox.inbox_for(people["senior"])["items"]]
    history = events(ref, people["manager"])
    for step in ("abuse_recorded", "restriction_proposed", "restriction_decided", "restriction_letter_sent",
                 "restriction_lapsed"):
        assert step in history
    assert history.index("restriction_proposed") < history.index("restriction_decided") < \
        history.index("restriction_letter_sent") < history.index("restriction_lapsed")
    assert restrictions.active_report(user=people["manager"]) == []


def test_a_renewal_with_reasons_sets_a_new_review_date_and_the_old_date_does_not_lapse_it(people):
    ref = restricted(people)
    timers.fire_due_timers(REMINDER_AT)
    with pytest.raises(ValidationFailed) as refused:
        complete(ref, "Review the restriction", {"review_decision": "renew", "review_reasons": "  "},
                 people["senior"], date(2026, 6, 25))
    assert "review_reasons" in refused.value.errors
    complete(ref, "Review the restriction",
             {"review_decision": "renew", "review_reasons": "Calls continued at 10 a day in May"},
             people["senior"], date(2026, 6, 25))
    renewed = the_restriction()
    assert (renewed.status, renewed.review_on, renewed.renewals) == ("active", date(2026, 12, 25), 1)
    timers.fire_due_timers(LAPSE_AT)
    assert the_restriction().status == "active"
    assert "restriction_renewed" in events(ref, people["manager"])
    [row] = restrictions.active_report(user=people["manager"])
    assert (row["contact_name"], row["review_on"]) == ("Sam Resident", date(2026, 12, 25))


def test_a_restriction_can_be_ended_at_review(people):
    ref = restricted(people)
    timers.fire_due_timers(REMINDER_AT)
    complete(ref, "Review the restriction", {"review_decision": "end", "review_reasons": "No calls since March"},
             people["senior"], date(2026, 6, 25))
    assert the_restriction().status == "ended"
    assert "restriction_ended" in events(ref, people["manager"])


def test_only_a_senior_manager_of_the_service_can_decide(people):
    ref = open_complaint(people["cr"], on=date(2025, 12, 1))["reference"]
    with clock.frozen_at(at(PROPOSED_ON)):
        restrictions.propose_restriction(ref, proposal(ref), actor=people["highways"])
    for someone in ("highways", "manager", "cr"):
        with pytest.raises(NotFound):
            complete(ref, "Decide on the restriction", decision(), people[someone], DECIDED_ON)
    # Even if the task were given to an officer, the engine refuses the decision.
    db.session.execute(update(HumanTask).where(HumanTask.name == "Decide on the restriction")
                       .values(assignee_id=people["highways"].id))
    db.session.commit()
    with pytest.raises(Forbidden):
        complete(ref, "Decide on the restriction", decision(), people["highways"], DECIDED_ON)
    assert the_restriction().status == "proposed"


def test_the_decision_names_a_real_officer_and_limits_it_imposes(people):
    ref = open_complaint(people["cr"], on=date(2025, 12, 1))["reference"]
    with clock.frozen_at(at(PROPOSED_ON)):
        restrictions.propose_restriction(ref, proposal(ref), actor=people["highways"])
    with pytest.raises(ValidationFailed) as refused:
        complete(ref, "Decide on the restriction", decision(single_point_of_contact="nobody"), people["senior"],
                 DECIDED_ON)
    assert "single_point_of_contact" in refused.value.errors
    # The named officer must be able to open every case the restriction covers.
    complete_as_highways = decision(single_point_of_contact="highways.officer", scope="council")
    with pytest.raises(ValidationFailed) as refused:
        complete(ref, "Decide on the restriction", complete_as_highways, people["senior"], DECIDED_ON)
    assert "cannot see every service" in refused.value.errors["single_point_of_contact"]
    with pytest.raises(ValidationFailed) as refused:
        complete(ref, "Decide on the restriction", decision(call_limit=""), people["senior"], DECIDED_ON)
    assert "call_limit" in refused.value.errors
    complete(ref, "Decide on the restriction", {"decision": "no_restriction", "adjustments_considered": True,
                                                "decision_reasons": "Persistence alone is not unreasonable"},
             people["senior"], DECIDED_ON)
    assert the_restriction().status == "refused"
    assert "restriction_refused" in events(ref, people["manager"])


def test_a_restricted_persons_new_complaint_is_logged_and_routed_to_the_named_officer(people):
    restricted(people)
    new = open_complaint(people["cr"], on=date(2026, 2, 2), summary="Another pothole",
                         complainant={"name": "S. Resident", "phone": "+44 1632 960000"})
    assert new["status"] == "open" and new["procedure"] == "corporate"
    assert [(t["name"], t["assignee"]) for t in new["open_tasks"]] == [("Acknowledge complaint", "named.officer")]
    history = {h["event"]: h["detail"] for h in new["history"]}
    assert "read for new issues and safeguarding" in history["logged_under_restriction"]
    assert "single point of contact" in history["task_assigned"]
    assert "Acknowledge complaint" in [t["name"] for t in inbox.inbox_for(people["spoc"])["items"]]


def test_a_restriction_never_applies_beyond_its_scope(people):
    restricted(people)  # highways only
    waste = open_complaint(people["cr"], on=date(2026, 2, 2), service_area="waste", summary="Bin not emptied")
    assert [t["assignee"] for t in waste["open_tasks"]] == [None]
    assert "logged_under_restriction" not in [h["event"] for h in waste["history"]]
    case = cases.find_visible_case(waste["reference"], people["cr"])
    assert restrictions.in_force_for(case) is None


def test_a_council_wide_restriction_covers_every_service(people):
    restricted(people, scope="council")
    waste = open_complaint(people["cr"], on=date(2026, 2, 2), service_area="waste", summary="Bin not emptied")
    assert [t["assignee"] for t in waste["open_tasks"]] == ["named.officer"]


def test_a_proposal_names_only_the_persons_own_cases_and_one_open_restriction_per_service(people):
    ref = open_complaint(people["cr"], on=date(2025, 12, 1))["reference"]
    stranger = open_complaint(people["cr"], on=date(2025, 12, 1),
                              complainant={"name": "Alex Other", "email": "alex@example.org"})["reference"]
    with clock.frozen_at(at(PROPOSED_ON)):
        with pytest.raises(ValidationFailed):
            restrictions.propose_restriction(ref, proposal(ref, stranger), actor=people["highways"])
        restrictions.propose_restriction(ref, proposal(ref), actor=people["highways"])
        with pytest.raises(Conflict):
            restrictions.propose_restriction(ref, proposal(ref), actor=people["highways"])
