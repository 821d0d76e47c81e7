"""Every setting the application reads from the environment, with its default. Nothing else reads os.environ."""
from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def from_environment(instance_path: str) -> dict:
    default_db = f"sqlite:///{Path(instance_path) / 'complaints.sqlite3'}"
    return {
        "SQLALCHEMY_DATABASE_URI": _database_url(os.environ.get("DATABASE_URL", default_db)),
        "REDIS_URL": os.environ.get("REDIS_URL") or None,
        "SECRET_KEY": os.environ.get("SECRET_KEY") or None,
        "SMTP_HOST": os.environ.get("SMTP_HOST") or None,
        "SMTP_PORT": int(os.environ.get("SMTP_PORT", "25")),
        "MAIL_FROM": os.environ.get("MAIL_FROM", "complaints@council.example"),
        "PUBLIC_URL": os.environ.get("PUBLIC_URL", "http://localhost:5000/"),
        "PROCESSES_DIR": os.environ.get("PROCESSES_DIR", str(PROJECT_ROOT / "processes")),
        "TIMER_SWEEP_SECONDS": int(os.environ.get("TIMER_SWEEP_SECONDS", "60")),
        "TIMER_QUEUE_TTL_SECONDS": int(os.environ.get("TIMER_QUEUE_TTL_SECONDS", "300")),
        "SESSION_MINUTES": int(os.environ.get("SESSION_MINUTES", "30")),
        "MAX_UPLOAD_BYTES": int(os.environ.get("MAX_UPLOAD_BYTES", str(10 * 1024 * 1024))),
        "UPLOAD_DIR": os.environ.get("UPLOAD_DIR", str(Path(instance_path) / "uploads")),
        "SERVICE_NAME": os.environ.get("SERVICE_NAME", "Complaints"),
        "SESSION_COOKIE_SECURE": os.environ.get("SESSION_COOKIE_SECURE", "true").lower() == "true",
    }


def _database_url(url: str) -> str:
    # psycopg 3 is the driver we install; plain postgresql:// URLs would ask for psycopg2.
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url
