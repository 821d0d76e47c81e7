"""celery_init_app, the Flask way: every task runs inside the Flask app context."""
from __future__ import annotations

from functools import lru_cache

from celery import Celery, Task
from flask import Flask

from .schedule import beat_schedule


def celery_init_app(app: Flask) -> Celery:
    class FlaskTask(Task):
        def __call__(self, *args, **kwargs):
            with app.app_context():
                try:
                    return self.run(*args, **kwargs)
                finally:
                    from engine.models import db

                    db.session.remove()

    celery = Celery(app.name, task_cls=FlaskTask)
    redis_url = app.config["REDIS_URL"]
    celery.conf.update(
        broker_url=redis_url,
        result_backend=redis_url,
        task_ignore_result=True,
        # A task is acknowledged only after it ran, so a killed worker's task is redelivered;
        # the database decides whether the work is still due, so redelivery never duplicates it.
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        broker_connection_retry_on_startup=True,
        beat_schedule=beat_schedule(app.config["TIMER_SWEEP_SECONDS"]),
        timezone="UTC",
    )
    celery.set_default()
    app.extensions["celery"] = celery
    from . import jobs

    jobs.register(celery)
    return celery


@lru_cache(maxsize=1)
def build_celery() -> Celery:
    from web import create_app

    app = create_app()
    if not app.config["REDIS_URL"]:
        raise RuntimeError("Set REDIS_URL to run Celery; without it `complaints serve` sweeps timers itself")
    return celery_init_app(app)
