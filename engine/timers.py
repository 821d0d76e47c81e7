"""Fire the diagrams' timers when they fall due: each exactly once, whoever sweeps.

The database is the source of truth. A sweep finds due timer rows and advances
each process instance in its own transaction, holding the instance's timer rows
locked (PostgreSQL: FOR UPDATE SKIP LOCKED, so concurrent sweepers pass over
rows another is firing; SQLite has one writer). A timer is marked fired in the
same transaction that saves the workflow it moved, so a crash loses nothing and
fires nothing twice. A failing instance is retried later with back-off and
never holds up the others.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from . import audit, clock, instances, spiff
from .models import Case, Timer, db


MAX_BACKOFF = timedelta(hours=6)


@dataclass
class SweepResult:
    fired: int = 0
    failed: int = 0


def due_instance_ids(now: datetime, limit: int = 500) -> list[int]:
    """Return the process instances with at least one timer due at `now`, oldest first."""
    rows = db.session.execute(
        select(Timer.instance_id, Timer.due_at)
        .where(Timer.fired_at.is_(None), Timer.cancelled_at.is_(None), Timer.due_at <= now)
        .where((Timer.next_attempt_at.is_(None)) | (Timer.next_attempt_at <= now))
        .order_by(Timer.due_at)
        .limit(limit)
    ).all()
    db.session.rollback()
    return list(dict.fromkeys(instance_id for instance_id, _ in rows))


def fire_due_timers(now: datetime | None = None) -> SweepResult:
    """Fire every timer due at `now` (default: the clock's now)."""
    now = now or clock.now()
    result = SweepResult()
    while True:
        ids = due_instance_ids(now)
        if not ids:
            return result
        progress = 0
        for instance_id in ids:
            fired, failed = fire_instance_timers(instance_id, now)
            result.fired += fired
            result.failed += failed
            progress += fired + failed
        if progress == 0:
            # Everything left is locked by another sweeper: it is theirs to fire.
            return result


def fire_instance_timers(instance_id: int, now: datetime | None = None) -> tuple[int, int]:
    """Advance one instance past its due timers in one transaction; return (fired, failed)."""
    now = now or clock.now()
    try:
        with clock.frozen_at(now):
            fired = _fire(instance_id, now)
        db.session.flush()
        saved = instances.saved_in_transaction()
        db.session.commit()
        instances.remember_committed(saved)
        return fired, 0
    except StaleDataError:
        # Someone saved this case while we fired (a person completing a task, another sweeper):
        # nothing is lost, the timers are still due if they did not fire, and the next sweep sees them.
        db.session.rollback()
        return 0, 0
    except Exception as err:  # one broken case must not stop the sweep
        db.session.rollback()
        _record_failure(instance_id, now, err)
        return 0, 1


def _fire(instance_id: int, now: datetime) -> int:
    due = db.session.scalars(
        select(Timer.task_id)
        .where(Timer.instance_id == instance_id, Timer.fired_at.is_(None), Timer.cancelled_at.is_(None),
               Timer.due_at <= now)
        .with_for_update(skip_locked=True)
    ).all()
    if not due:
        return 0
    case = db.session.scalar(select(Case).join(Timer, Timer.case_id == Case.id).where(Timer.instance_id == instance_id)
                             .limit(1))
    loaded = instances.load(case, instance_id=instance_id)
    with instances.step(loaded, "system"):
        spiff.advance(loaded.workflow)
    # The save inside the step marked each timer that went off as fired, in this transaction.
    return sum(1 for task_id in due if task_id in loaded.fired_timers)


def _record_failure(instance_id: int, now: datetime, err: Exception) -> None:
    timers = db.session.scalars(
        select(Timer).where(Timer.instance_id == instance_id, Timer.fired_at.is_(None), Timer.cancelled_at.is_(None),
                            Timer.due_at <= now)
    ).all()
    for timer in timers:
        timer.attempts += 1
        timer.last_error = f"{type(err).__name__}: {err}"
        timer.next_attempt_at = now + min(timedelta(minutes=2 ** timer.attempts), MAX_BACKOFF)
        audit.record(timer.case_id, "system", "timer_failed",
                     f"{timer.name or timer.spec_id}: attempt {timer.attempts} failed ({timer.last_error}); "
                     f"next try at {timer.next_attempt_at.isoformat()}")
    db.session.commit()


def failed_timers() -> list[Timer]:
    """Timers whose firing has raised at least once and that are still unfired: for administrators."""
    return db.session.scalars(
        select(Timer).where(Timer.fired_at.is_(None), Timer.cancelled_at.is_(None), Timer.attempts > 0)
        .order_by(Timer.due_at)
    ).all()


def failed_timer_views() -> list[dict]:
    """Failed timers with their case reference, for the administrators' page."""
    from .models import Case

    rows = db.session.execute(
        select(Timer, Case.reference).join(Case, Case.id == Timer.case_id)
        .where(Timer.fired_at.is_(None), Timer.cancelled_at.is_(None), Timer.attempts > 0)
        .order_by(Timer.due_at)
    ).all()
    return [{"reference": reference, "name": timer.name or timer.spec_id, "due_at": timer.due_at,
             "attempts": timer.attempts, "next_attempt_at": timer.next_attempt_at, "last_error": timer.last_error}
            for timer, reference in rows]
