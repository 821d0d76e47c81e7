"""The inbox: one indexed query over the flat table of open human tasks."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, or_, select

from . import access
from .models import HumanTask, User, db
from .presenters import task_view


@dataclass
class InboxQuery:
    """Which tasks to show: mine, my teams' unclaimed ones, or both."""

    user: User
    mine: bool = True
    team: bool = True
    procedure: str | None = None
    service_area: str | None = None
    limit: int = 200
    offset: int = 0

    def statement(self):
        user = self.user
        wanted = []
        if self.mine:
            wanted.append(HumanTask.assignee_id == user.id)
        if self.team:
            unclaimed = and_(HumanTask.assignee_id.is_(None), HumanTask.role.in_(user.roles))
            if not access.sees_every_case(user):
                unclaimed = and_(unclaimed, HumanTask.team.in_(user.teams))
            wanted.append(unclaimed)
        query = select(HumanTask).where(or_(*wanted) if wanted else False)
        if self.procedure:
            query = query.where(HumanTask.procedure == self.procedure)
        if self.service_area:
            query = query.where(HumanTask.service_area == self.service_area)
        return query.order_by(HumanTask.due_on.is_(None), HumanTask.due_on, HumanTask.created_at)

    def run(self) -> list[dict]:
        rows = db.session.scalars(self.statement().limit(self.limit).offset(self.offset))
        return [task_view(row) for row in rows]


def inbox_for(user: User) -> dict:
    return {"items": InboxQuery(user).run()}
