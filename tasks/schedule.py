"""The beat schedule: sweep for due timers and unsent emails; the database says what is due."""
from __future__ import annotations


def beat_schedule(sweep_seconds: int) -> dict:
    return {
        "sweep-due-timers": {"task": "complaints.sweep_due_timers", "schedule": float(sweep_seconds)},
        "sweep-pending-emails": {"task": "complaints.sweep_pending_emails", "schedule": float(sweep_seconds)},
    }
