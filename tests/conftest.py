"""Shared fixtures: an app on SQLite and on the local PostgreSQL, each with a throwaway database."""
from __future__ import annotations

import os
import uuid

import pytest
from sqlalchemy import text

from engine import instances
from engine.models import db
from web import create_app
from web.setup import prepare_database

IN_CI = os.environ.get("CI", "").lower() == "true"
PG_ADMIN_URL = os.environ.get("TEST_POSTGRES_ADMIN_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
KEPT_TABLES = {"process_versions", "alembic_version"}


def service_missing(what: str, err: Exception):
    """Fail under CI (a missing service is a broken run), skip on a developer's machine."""
    message = f"{what} is not available: {err}"
    if IN_CI:
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="session")
def postgres_url():
    from sqlalchemy import create_engine

    name = f"complaints_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as err:  # noqa: BLE001
        service_missing("PostgreSQL at 127.0.0.1:5432", err)
    yield PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _make_app(url: str, tmp_path_factory):
    instance = tmp_path_factory.mktemp("instance")
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True, "SECRET_KEY": "test",
                      "SESSION_COOKIE_SECURE": False, "UPLOAD_DIR": str(instance / "uploads")})
    prepare_database(app)
    return app


@pytest.fixture(scope="session")
def sqlite_app(tmp_path_factory):
    path = tmp_path_factory.mktemp("db") / "test.sqlite3"
    return _make_app(f"sqlite:///{path}", tmp_path_factory)


@pytest.fixture(scope="session")
def postgres_app(postgres_url, tmp_path_factory):
    return _make_app(postgres_url, tmp_path_factory)


def _clean(app) -> None:
    instances.forget_remembered()
    with app.app_context():
        db.session.remove()
        for table in reversed(db.metadata.sorted_tables):
            if table.name not in KEPT_TABLES:
                db.session.execute(table.delete())
        db.session.commit()


@pytest.fixture(params=["sqlite", "postgres"])
def app(request):
    """The app with an empty database (diagrams deployed), once on SQLite and once on PostgreSQL."""
    application = request.getfixturevalue(f"{request.param}_app")
    _clean(application)
    with application.app_context():
        yield application
        db.session.remove()


@pytest.fixture
def sqlite_only_app(sqlite_app):
    _clean(sqlite_app)
    with sqlite_app.app_context():
        yield sqlite_app
        db.session.remove()


@pytest.fixture
def client(app):
    return app.test_client()
