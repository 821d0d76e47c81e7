"""Timers fire through real Celery workers and beat on Redis and PostgreSQL: each exactly once."""
from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from engine import inbox
from engine.models import AuditEvent, Notification, Timer, db
from tests.factories import make_user, open_complaint
from tests.tasks.conftest import wait_until


def count(statement) -> int:
    db.session.rollback()  # see the other processes' commits
    return db.session.scalar(statement)


def fired_timers() -> int:
    return count(select(func.count()).select_from(Timer).where(Timer.fired_at.is_not(None)))


def timer_fired_events() -> int:
    return count(select(func.count()).select_from(AuditEvent).where(AuditEvent.event == "timer_fired"))


def open_overdue_complaints(officer, n: int) -> None:
    # Received long before today: the acknowledgement's reminder and escalation are both past due.
    for _ in range(n):
        open_complaint(officer, on=date(2025, 12, 19))


def test_a_past_due_timer_fires_once_and_the_manager_sees_the_escalation(celery_processes, smtp_server):
    officer = make_user(username="cr.officer", teams=["customer_relations"])
    manager = make_user(username="manager", roles=["complaints_manager"], teams=["customer_relations"])
    open_overdue_complaints(officer, 1)
    celery = celery_processes({"SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(smtp_server.port)})
    celery.worker("w1")
    celery.beat()

    wait_until(lambda: fired_timers() == 2 and len(smtp_server.messages) == 2, 60,
               "the reminder and the escalation to fire and be emailed", celery.logs)
    db.session.rollback()
    assert "Overdue: Acknowledge complaint" in [t["name"] for t in inbox.inbox_for(manager)["items"]]
    by_recipient = {tuple(m.rcpt_tos): m.content.decode() for m in smtp_server.messages}
    assert "Subject: Reminder: Acknowledge complaint" in by_recipient[("cr.officer@council.example",)]
    assert "Subject: Overdue: Acknowledge complaint" in by_recipient[("manager@council.example",)]

    # Several more beat sweeps: nothing fires or is sent twice.
    import time

    time.sleep(4)
    assert timer_fired_events() == 2 and fired_timers() == 2
    assert len(smtp_server.messages) == 2
    statuses = db.session.scalars(select(Notification.status)).all()
    assert sorted(statuses) == ["sent", "sent"]


def test_four_workers_sweeping_2000_due_timers_fire_each_exactly_once(celery_processes):
    officer = make_user(username="cr.officer", teams=["customer_relations"])
    open_overdue_complaints(officer, 1000)
    assert count(select(func.count()).select_from(Timer)) == 2000
    celery = celery_processes()
    for n in range(4):
        celery.worker(f"w{n}")
    celery.beat()

    wait_until(lambda: fired_timers() == 2000, 240, "2000 timers to fire", celery.logs)
    assert timer_fired_events() == 2000
    per_timer = db.session.execute(
        select(AuditEvent.case_id, func.count()).where(AuditEvent.event == "timer_fired").group_by(AuditEvent.case_id)
    ).all()
    assert len(per_timer) == 1000 and {n for _, n in per_timer} == {2}


def test_a_worker_killed_mid_sweep_loses_no_timer_and_duplicates_none(celery_processes):
    officer = make_user(username="cr.officer", teams=["customer_relations"])
    open_overdue_complaints(officer, 150)
    celery = celery_processes()
    worker = celery.worker("doomed")
    celery.beat()
    wait_until(lambda: fired_timers() >= 40, 120, "the first timers to fire", celery.logs)
    celery.kill(worker)
    interrupted_at = fired_timers()
    assert interrupted_at < 300

    celery.worker("survivor")
    wait_until(lambda: fired_timers() == 300, 180, "the rest to fire after the restart", celery.logs)
    assert timer_fired_events() == 300
    unfired_or_cancelled = count(select(func.count()).select_from(Timer).where(Timer.fired_at.is_(None)))
    assert unfired_or_cancelled == 0
