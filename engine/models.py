"""The database tables. Cases, tasks and timers are read models kept beside the saved workflow."""
from __future__ import annotations

from datetime import date, datetime, timezone

from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import JSON, Index, UniqueConstraint, text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, registry, relationship
from sqlalchemy.types import DateTime, TypeDecorator


class UtcDateTime(TypeDecorator):
    """Store instants as UTC and always hand back aware datetimes (SQLite forgets the offset)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None:
            if value.tzinfo is None:
                raise ValueError("naive datetime stored")
            value = value.astimezone(timezone.utc)
        return value

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value


class Base(DeclarativeBase):
    registry = registry(type_annotation_map={datetime: UtcDateTime, dict: JSON, list: JSON})


db = SQLAlchemy(model_class=Base)


def tune_sqlite(dbapi_connection, _record) -> None:
    """WAL lets readers work while a step commits; NORMAL sync is durable across app crashes in WAL mode."""
    import sqlite3

    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()


def execute_core(statement, params=None):
    """Run a Core statement (on tables, no ORM entities) in the session's transaction.

    The same as db.session.execute for such a statement (it neither autoflushes nor loads
    objects there), minus the Session's ORM execution path, which costs more than running
    a small statement on SQLite.
    """
    session = db.session()
    transaction = session.get_transaction()
    cached = session.info.get("core_connection")
    if transaction is not None and cached is not None and cached[0] is transaction:
        connection = cached[1]
    else:
        # Looking the connection up through the Session (and Flask-SQLAlchemy's get_bind) each time
        # cost more than the statement; it is the same one until the transaction ends.
        connection = session.connection()
        session.info["core_connection"] = (session.get_transaction(), connection)
    return connection.execute(statement, params)


def utcnow() -> datetime:
    from . import clock

    return clock.now()


class ProcessVersion(db.Model):
    __tablename__ = "process_versions"
    __table_args__ = (UniqueConstraint("process_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[str] = mapped_column(db.String(200), index=True)
    version: Mapped[int]
    kind: Mapped[str] = mapped_column(db.String(10))
    file_name: Mapped[str] = mapped_column(db.String(300))
    content_hash: Mapped[str] = mapped_column(db.String(64), index=True)
    xml: Mapped[str] = mapped_column(db.Text)
    forms: Mapped[dict] = mapped_column(default=dict)
    dependency_ids: Mapped[list] = mapped_column(default=list)
    deployed_at: Mapped[datetime] = mapped_column(default=utcnow)
    deployed_by: Mapped[str] = mapped_column(db.String(200))


class ProcessInstance(db.Model):
    __tablename__ = "process_instances"

    id: Mapped[int] = mapped_column(primary_key=True)
    process_version_id: Mapped[int] = mapped_column(db.ForeignKey("process_versions.id"))
    state: Mapped[str] = mapped_column(db.Text)
    library_version: Mapped[str] = mapped_column(db.String(20))
    serializer_version: Mapped[str] = mapped_column(db.String(20))
    status: Mapped[str] = mapped_column(db.String(20), default="running")
    lock_version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    process_version: Mapped[ProcessVersion] = relationship()

    # Two people saving the same workflow: the second UPDATE matches no row and fails.
    __mapper_args__ = {"version_id_col": lock_version}


class Case(db.Model):
    __tablename__ = "cases"

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str | None] = mapped_column(db.String(20), unique=True)
    kind: Mapped[str] = mapped_column(db.String(20))
    procedure: Mapped[str] = mapped_column(db.String(30), index=True)
    stage: Mapped[str] = mapped_column(db.String(20), index=True)
    status: Mapped[str] = mapped_column(db.String(20), index=True)
    service_area: Mapped[str] = mapped_column(db.String(60), index=True)
    channel: Mapped[str] = mapped_column(db.String(20))
    summary: Mapped[str] = mapped_column(db.String(500))
    details: Mapped[str] = mapped_column(db.Text, default="")
    social_care: Mapped[str] = mapped_column(db.String(20), default="none")
    complainant: Mapped[dict] = mapped_column(default=dict)
    complainant_name: Mapped[str] = mapped_column(db.String(200), index=True)
    complainant_email: Mapped[str | None] = mapped_column(db.String(300), index=True)
    on_behalf_of: Mapped[dict | None] = mapped_column(nullable=True)
    contractor: Mapped[str | None] = mapped_column(db.String(200))
    received_on: Mapped[date]
    outcome: Mapped[str | None] = mapped_column(db.String(30))
    closed_on: Mapped[date | None]
    next_stage_request_by: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    process_instance_id: Mapped[int | None] = mapped_column(db.ForeignKey("process_instances.id"))

    deadlines: Mapped[list["Deadline"]] = relationship(order_by="Deadline.id", back_populates="case")
    instance: Mapped[ProcessInstance | None] = relationship()


class Deadline(db.Model):
    __tablename__ = "deadlines"
    __table_args__ = (UniqueConstraint("case_id", "step"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(db.ForeignKey("cases.id"), index=True)
    step: Mapped[str] = mapped_column(db.String(40))
    due_on: Mapped[date] = mapped_column(index=True)
    completed_on: Mapped[date | None]
    basis: Mapped[str] = mapped_column(db.Text)
    start_on: Mapped[date | None]
    working_days: Mapped[int | None]
    extended_working_days: Mapped[int] = mapped_column(default=0)
    extension_reason: Mapped[str | None] = mapped_column(db.Text)
    overdue: Mapped[bool] = mapped_column(default=False)

    case: Mapped[Case] = relationship(back_populates="deadlines")


class HumanTask(db.Model):
    """The inbox read model: one row per open user task, rewritten on every save."""

    __tablename__ = "human_tasks"
    __table_args__ = (
        # Unclaimed tasks in the inbox's own order, so a page is an index range scan, not a sort.
        Index("ix_human_tasks_unclaimed_team", "team", "role", "due_on", "created_at",
              postgresql_where=text("assignee_id IS NULL"), sqlite_where=text("assignee_id IS NULL")),
        Index("ix_human_tasks_unclaimed_role", "role", "due_on", "created_at",
              postgresql_where=text("assignee_id IS NULL"), sqlite_where=text("assignee_id IS NULL")),
        Index("ix_human_tasks_assignee_due", "assignee_id", "due_on"),
    )

    id: Mapped[str] = mapped_column(db.String(36), primary_key=True)
    case_id: Mapped[int] = mapped_column(db.ForeignKey("cases.id"), index=True)
    instance_id: Mapped[int] = mapped_column(db.ForeignKey("process_instances.id"), index=True)
    process_version_id: Mapped[int] = mapped_column(db.ForeignKey("process_versions.id"))
    spec_id: Mapped[str] = mapped_column(db.String(200))
    name: Mapped[str] = mapped_column(db.String(300))
    lane: Mapped[str | None] = mapped_column(db.String(200))
    role: Mapped[str] = mapped_column(db.String(40))
    team: Mapped[str | None] = mapped_column(db.String(60))
    stage: Mapped[str] = mapped_column(db.String(20))
    procedure: Mapped[str] = mapped_column(db.String(30))
    service_area: Mapped[str] = mapped_column(db.String(60))
    case_reference: Mapped[str] = mapped_column(db.String(20))
    assignee_id: Mapped[int | None] = mapped_column(db.ForeignKey("users.id"))
    excluded_user_id: Mapped[int | None] = mapped_column(db.ForeignKey("users.id"))
    form: Mapped[str | None] = mapped_column(db.String(300))
    deadline_step: Mapped[str | None] = mapped_column(db.String(40))
    due_on: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    assignee: Mapped["User | None"] = relationship(foreign_keys=[assignee_id])


class CompletedTask(db.Model):
    """Who completed which task: for "a different person" rules and to tell "already done" from "no such task"."""

    __tablename__ = "completed_tasks"
    __table_args__ = (Index("ix_completed_tasks_case_spec", "case_id", "spec_id"),)

    id: Mapped[str] = mapped_column(db.String(36), primary_key=True)
    case_id: Mapped[int] = mapped_column(db.ForeignKey("cases.id"))
    spec_id: Mapped[str] = mapped_column(db.String(200))
    name: Mapped[str] = mapped_column(db.String(300))
    completed_by_id: Mapped[int] = mapped_column(db.ForeignKey("users.id"))
    completed_at: Mapped[datetime] = mapped_column(default=utcnow)


class Timer(db.Model):
    __tablename__ = "timers"
    __table_args__ = (
        UniqueConstraint("instance_id", "task_id"),
        Index("ix_timers_due", "fired_at", "due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(db.ForeignKey("process_instances.id"), index=True)
    case_id: Mapped[int] = mapped_column(db.ForeignKey("cases.id"))
    task_id: Mapped[str] = mapped_column(db.String(36))
    spec_id: Mapped[str] = mapped_column(db.String(200))
    name: Mapped[str] = mapped_column(db.String(300), default="")
    due_at: Mapped[datetime]
    fired_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(db.Text)


class AuditEvent(db.Model):
    """Append-only: the case history and the record of who did what."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int | None] = mapped_column(db.ForeignKey("cases.id"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor: Mapped[str] = mapped_column(db.String(200))
    event: Mapped[str] = mapped_column(db.String(100), index=True)
    detail: Mapped[str] = mapped_column(db.Text, default="")


