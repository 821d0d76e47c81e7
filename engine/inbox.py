"""The inbox: one indexed query over the flat table of open human tasks."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, false, func, or_, select

from . import access, clock
from .calendar import add_working_days, london_date
from .models import HumanTask, User, db
from .presenters import DUE_SOON_WORKING_DAYS, task_view

# Each order is one direction of the inbox indexes (see HumanTask), so PostgreSQL never sorts a page.
SORTS = {"due": (HumanTask.due_on.asc().nulls_last(), HumanTask.created_at.asc()),
         "due_desc": (HumanTask.due_on.desc().nulls_first(), HumanTask.created_at.desc()),
         "newest": (HumanTask.created_at.desc(),)}


@dataclass
class InboxQuery:
    """Which tasks to show: mine (assigned to me), team (unclaimed, for my roles and teams), or both."""

    user: User
    view: str = "all"
    procedure: str | None = None
    service_area: str | None = None
    status: str | None = None
    sort: str = "due"
    page: int = 1
    page_size: int = 25

    def _scope(self):
        user = self.user
        mine = HumanTask.assignee_id == user.id
        if access.is_appointed_only(user):
            return mine if self.view != "team" else false()
        unclaimed = and_(HumanTask.assignee_id.is_(None), HumanTask.role.in_(user.roles))
        if not access.sees_every_case(user):
            unclaimed = and_(unclaimed, HumanTask.team.in_(user.teams))
        return {"mine": mine, "team": unclaimed}.get(self.view, or_(mine, unclaimed))

    def _filtered(self, today: date):
        query = select(HumanTask).where(self._scope())
        if self.procedure:
            query = query.where(HumanTask.procedure == self.procedure)
        if self.service_area:
            query = query.where(HumanTask.service_area == self.service_area)
        if self.status == "overdue":
            query = query.where(HumanTask.due_on < today)
        elif self.status == "due_soon":
            soon = add_working_days(today, DUE_SOON_WORKING_DAYS)
            query = query.where(HumanTask.due_on >= today, HumanTask.due_on <= soon)
        return query

    def run(self) -> dict:
        today = london_date(clock.now())
        query = self._filtered(today)
        total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
        rows = db.session.scalars(
            query.order_by(*SORTS.get(self.sort, SORTS["due"]))
            .limit(self.page_size).offset((max(self.page, 1) - 1) * self.page_size)
        )
        return {"items": [task_view(row, today) for row in rows], "total": total, "page": max(self.page, 1),
                "pages": max(1, -(-total // self.page_size))}


def inbox_for(user: User) -> dict:
    """The API's inbox: everything the user may pick up or holds, soonest due first."""
    return {"items": InboxQuery(user, page_size=500).run()["items"]}
