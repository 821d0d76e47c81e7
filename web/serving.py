"""Serve the app with waitress; in embedded mode (no REDIS_URL) also sweep timers in a thread."""
from __future__ import annotations

import logging
import threading

from flask import Flask
from waitress import serve

from engine import notifications, timers
from engine.models import db

log = logging.getLogger(__name__)


def start_embedded_sweeper(app: Flask) -> threading.Event:
    """Fire due timers every TIMER_SWEEP_SECONDS until the returned event is set."""
    stop = threading.Event()
    interval = app.config["TIMER_SWEEP_SECONDS"]

    def sweep_forever():
        while not stop.wait(interval):
            with app.app_context():
                try:
                    result = timers.fire_due_timers()
                    if result.fired or result.failed:
                        log.info("timer sweep: %s fired, %s failed", result.fired, result.failed)
                    notifications.send_pending(notifications.SmtpSettings.from_config(app.config))
                except Exception:  # keep sweeping: a failure is logged and retried next time
                    log.exception("timer sweep failed")
                finally:
                    db.session.remove()

    threading.Thread(target=sweep_forever, name="timer-sweeper", daemon=True).start()
    return stop


def run(app: Flask, host: str, port: int) -> None:
    logging.basicConfig(level=logging.INFO)
    if not app.config["REDIS_URL"]:
        start_embedded_sweeper(app)
        log.info("embedded timer sweep every %s seconds", app.config["TIMER_SWEEP_SECONDS"])
    serve(app, host=host, port=port, threads=8)
