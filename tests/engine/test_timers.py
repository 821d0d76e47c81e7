"""Reminders and escalations fire from the diagram's timers, once each, and failures are retried."""
from datetime import date, datetime, timezone

from sqlalchemy import select

from engine import cases, inbox, instances, notifications, timers
from engine.models import AuditEvent, Notification, Timer, db
from tests.factories import make_user, open_complaint


def history(ref, user):
    return [h["event"] for h in cases.read_case(ref, user=user)["history"]]


def test_reminder_fires_two_working_days_before_the_acknowledgement_is_due(app):
    officer = make_user(username="cr1", teams=["customer_relations"])
    ref = open_complaint(officer, on=date(2025, 12, 19))["reference"]
    # Due 30 Dec; two working days before is 24 Dec (25 and 26 Dec are bank holidays).
    assert timers.fire_due_timers(datetime(2025, 12, 23, 23, 0, tzinfo=timezone.utc)).fired == 0
    assert timers.fire_due_timers(datetime(2025, 12, 24, 8, 0, tzinfo=timezone.utc)).fired == 1
    events = history(ref, officer)
    assert "reminder_due" in events and events.count("timer_fired") == 1
    [email] = db.session.scalars(select(Notification)).all()
    assert email.kind == "reminder" and email.recipients == ["cr1@council.example"]
    assert "Acknowledge complaint" in email.subject and "2025-12-30" in email.body


def test_escalation_puts_an_overdue_task_in_the_managers_inbox_and_marks_the_deadline(app):
    officer = make_user(username="cr2", teams=["customer_relations"])
    manager = make_user(username="boss", roles=["complaints_manager"], teams=["customer_relations"])
    ref = open_complaint(officer, on=date(2025, 12, 19))["reference"]
    result = timers.fire_due_timers(datetime(2025, 12, 31, 9, 0, tzinfo=timezone.utc))
    assert result.fired == 2  # the reminder, then the escalation, both due by now
    case = cases.read_case(ref, user=manager)
    [ack] = [d for d in case["deadlines"] if d["step"] == "acknowledgement"]
    assert ack["overdue"] is True
    names = [t["name"] for t in inbox.inbox_for(manager)["items"]]
    assert "Overdue: Acknowledge complaint" in names
    assert "Overdue: Acknowledge complaint" not in [t["name"] for t in inbox.inbox_for(officer)["items"]]
    assert timers.fire_due_timers(datetime(2026, 1, 31, 9, 0, tzinfo=timezone.utc)).fired == 0
    assert history(ref, manager).count("timer_fired") == 2


def test_without_smtp_nothing_is_sent_and_the_history_says_so(app):
    officer = make_user(username="cr3", teams=["customer_relations"])
    ref = open_complaint(officer, on=date(2025, 12, 19))["reference"]
    timers.fire_due_timers(datetime(2025, 12, 24, 8, 0, tzinfo=timezone.utc))
    sent = notifications.send_pending(notifications.SmtpSettings(host=None))
    assert sent == 0
    assert "reminder_not_sent" in history(ref, officer)
    assert db.session.scalars(select(Notification.status)).all() == ["not_sent"]


def test_a_failing_timer_is_retried_with_back_off_and_does_not_block_others(app, monkeypatch):
    officer = make_user(username="cr4", teams=["customer_relations"])
    broken_ref = open_complaint(officer, on=date(2025, 12, 19))["reference"]
    good_ref = open_complaint(officer, on=date(2025, 12, 19))["reference"]
    broken_id = cases.find_visible_case(broken_ref, officer).process_instance_id
    real_load = instances.load

    def load(case, **kwargs):
        if case.process_instance_id == broken_id:
            raise RuntimeError("corrupt state")
        return real_load(case, **kwargs)

    monkeypatch.setattr(instances, "load", load)
    now = datetime(2025, 12, 24, 8, 0, tzinfo=timezone.utc)
    result = timers.fire_due_timers(now)
    assert (result.fired, result.failed) == (1, 1)
    [failed] = timers.failed_timers()
    assert failed.attempts == 1 and "corrupt state" in failed.last_error
    assert failed.next_attempt_at > now
    assert "timer_failed" in history(broken_ref, officer)
    assert "timer_fired" in history(good_ref, officer)
    # Before the back-off ends nothing is retried; after it, a mended case fires.
    assert timers.fire_due_timers(now).failed == 0
    monkeypatch.undo()
    assert timers.fire_due_timers(failed.next_attempt_at).fired == 1
    fired = db.session.scalars(select(Timer).where(Timer.fired_at.is_not(None))).all()
    assert len(fired) == 2
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.event == "timer_failed")) is not None


def test_administrators_see_failed_timers_and_others_do_not(app, monkeypatch):
    from tests.web.officer_client import page_client_for, signed_in

    officer = make_user(username="cr5", teams=["customer_relations"])
    make_user(username="admin5", roles=["admin"], teams=[])
    ref = open_complaint(officer, on=date(2025, 12, 19))["reference"]
    monkeypatch.setattr(instances, "load", lambda case, **kwargs: (_ for _ in ()).throw(RuntimeError("disk full")))
    timers.fire_due_timers(datetime(2025, 12, 24, 8, 0, tzinfo=timezone.utc))
    monkeypatch.undo()
    page = signed_in(page_client_for(app), "admin5").get("/admin/timers").get_data(as_text=True)
    assert ref in page and "disk full" in page and "Timers that failed to fire" in page
    assert signed_in(page_client_for(app), "cr5").get("/admin/timers").status_code == 404
