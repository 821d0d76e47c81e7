"""A fixed-window request counter kept in the database.

Redis-free, so it works in the embedded mode, and shared by every web process because it lives in
the database rather than in one process's memory. Each key (already hashed by the caller's choice of
parts) counts requests per window of WINDOW_SECONDS; a request over the limit is refused until the
next window starts. Rows of earlier windows are deleted as new ones are counted.
"""
from __future__ import annotations

import hashlib

from sqlalchemy import delete
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from . import clock
from .models import RateLimitWindow, db
from .transaction import transactional

WINDOW_SECONDS = 60
_TABLE = RateLimitWindow.__table__
_INSERTS = {"postgresql": postgresql_insert, "sqlite": sqlite_insert}


@transactional
def hit(key: str, *, limit: int) -> bool:
    """Count one request for `key` in the current window; return whether it is within `limit`."""
    window = int(clock.now().timestamp()) // WINDOW_SECONDS
    key_hash = hashlib.sha256(key.encode()).hexdigest()
    insert = _INSERTS[db.session.get_bind().dialect.name]
    upsert = (insert(_TABLE).values(key_hash=key_hash, window_index=window, hits=1)
              .on_conflict_do_update(index_elements=["key_hash", "window_index"], set_={"hits": _TABLE.c.hits + 1})
              .returning(_TABLE.c.hits))
    hits = db.session.execute(upsert).scalar_one()
    db.session.execute(delete(_TABLE).where(_TABLE.c.window_index < window))
    return hits <= limit
