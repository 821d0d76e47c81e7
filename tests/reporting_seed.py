"""A seeded data set for the reporting tests: the rows as plain dicts (the truth), and a loader.

The tests compute the expected figures from these dicts in Python, independently of the SQL.
"""
from __future__ import annotations

import random
from datetime import date, datetime, timedelta, timezone

from sqlalchemy import insert

from engine.models import Action, Case, Deadline, Remedy, db

AREAS = ("highways", "waste", "housing", "childrens_social_care")
CHANNELS = ("phone", "email", "web", "letter")
CONTRACTORS = (None, None, "Veolia", "Ringway")
OUTCOMES = (None, "upheld", "partly_upheld", "not_upheld")
THEMES = ("communication", "delay", "service_quality", "records")
CREATED = datetime(2026, 1, 1, tzinfo=timezone.utc)


def make_seed(owner_id: int, count: int = 160, seed: int = 2026) -> dict:
    rng = random.Random(seed)
    cases, deadlines, remedies, actions = [], [], [], []
    for number in range(1, count + 1):
        kind = rng.choice(("complaint",) * 6 + ("comment", "compliment"))
        area = rng.choice(AREAS)
        childrens = kind == "complaint" and area == "childrens_social_care"
        procedure = "childrens_statutory" if childrens else "corporate" if kind == "complaint" else "none"
        exclusion = rng.choice(("none",) * 9 + ("insurance_claim",)) if kind == "complaint" else "none"
        if exclusion != "none":
            procedure = "none"
        received = date(2025, 3, 1) + timedelta(days=rng.randrange(0, 500))
        status = rng.choice(("open", "closed"))
        outcome = rng.choice(OUTCOMES) if kind == "complaint" and procedure != "none" else None
        case = {"id": number, "reference": f"SEED-{number:05d}", "kind": kind, "procedure": procedure,
                "stage": rng.choice(("stage1", "stage2", "closed")), "status": status, "service_area": area,
                "channel": rng.choice(CHANNELS), "contractor": rng.choice(CONTRACTORS), "summary": f"Seeded {number}",
                "details": "", "social_care": "children" if childrens else "none", "complainant": {"name": "Seed"},
                "complainant_name": "Seed", "received_on": received, "exclusion": exclusion, "outcome": outcome,
                "created_at": CREATED}
        cases.append(case)
        if kind != "complaint" or procedure == "none":
            continue
        steps = ["acknowledgement", "stage1_response"]
        if rng.random() < 0.3:
            steps += ["stage2_acknowledgement" if procedure == "corporate" else "stage2_response", "stage2_response"]
            if procedure == "childrens_statutory" and rng.random() < 0.5:
                steps.append("stage3_panel")
        for step in dict.fromkeys(steps):
            allowed = rng.choice((3, 5, 10, 20))
            due = received + timedelta(days=allowed + 4)
            done = rng.random() < 0.75
            completed = due + timedelta(days=rng.randrange(-6, 5)) if done else None
            deadlines.append({"case_id": number, "step": step, "due_on": due, "completed_on": completed,
                              "basis": "seed", "start_on": received, "working_days": allowed,
                              "working_days_taken": rng.randrange(1, 25) if done else None,
                              "extended_working_days": 0, "overdue": False})
        if outcome in ("upheld", "partly_upheld"):
            for stage in ("stage1", "stage2") if rng.random() < 0.3 else ("stage1",):
                for kind_of in rng.sample(("apology", "service_action", "financial_redress"), rng.randrange(0, 4)):
                    pence = rng.randrange(1000, 50000) if kind_of == "financial_redress" else None
                    remedies.append({"case_id": number, "stage": stage, "remedy": kind_of, "amount_pence": pence,
                                     "recorded_on": received})
            for _ in range(rng.randrange(0, 3)):
                done = rng.random() < 0.5
                due = received + timedelta(days=rng.randrange(10, 120))
                actions.append({"case_id": number, "description": f"Change {number}", "theme": rng.choice(THEMES),
                                "owner_id": owner_id, "due_on": due, "status": "done" if done else "open",
                                "overdue": (not done) and rng.random() < 0.3,
                                "completed_on": due - timedelta(days=3) if done else None,
                                "completion_note": "Done" if done else None, "created_by": "seed",
                                "created_at": CREATED})
    return {"cases": cases, "deadlines": deadlines, "remedies": remedies, "actions": actions}


def load(seed: dict) -> None:
    for model, rows in ((Case, seed["cases"]), (Deadline, seed["deadlines"]), (Remedy, seed["remedies"]),
                        (Action, seed["actions"])):
        if rows:
            db.session.execute(insert(model), rows)
    db.session.commit()
