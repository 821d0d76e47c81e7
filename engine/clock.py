"""The engine's notion of now, injectable so tests and the CLI can fire timers at a chosen instant."""
from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime, timezone

_frozen_now: ContextVar[datetime | None] = ContextVar("frozen_now", default=None)


def now() -> datetime:
    """Return the current instant (aware, UTC), or the instant a caller froze with `frozen_at`."""
    frozen = _frozen_now.get()
    return frozen if frozen is not None else datetime.now(timezone.utc)


@contextmanager
def frozen_at(instant: datetime):
    """Make `now()` (and SpiffWorkflow's timers, see engine.spiff) answer `instant` inside the block."""
    if instant.tzinfo is None:
        raise ValueError("instant must be timezone-aware")
    token = _frozen_now.set(instant.astimezone(timezone.utc))
    try:
        yield
    finally:
        _frozen_now.reset(token)
