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


# Objects are not expired at commit: every session lives for one request, task or sweep (Flask-SQLAlchemy
# removes it with the app context), and what a service hands back after committing (the signed-in user
# a page then renders, the actor of the next call) would otherwise be read again from the database.
db = SQLAlchemy(model_class=Base, session_options={"expire_on_commit": False})


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
    # Set when a second process owner approved a draft (four eyes); None for the CLI and start-up path.
    approved_by: Mapped[str | None] = mapped_column(db.String(200))
    change_note: Mapped[str | None] = mapped_column(db.Text)


class ProcessDraft(db.Model):
    """A diagram a process owner is changing: becomes a version only when another process owner approves it."""

    __tablename__ = "process_drafts"

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[str] = mapped_column(db.String(200), index=True)
    file_name: Mapped[str] = mapped_column(db.String(300))
    kind: Mapped[str] = mapped_column(db.String(10))
    xml: Mapped[str] = mapped_column(db.Text)
    forms: Mapped[dict] = mapped_column(default=dict)
    base_version_id: Mapped[int | None] = mapped_column(db.ForeignKey("process_versions.id"))
    status: Mapped[str] = mapped_column(db.String(20), default="draft", index=True)
    created_by: Mapped[str] = mapped_column(db.String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by: Mapped[str] = mapped_column(db.String(200))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    change_note: Mapped[str | None] = mapped_column(db.Text)
    submitted_by: Mapped[str | None] = mapped_column(db.String(200))
    submitted_at: Mapped[datetime | None]
    reviewed_by: Mapped[str | None] = mapped_column(db.String(200))
    reviewed_at: Mapped[datetime | None]
    review_note: Mapped[str | None] = mapped_column(db.Text)
    deployed_version_id: Mapped[int | None] = mapped_column(db.ForeignKey("process_versions.id"))

    base_version: Mapped[ProcessVersion | None] = relationship(foreign_keys=[base_version_id])


class ProcessTestCase(db.Model):
    """A path through a diagram: the data each user task gets and the end it should reach (dry-run before deploying)."""

    __tablename__ = "process_test_cases"
    __table_args__ = (UniqueConstraint("process_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[str] = mapped_column(db.String(200), index=True)
    name: Mapped[str] = mapped_column(db.String(200))
    start_data: Mapped[dict] = mapped_column(default=dict)
    steps: Mapped[list] = mapped_column(default=list)
    expected_end: Mapped[str] = mapped_column(db.String(200))
    updated_by: Mapped[str] = mapped_column(db.String(200))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


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


class Contact(db.Model):
    """A person who contacts the council, so that staff see all their cases together.

    The match keys are normalised copies of what was typed (engine/contacts.py). A contact merged by
    hand into another keeps its row, pointing at the one kept, so old links still lead somewhere.
    """

    __tablename__ = "contacts"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(db.String(200))
    email: Mapped[str | None] = mapped_column(db.String(300))
    phone: Mapped[str | None] = mapped_column(db.String(40))
    address: Mapped[str | None] = mapped_column(db.String(1000))
    email_key: Mapped[str | None] = mapped_column(db.String(300), index=True)
    phone_key: Mapped[str | None] = mapped_column(db.String(40), index=True)
    name_address_key: Mapped[str | None] = mapped_column(db.String(1200), index=True)
    merged_into_id: Mapped[int | None] = mapped_column(db.ForeignKey("contacts.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


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
    desired_outcome: Mapped[str | None] = mapped_column(db.Text)
    advocate_requested: Mapped[bool | None]
    received_on: Mapped[date]
    # When the matter happened or the complainant learnt of it: time limits run from here.
    happened_on: Mapped[date | None]
    exclusion: Mapped[str | None] = mapped_column(db.String(40))
    triage_reason: Mapped[str | None] = mapped_column(db.Text)
    outcome: Mapped[str | None] = mapped_column(db.String(30))
    closed_on: Mapped[date | None]
    next_stage_request_by: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    process_instance_id: Mapped[int | None] = mapped_column(db.ForeignKey("process_instances.id"))
    # The person who made contact, matched across cases (engine/contacts.py).
    contact_id: Mapped[int | None] = mapped_column(db.ForeignKey("contacts.id"), index=True)

    deadlines: Mapped[list["Deadline"]] = relationship(order_by="Deadline.id", back_populates="case")
    instance: Mapped[ProcessInstance | None] = relationship()


class Deadline(db.Model):
    __tablename__ = "deadlines"
    __table_args__ = (UniqueConstraint("case_id", "step"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # No index of its own: the unique (case_id, step) index serves lookups by case.
    case_id: Mapped[int] = mapped_column(db.ForeignKey("cases.id"))
    step: Mapped[str] = mapped_column(db.String(40))
    due_on: Mapped[date] = mapped_column(index=True)
    completed_on: Mapped[date | None]
    basis: Mapped[str] = mapped_column(db.Text)
    start_on: Mapped[date | None]
    working_days: Mapped[int | None]
    extended_working_days: Mapped[int] = mapped_column(default=0)
    extension_reason: Mapped[str | None] = mapped_column(db.Text)
    overdue: Mapped[bool] = mapped_column(default=False)
    # Working days from start_on to completed_on, written when the step is completed (for timeliness figures).
    working_days_taken: Mapped[int | None]

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
    # No index of its own: the unique (instance_id, task_id) index serves lookups by instance.
    instance_id: Mapped[int] = mapped_column(db.ForeignKey("process_instances.id"))
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
    # Not indexed: every query on events is for one case (the case_id index), and an index on the
    # event name took a page write per kind of event in every step.
    event: Mapped[str] = mapped_column(db.String(100))
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


class StatusLink(db.Model):
    """A complainant's private link to the status of their case. Only the sha256 of its token is kept."""

    __tablename__ = "status_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(db.ForeignKey("cases.id"), index=True)
    token_hash: Mapped[str] = mapped_column(db.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]


class RateLimitWindow(db.Model):
    """Requests counted per key (a hash of IP and token) in fixed windows, shared by every web process."""

    __tablename__ = "rate_limit_windows"

    key_hash: Mapped[str] = mapped_column(db.String(64), primary_key=True)
    window_index: Mapped[int] = mapped_column(primary_key=True, autoincrement=False, index=True)
    hits: Mapped[int] = mapped_column(default=0)


class PublicDraft(db.Model):
    """Answers to the public form between its pages, found by a random key kept in the visitor's session."""

    __tablename__ = "public_drafts"

    id: Mapped[int] = mapped_column(primary_key=True)
    key_hash: Mapped[str] = mapped_column(db.String(64), unique=True)
    journey: Mapped[str] = mapped_column(db.String(20))
    answers: Mapped[dict] = mapped_column(default=dict)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class Remedy(db.Model):
    """A remedy a response gave (apology, service action, financial redress), one row per stage and kind.

    Written from the response form's fields marked `x-report` when the task is completed; a later
    response at the same stage replaces the stage's rows.
    """

    __tablename__ = "remedies"
    __table_args__ = (UniqueConstraint("case_id", "stage", "remedy"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(db.ForeignKey("cases.id"), index=True)
    stage: Mapped[str] = mapped_column(db.String(20))
    remedy: Mapped[str] = mapped_column(db.String(30))
    # Whole pence, so totals add up exactly in SQL on every database.
    amount_pence: Mapped[int | None]
    recorded_on: Mapped[date]


class Action(db.Model):
    """Something the council promised to change after an upheld or partly upheld complaint, tracked to completion."""

    __tablename__ = "actions"
    __table_args__ = (Index("ix_actions_status_due", "status", "due_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(db.ForeignKey("cases.id"), index=True)
    description: Mapped[str] = mapped_column(db.Text)
    theme: Mapped[str] = mapped_column(db.String(40), index=True)
    owner_id: Mapped[int] = mapped_column(db.ForeignKey("users.id"), index=True)
    due_on: Mapped[date]
    status: Mapped[str] = mapped_column(db.String(20), default="open")
    overdue: Mapped[bool] = mapped_column(default=False)
    completed_on: Mapped[date | None]
    completion_note: Mapped[str | None] = mapped_column(db.Text)
    created_by: Mapped[str] = mapped_column(db.String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    process_instance_id: Mapped[int | None] = mapped_column(db.ForeignKey("process_instances.id"))

    owner: Mapped[User] = relationship()
    case: Mapped[Case] = relationship()


class Restriction(db.Model):
    """The read model of one contact_restriction process: a proposed, active or ended restriction on a person."""

    __tablename__ = "restrictions"
    __table_args__ = (Index("ix_restrictions_contact_status", "contact_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(db.ForeignKey("contacts.id"))
    # The case the proposal was made from: the restriction process runs beside it.
    case_id: Mapped[int] = mapped_column(db.ForeignKey("cases.id"), index=True)
    instance_id: Mapped[int | None] = mapped_column(db.ForeignKey("process_instances.id"), unique=True)
    status: Mapped[str] = mapped_column(db.String(20), index=True)  # proposed, active, refused, lapsed, ended
    behaviour: Mapped[str] = mapped_column(db.Text)
    evidence: Mapped[str] = mapped_column(db.Text)
    adjustments: Mapped[str] = mapped_column(db.Text)
    case_references: Mapped[list] = mapped_column(default=list)
    abuse_report_ids: Mapped[list] = mapped_column(default=list)
    proposed_by: Mapped[str] = mapped_column(db.String(200))
    proposed_at: Mapped[datetime] = mapped_column(default=utcnow)
    service_area: Mapped[str] = mapped_column(db.String(60))
    scope: Mapped[str | None] = mapped_column(db.String(20))  # service_area or council
    measures: Mapped[list] = mapped_column(default=list)
    call_limit: Mapped[str | None] = mapped_column(db.Text)
    visit_limit: Mapped[str | None] = mapped_column(db.Text)
    single_point_of_contact_id: Mapped[int | None] = mapped_column(db.ForeignKey("users.id"))
    decision_reasons: Mapped[str | None] = mapped_column(db.Text)
    decided_by: Mapped[str | None] = mapped_column(db.String(200))
    decided_on: Mapped[date | None]
    review_on: Mapped[date | None]
    letter_sent_on: Mapped[date | None]
    letter_method: Mapped[str | None] = mapped_column(db.String(20))
    renewals: Mapped[int] = mapped_column(default=0)
    ended_on: Mapped[date | None]
    end_reason: Mapped[str | None] = mapped_column(db.Text)

    contact: Mapped[Contact] = relationship()
    single_point_of_contact: Mapped[User | None] = relationship()


class AbuseReport(db.Model):
    """Abuse towards staff recorded on a case: evidence for a restriction proposal."""

    __tablename__ = "abuse_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(db.ForeignKey("cases.id"), index=True)
    contact_id: Mapped[int | None] = mapped_column(db.ForeignKey("contacts.id"), index=True)
    occurred_on: Mapped[date]
    kind: Mapped[str] = mapped_column(db.String(20))
    description: Mapped[str] = mapped_column(db.Text)
    recorded_by: Mapped[str] = mapped_column(db.String(200))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)


class OmbudsmanCase(db.Model):
    """The Local Government and Social Care Ombudsman's enquiry into one of our cases, and its decision."""

    __tablename__ = "ombudsman_cases"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(db.ForeignKey("cases.id"), unique=True)
    ombudsman_reference: Mapped[str] = mapped_column(db.String(40), unique=True)
    # One of the Ombudsman's categories (engine/ombudsman.py), mapped from the service area unless changed.
    category: Mapped[str] = mapped_column(db.String(40), index=True)
    enquiry_received_on: Mapped[date] = mapped_column(index=True)
    reply_due_on: Mapped[date | None]
    reply_sent_on: Mapped[date | None]
    decision: Mapped[str | None] = mapped_column(db.String(40))
    decided_on: Mapped[date | None] = mapped_column(index=True)
    remedy: Mapped[str | None] = mapped_column(db.Text)
    # Upheld, but the council had already given a satisfactory remedy before the Ombudsman was involved.
    remedied_before: Mapped[bool] = mapped_column(default=False)
    compliance_due_on: Mapped[date | None]
    recorded_by: Mapped[str] = mapped_column(db.String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    case: Mapped[Case] = relationship()


class OmbudsmanRecommendation(db.Model):
    """A recommendation of an Ombudsman decision, with the date the Ombudsman expects compliance by."""

    __tablename__ = "ombudsman_recommendations"

    id: Mapped[int] = mapped_column(primary_key=True)
    ombudsman_case_id: Mapped[int] = mapped_column(db.ForeignKey("ombudsman_cases.id"), index=True)
    case_id: Mapped[int] = mapped_column(db.ForeignKey("cases.id"), index=True)
    description: Mapped[str] = mapped_column(db.Text)
    due_on: Mapped[date] = mapped_column(index=True)
    status: Mapped[str] = mapped_column(db.String(20), default="open")
    overdue: Mapped[bool] = mapped_column(default=False)
    complied_on: Mapped[date | None]
    evidence: Mapped[str | None] = mapped_column(db.Text)
    created_by: Mapped[str] = mapped_column(db.String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    process_instance_id: Mapped[int | None] = mapped_column(db.ForeignKey("process_instances.id"))

    ombudsman_case: Mapped[OmbudsmanCase] = relationship()
