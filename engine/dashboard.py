"""The figures of the complaints dashboard, each one SQL aggregate (SQLAlchemy Core, same on SQLite and PostgreSQL).

Cases are chosen by the date they were received (a period) and optionally a service area. Every
figure is a count or total over rows of cases, deadlines, remedies and actions: nothing is estimated.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, case as when, exists, extract, func, or_, select

from . import access, clock
from .actions import THEMES
from .calendar import london_date
from .contractor_report import complaints_by_contractor
from .errors import NotFound
from .models import Action, Case, Deadline, Remedy, db

KINDS = ("complaint", "comment", "compliment")
OUTCOMES = ("upheld", "partly_upheld", "not_upheld")
REMEDIES = ("apology", "service_action", "financial_redress")


@dataclass(frozen=True)
class Filters:
    received_from: date | None = None
    received_to: date | None = None
    service_area: str | None = None
    procedures: tuple[str, ...] = ()

    def conditions(self) -> list:
        found = []
        if self.received_from:
            found.append(Case.received_on >= self.received_from)
        if self.received_to:
            found.append(Case.received_on <= self.received_to)
        if self.service_area:
            found.append(Case.service_area == self.service_area)
        if self.procedures:
            found.append(Case.procedure.in_(self.procedures))
        return found


def check_access(user) -> None:
    if not access.sees_every_case(user):
        raise NotFound("Not found")


def _count_if(condition):
    return func.coalesce(func.sum(when((condition, 1), else_=0)), 0)


def volumes_by(column_name: str, filters: Filters) -> list[dict]:
    """Complaints, comments and compliments received, by a column of the case (or `month`)."""
    if column_name == "month":
        key = (extract("year", Case.received_on) * 100 + extract("month", Case.received_on)).label("key")
    else:
        key = func.coalesce(func.nullif(func.trim(getattr(Case, column_name)), ""), "(none)").label("key")
    query = (select(key, *[_count_if(Case.kind == kind).label(kind) for kind in KINDS], func.count().label("total"))
             .where(*filters.conditions()).group_by(key).order_by(key))
    rows = [dict(row._mapping) for row in db.session.execute(query)]
    for row in rows:
        if column_name == "month":
            number = int(row["key"])
            row["key"] = f"{number // 100:04d}-{number % 100:02d}"
        row.update({kind: int(row[kind]) for kind in KINDS})
    return rows


def outcomes(filters: Filters) -> list[dict]:
    """Complaints by their latest outcome (closed or answered), with the share of those with an outcome."""
    query = (select(Case.outcome, func.count()).where(*filters.conditions(), Case.kind == "complaint",
                                                       Case.outcome.in_(OUTCOMES)).group_by(Case.outcome))
    counts = dict(db.session.execute(query).all())
    total = sum(counts.values())
    return [{"key": o, "count": counts.get(o, 0), "percent": _percent(counts.get(o, 0), total)} for o in OUTCOMES]


def timeliness(filters: Filters) -> list[dict]:
    """Per deadline step of complaints: completed, met on time, average working days taken against the target."""
    done = Deadline.completed_on.is_not(None)
    query = (
        select(Deadline.step, func.count().label("steps"), _count_if(done).label("completed"),
               _count_if(and_(done, Deadline.completed_on <= Deadline.due_on)).label("met"),
               func.avg(Deadline.working_days_taken).label("average_taken"),
               func.avg(Deadline.working_days).label("average_target"),
               _count_if(and_(~done, Deadline.due_on < _today())).label("open_overdue"))
        .join(Case, Case.id == Deadline.case_id)
        .where(*filters.conditions(), Case.kind == "complaint")
        .group_by(Deadline.step).order_by(func.min(Deadline.id))
    )
    rows = []
    for row in db.session.execute(query):
        values = dict(row._mapping)
        values.update(completed=int(values["completed"]), met=int(values["met"]),
                      open_overdue=int(values["open_overdue"]),
                      percent_met=_percent(int(values["met"]), int(values["completed"])),
                      average_taken=_round(values["average_taken"]), average_target=_round(values["average_target"]))
        rows.append(values)
    return rows


def open_and_overdue(filters: Filters) -> dict:
    """Open complaints, and those with a deadline passed and not met, by service area."""
    late = exists().where(Deadline.case_id == Case.id, Deadline.completed_on.is_(None), Deadline.due_on < _today())
    query = (select(Case.service_area, func.count().label("open"), _count_if(late).label("overdue"))
             .where(*filters.conditions(), Case.kind == "complaint", Case.status == "open")
             .group_by(Case.service_area).order_by(Case.service_area))
    rows = [{"key": area, "open": int(count), "overdue": int(overdue)}
            for area, count, overdue in db.session.execute(query)]
    return {"rows": rows, "open": sum(r["open"] for r in rows), "overdue": sum(r["overdue"] for r in rows)}


def escalation(filters: Filters) -> dict:
    """Complaints that had a Stage 1 response deadline, and how many went on to Stage 2 and Stage 3."""
    def reached(pattern: str):
        return exists().where(Deadline.case_id == Case.id, Deadline.step.like(pattern))

    query = (select(_count_if(reached("stage1%")), _count_if(and_(reached("stage1%"), reached("stage2%"))),
                    _count_if(and_(reached("stage1%"), reached("stage3%"))))
             .where(*filters.conditions(), Case.kind == "complaint"))
    stage1, stage2, stage3 = (int(n) for n in db.session.execute(query).one())
    return {"stage1": stage1, "stage2": stage2, "stage3": stage3,
            "stage2_percent": _percent(stage2, stage1), "stage3_percent": _percent(stage3, stage1)}


def remedies(filters: Filters) -> list[dict]:
    """Remedies given, by stage and kind: how many complaints, and the financial redress total in pence."""
    query = (select(Remedy.stage, Remedy.remedy, func.count(func.distinct(Remedy.case_id)),
                    func.coalesce(func.sum(Remedy.amount_pence), 0))
             .join(Case, Case.id == Remedy.case_id).where(*filters.conditions())
             .group_by(Remedy.stage, Remedy.remedy).order_by(Remedy.stage, Remedy.remedy))
    return [{"stage": stage, "key": remedy, "complaints": int(count), "amount_pence": int(pence)}
            for stage, remedy, count, pence in db.session.execute(query)]


def action_figures(filters: Filters) -> dict:
    """Actions on the chosen cases by theme: all, open, overdue (open and past due), done."""
    open_ = Action.status == "open"
    overdue = and_(open_, or_(Action.overdue.is_(True), Action.due_on < _today()))
    query = (select(Action.theme, func.count(), _count_if(open_), _count_if(overdue),
                    _count_if(Action.status == "done"))
             .join(Case, Case.id == Action.case_id).where(*filters.conditions())
             .group_by(Action.theme).order_by(Action.theme))
    rows = [{"key": theme, "label": THEMES.get(theme, theme), "actions": int(total), "open": int(o),
             "overdue": int(late), "done": int(done)} for theme, total, o, late, done in db.session.execute(query)]
    totals = {name: sum(r[name] for r in rows) for name in ("actions", "open", "overdue", "done")}
    return {"rows": rows, **totals}


def dashboard(user, filters: Filters) -> dict:
    check_access(user)
    return {
        "by_month": volumes_by("month", filters),
        "by_service_area": volumes_by("service_area", filters),
        "by_procedure": volumes_by("procedure", filters),
        "by_stage": volumes_by("stage", filters),
        "by_channel": volumes_by("channel", filters),
        "by_contractor": complaints_by_contractor(user, received_from=filters.received_from,
                                                  received_to=filters.received_to, service_area=filters.service_area,
                                                  procedures=filters.procedures),
        "outcomes": outcomes(filters),
        "timeliness": timeliness(filters),
        "open_and_overdue": open_and_overdue(filters),
        "escalation": escalation(filters),
        "remedies": remedies(filters),
        "actions": action_figures(filters),
        "today": _today(),
    }


def service_areas() -> list[str]:
    return list(db.session.scalars(select(Case.service_area).distinct().order_by(Case.service_area)))


def _today() -> date:
    return london_date(clock.now())


def _percent(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def _round(value) -> float | None:
    return None if value is None else round(float(value), 1)
