"""What an action-tracking diagram asks of an action: a reminder, overdue, done. Applied when the step saves."""
from __future__ import annotations

from datetime import date

from . import audit, notifications
from .models import Action, Case, db


def apply_from_diagram(case: Case, events: list[tuple[str, int, dict]], actor: str) -> None:
    for event_name, action_id, detail in events:
        action = db.session.get(Action, action_id)
        if action is None or action.case_id != case.id:
            audit.record(case.id, "system", "action_missing", f"Action {action_id} is not on this case")
            continue
        if event_name == "completed":
            action.status, action.completed_on = "done", date.fromisoformat(detail["completed_on"])
            action.completion_note = detail["note"] or None
            audit.record(case.id, actor, "action_completed",
                         f"Action {action.id} done on {action.completed_on.isoformat()}: {action.description}")
        elif event_name == "overdue":
            action.overdue = True
            audit.record(case.id, "system", "action_overdue",
                         f"Action {action.id} was due on {action.due_on.isoformat()}: {action.description}")
            notifications.queue_action(case, "action_overdue", action)
        elif event_name == "reminder":
            audit.record(case.id, "system", "action_reminder",
                         f"Action {action.id} is due on {action.due_on.isoformat()}")
            notifications.queue_action(case, "action_reminder", action)

