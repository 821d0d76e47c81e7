"""Without REDIS_URL the web process sweeps due timers itself, on the same schedule setting."""
import time
from datetime import date

from sqlalchemy import func, select

from engine.models import Timer, db
from tests.factories import make_user, open_complaint
from web.serving import start_embedded_sweeper


def test_embedded_sweeper_fires_past_due_timers_without_redis(sqlite_only_app):
    app = sqlite_only_app
    assert app.config["REDIS_URL"] is None
    officer = make_user(username="cr.embedded", teams=["customer_relations"])
    open_complaint(officer, on=date(2025, 12, 19))
    app.config["TIMER_SWEEP_SECONDS"] = 0.2
    stop = start_embedded_sweeper(app)
    try:
        deadline = time.monotonic() + 30
        fired = 0
        while time.monotonic() < deadline and fired < 2:
            time.sleep(0.2)
            db.session.rollback()
            fired = db.session.scalar(select(func.count()).select_from(Timer).where(Timer.fired_at.is_not(None)))
    finally:
        stop.set()
    assert fired == 2
