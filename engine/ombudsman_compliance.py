"""What a compliance diagram asks of an Ombudsman recommendation: a reminder, overdue, complied. Applied on save."""
from __future__ import annotations

from datetime import date

from . import audit, notifications
from .models import Case, OmbudsmanRecommendation, db


def apply_from_diagram(case: Case, events: list[tuple[str, int, dict]], actor: str) -> None:
    for event_name, recommendation_id, detail in events:
        recommendation = db.session.get(OmbudsmanRecommendation, recommendation_id)
        if recommendation is None or recommendation.case_id != case.id:
            audit.record(case.id, "system", "recommendation_missing",
                         f"Ombudsman recommendation {recommendation_id} is not on this case")
            continue
        due = recommendation.due_on.isoformat()
        if event_name == "complied":
            recommendation.status = "complied"
            recommendation.complied_on = date.fromisoformat(detail["complied_on"])
            recommendation.evidence = detail["evidence"] or None
            late = "" if recommendation.complied_on <= recommendation.due_on else f" (after the date, {due})"
            audit.record(case.id, actor, "ombudsman_recommendation_complied",
                         f"Recommendation {recommendation.id} complied with on "
                         f"{recommendation.complied_on.isoformat()}{late}: {recommendation.description}")
        elif event_name == "overdue":
            recommendation.overdue = True
            audit.record(case.id, "system", "ombudsman_recommendation_overdue",
                         f"Recommendation {recommendation.id} was due on {due}: {recommendation.description}")
            notifications.queue_recommendation(case, "ombudsman_overdue", recommendation)
        elif event_name == "reminder":
            audit.record(case.id, "system", "ombudsman_recommendation_reminder",
                         f"Recommendation {recommendation.id} is due on {due}")
            notifications.queue_recommendation(case, "ombudsman_reminder", recommendation)
