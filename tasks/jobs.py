"""Celery tasks: thin adapters that take ids and call one engine function each."""
from __future__ import annotations

import smtplib
from functools import lru_cache

import redis
from celery import Celery
from flask import current_app

from engine import clock, notifications, timers

QUEUED_KEY = "complaints:timers-queued:{}"
EMAIL_QUEUED_KEY = "complaints:email-queued:{}"


@lru_cache(maxsize=4)
def _redis(url: str) -> redis.Redis:
    return redis.Redis.from_url(url)


def _claim_for_queue(key: str) -> bool:
    """Queue each piece of work once per TTL: a backlog swept every minute is not queued again and again.

    The database still decides what is due; this only saves work. If a worker dies holding it,
    the key expires and the next sweep queues it again.
    """
    config = current_app.config
    return bool(_redis(config["REDIS_URL"]).set(key, 1, nx=True, ex=config["TIMER_QUEUE_TTL_SECONDS"]))


def _release(key: str) -> None:
    _redis(current_app.config["REDIS_URL"]).delete(key)


def register(celery: Celery) -> None:
    @celery.task(name="complaints.sweep_due_timers")
    def sweep_due_timers():
        """Hand each instance with a due timer to a worker."""
        for instance_id in timers.due_instance_ids(clock.now()):
            if _claim_for_queue(QUEUED_KEY.format(instance_id)):
                fire_instance_timers.delay(instance_id)

    @celery.task(name="complaints.fire_instance_timers")
    def fire_instance_timers(instance_id: int):
        try:
            return timers.fire_instance_timers(instance_id)
        finally:
            _release(QUEUED_KEY.format(instance_id))

    @celery.task(name="complaints.sweep_pending_emails")
    def sweep_pending_emails():
        for notification_id in notifications.pending_ids():
            if _claim_for_queue(EMAIL_QUEUED_KEY.format(notification_id)):
                send_notification.delay(notification_id)

    @celery.task(name="complaints.send_notification", autoretry_for=(OSError, smtplib.SMTPException),
                 retry_backoff=30, retry_backoff_max=3600, max_retries=None)
    def send_notification(notification_id: int):
        settings = notifications.SmtpSettings.from_config(current_app.config)
        try:
            return notifications.send_notification(notification_id, settings)
        finally:
            # Released after each attempt (retries included), so a failing email is swept again later.
            _release(EMAIL_QUEUED_KEY.format(notification_id))
