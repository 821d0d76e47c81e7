"""The Ombudsman's enquiries and decisions, recorded by complaints managers; recommendations tracked to compliance."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest
from sqlalchemy import select

from engine import clock, human_tasks, inbox, ombudsman, timers
from engine.errors import Forbidden, NotFound, ValidationFailed
from engine.models import AuditEvent, HumanTask, Notification, OmbudsmanRecommendation, db
from tests.factories import at, make_user, open_complaint


@pytest.fixture
def people(app):
    return {"cr": make_user(username="cr.officer"),
            "manager": make_user(username="complaints.manager", roles=["complaints_manager"]),
            "highways": make_user(username="highways.officer", teams=["highways"])}


@pytest.fixture
def ref(people):
    reference = open_complaint(people["cr"], on=date(2025, 12, 19))["reference"]
    # Let the procedure's own reminders and escalations go first, so the ones below are the Ombudsman's.
    timers.fire_due_timers(datetime(2026, 6, 1, tzinfo=timezone.utc))
    return reference


def enquiry(ref, user, on=date(2026, 3, 2), **overrides):
    values = {"ombudsman_reference": "25 012 345", "category": "highways_transport",
              "enquiry_received_on": "2026-03-02", "reply_due_on": "2026-03-30", "reply_sent_on": ""} | overrides
    with clock.frozen_at(at(on)):
        return ombudsman.record_enquiry(ref, user=user, **values)


def decide(ref, user, on=date(2026, 6, 10), **overrides):
    values = {"decision": "upheld", "decided_on": "2026-06-10", "compliance_due_on": "2026-07-08",
              "remedy": "Apologise and pay £200 for the distress; review the inspection regime."} | overrides
    with clock.frozen_at(at(on)):
        return ombudsman.record_decision(ref, user=user, **values)


def recommend(ref, user, on=date(2026, 6, 11), **overrides):
    values = {"description": "Apologise in writing and pay £200", "due_on": "2026-07-08"} | overrides
    with clock.frozen_at(at(on)):
        return ombudsman.add_recommendation(ref, user=user, **values)


def history(event):
    return [e.detail for e in db.session.scalars(select(AuditEvent).where(AuditEvent.event == event))]


def test_a_complaints_manager_records_the_enquiry_and_the_decision_and_both_are_audited(ref, people):
    recorded = enquiry(ref, people["manager"])
    assert (recorded["ombudsman_reference"], recorded["category_label"], recorded["reply_due_on"]) == (
        "25 012 345", "Highways & transport", "2026-03-30")
    enquiry(ref, people["manager"], on=date(2026, 3, 27), reply_sent_on="2026-03-27")
    decided = decide(ref, people["manager"])
    assert (decided["decision_label"], decided["compliance_due_on"], decided["reply_sent_on"]) == (
        "Upheld", "2026-07-08", "2026-03-27")
    assert len(history("ombudsman_enquiry_recorded")) == 1
    assert "reply sent 2026-03-27" in history("ombudsman_enquiry_updated")[0]
    assert history("ombudsman_decision_recorded") == [
        "Upheld on 2026-06-10; comply by 2026-07-08; remedy: Apologise and pay £200 for the distress; "
        "review the inspection regime."]


def test_the_category_is_suggested_from_the_service_area(ref, people):
    from engine.models import Case

    case = db.session.scalar(select(Case).where(Case.reference == ref))
    assert ombudsman.case_section(case, people["manager"])["default_category"] == "highways_transport"
    assert ombudsman.default_category("childrens_social_care") == "education_children"
    assert ombudsman.default_category("something_new") == "corporate_other"


def test_only_complaints_managers_record(ref, people):
    with pytest.raises(Forbidden):
        enquiry(ref, people["cr"])  # sees every case, but is not a complaints manager
    with pytest.raises(NotFound):
        enquiry(ref, make_user(username="waste.officer", teams=["waste"]))
    enquiry(ref, people["manager"])
    for user in (people["cr"], people["highways"]):
        with pytest.raises((Forbidden, NotFound)):
            decide(ref, user)
        with pytest.raises((Forbidden, NotFound)):
            recommend(ref, user)


def test_the_forms_say_what_is_wrong(ref, people):
    with pytest.raises(ValidationFailed) as refused:
        enquiry(ref, people["manager"], ombudsman_reference=" ", category="parks", enquiry_received_on="2026-03-40",
                reply_due_on="2026-01-01")
    assert set(refused.value.errors) == {"omb_reference", "omb_category", "omb_enquiry_received_on"}
    with pytest.raises(ValidationFailed) as refused:
        decide(ref, people["manager"])
    assert refused.value.errors == {"omb_reference": "Record the Ombudsman's enquiry first"}
    enquiry(ref, people["manager"])
    with pytest.raises(ValidationFailed) as refused:
        decide(ref, people["manager"], decision="not_upheld", decided_on="2026-02-01")
    assert set(refused.value.errors) == {"omb_decision", "omb_decided_on"}
    decide(ref, people["manager"], decision="not_upheld", compliance_due_on="")
    with pytest.raises(ValidationFailed) as refused:
        recommend(ref, people["manager"])
    assert "_ombudsman" in refused.value.errors
    other = open_complaint(people["cr"], on=date(2026, 1, 5))["reference"]
    with pytest.raises(ValidationFailed) as refused:
        enquiry(other, people["manager"])
    assert refused.value.errors["omb_reference"].endswith(f"already recorded on case {ref}")


def test_a_recommendation_goes_to_the_complaints_managers_is_reminded_then_marked_overdue(ref, people):
    enquiry(ref, people["manager"])
    decide(ref, people["manager"])
    rec_id = recommend(ref, people["manager"])["id"]
    [task] = [t for t in inbox.inbox_for(people["manager"])["items"]
              if t["name"] == "Comply with the Ombudsman's recommendation"]
    assert task["due_on"] == "2026-07-08"
    assert "Comply with the Ombudsman's recommendation" not in [
        t["name"] for t in inbox.inbox_for(people["highways"])["items"]]

    def kinds():
        return [n.kind for n in db.session.scalars(select(Notification).order_by(Notification.id))
                if n.kind.startswith("ombudsman")]

    # Due Wed 8 July: the reminder at the start of Wed 1 July (5 working days before), London time (BST).
    timers.fire_due_timers(datetime(2026, 6, 30, 22, 30, tzinfo=timezone.utc))
    assert kinds() == []
    timers.fire_due_timers(datetime(2026, 6, 30, 23, 30, tzinfo=timezone.utc))
    assert kinds() == ["ombudsman_reminder"]
    [email] = db.session.scalars(select(Notification).where(Notification.kind == "ombudsman_reminder")).all()
    assert email.recipients == ["complaints.manager@council.example"]
    assert "25 012 345" in email.body and "8 July" not in email.subject
    timers.fire_due_timers(datetime(2026, 7, 8, 22, 30, tzinfo=timezone.utc))  # 11.30pm on the 8th: not passed
    db.session.expire_all()
    assert db.session.get(OmbudsmanRecommendation, rec_id).overdue is False
    timers.fire_due_timers(datetime(2026, 7, 8, 23, 30, tzinfo=timezone.utc))
    db.session.expire_all()
    assert db.session.get(OmbudsmanRecommendation, rec_id).overdue is True
    assert kinds() == ["ombudsman_reminder", "ombudsman_overdue"]
    assert history("ombudsman_recommendation_overdue") == [
        f"Recommendation {rec_id} was due on 2026-07-08: Apologise in writing and pay £200"]


def test_completing_the_task_records_compliance_and_the_evidence(ref, people):
    enquiry(ref, people["manager"])
    decide(ref, people["manager"])
    rec_id = recommend(ref, people["manager"])["id"]
    task = db.session.scalars(select(HumanTask).where(HumanTask.name == "Comply with the Ombudsman's recommendation")
                              ).one()
    with clock.frozen_at(at(date(2026, 7, 3))):
        human_tasks.complete_task(task.id, {"evidence": "Letter of 2 July and BACS remittance sent to the "
                                            "Ombudsman", "complied_on": "2026-07-02"}, user=people["manager"])
    db.session.expire_all()
    rec = db.session.get(OmbudsmanRecommendation, rec_id)
    assert (rec.status, rec.complied_on, rec.evidence) == (
        "complied", date(2026, 7, 2), "Letter of 2 July and BACS remittance sent to the Ombudsman")
    timers.fire_due_timers(datetime(2026, 8, 1, tzinfo=timezone.utc))
    assert [n.kind for n in db.session.scalars(select(Notification)) if n.kind.startswith("ombudsman")] == []
    assert history("ombudsman_recommendation_complied") == [
        f"Recommendation {rec_id} complied with on 2026-07-02: Apologise in writing and pay £200"]
    view = ombudsman.ombudsman_view(rec.ombudsman_case)
    assert view["recommendations"][0]["on_time"] is True


def test_a_decision_with_recommendations_stays_upheld(ref, people):
    enquiry(ref, people["manager"])
    decide(ref, people["manager"])
    recommend(ref, people["manager"])
    with pytest.raises(ValidationFailed) as refused:
        decide(ref, people["manager"], decision="not_upheld", compliance_due_on="")
    assert "recommendations recorded" in refused.value.errors["omb_decision"]
