"""Celery: `celery --app tasks worker` and `celery --app tasks beat`, run in the project root.

The Celery app (and the Flask app it wraps) is built on first use, not at
import, so importing this package has no side effects.
"""
from __future__ import annotations


def __getattr__(name: str):
    # `celery --app tasks` looks up tasks.celery; build it only then.
    if name in ("celery", "app"):
        from .celery_app import build_celery

        return build_celery()
    raise AttributeError(name)
