"""Celery tasks: thin adapters that take ids and call one engine function each."""
from __future__ import annotations

import smtplib

from celery import Celery
from flask import current_app

from engine import clock, notifications, timers


def register(celery: Celery) -> None:
    @celery.task(name="complaints.sweep_due_timers")
    def sweep_due_timers():
        """Hand each instance with a due timer to a worker."""
        for instance_id in timers.due_instance_ids(clock.now()):
            fire_instance_timers.delay(instance_id)

    @celery.task(name="complaints.fire_instance_timers")
    def fire_instance_timers(instance_id: int):
        return timers.fire_instance_timers(instance_id)

    @celery.task(name="complaints.sweep_pending_emails")
    def sweep_pending_emails():
        for notification_id in notifications.pending_ids():
            send_notification.delay(notification_id)

    @celery.task(name="complaints.send_notification", autoretry_for=(OSError, smtplib.SMTPException),
                 retry_backoff=30, retry_backoff_max=3600, max_retries=None)
    def send_notification(notification_id: int):
        settings = notifications.SmtpSettings.from_config(current_app.config)
        return notifications.send_notification(notification_id, settings)