class User(db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(db.String(100), unique=True)
    display_name: Mapped[str] = mapped_column(db.String(200))
    email: Mapped[str | None] = mapped_column(db.String(300))
    password_hash: Mapped[str | None] = mapped_column(db.String(300))
    roles: Mapped[list] = mapped_column(default=list)
    teams: Mapped[list] = mapped_column(default=list)
    active: Mapped[bool] = mapped_column(default=True)
    failed_sign_ins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    # What Flask-Login asks of a user object (kept here so the web layer needs no wrapper).
    is_authenticated = True
    is_anonymous = False

    @property
    def is_active(self) -> bool:
        return self.active

    def get_id(self) -> str:
        return str(self.id)


class ApiToken(db.Model):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(db.ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(db.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()


class Notification(db.Model):
    """The email outbox: written in the step's transaction, sent afterwards, retried until it goes."""

    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(db.ForeignKey("cases.id"), index=True)
    kind: Mapped[str] = mapped_column(db.String(20))
    step: Mapped[str] = mapped_column(db.String(40))
    recipients: Mapped[list] = mapped_column(default=list)
    subject: Mapped[str] = mapped_column(db.String(300))
    body: Mapped[str] = mapped_column(db.Text)
    status: Mapped[str] = mapped_column(db.String(20), default="pending", index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(db.Text)


class Appointment(db.Model):
    """An external or named person appointed to one case: Investigating Officer, Independent Person, panel member.

    Appointed people see only the cases they hold an active appointment on; removal ends it at once.
    """

    __tablename__ = "appointments"
    __table_args__ = (Index("ix_appointments_user_active", "user_id", "removed_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(db.ForeignKey("cases.id"), index=True)
    user_id: Mapped[int] = mapped_column(db.ForeignKey("users.id"))
    role: Mapped[str] = mapped_column(db.String(40))
    appointed_at: Mapped[datetime] = mapped_column(default=utcnow)
    appointed_by: Mapped[str] = mapped_column(db.String(200))
    removed_at: Mapped[datetime | None]
    removed_by: Mapped[str | None] = mapped_column(db.String(200))

    user: Mapped[User] = relationship()


class Attachment(db.Model):
    """A file kept with a case (a letter, a photo, an email).

    The bytes live outside the web root under a random name.
    """

    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(db.ForeignKey("cases.id"), index=True)
    original_filename: Mapped[str] = mapped_column(db.String(255))
    content_type: Mapped[str] = mapped_column(db.String(100))
    size: Mapped[int]
    stored_name: Mapped[str] = mapped_column(db.String(64), unique=True)
    uploaded_by: Mapped[str] = mapped_column(db.String(200))
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)
