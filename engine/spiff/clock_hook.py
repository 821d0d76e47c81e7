"""Make SpiffWorkflow's timers read the engine's clock.

SpiffWorkflow has no clock hook: timer event definitions call
datetime.now(timezone.utc) from their own module. Rebinding that module's
`datetime` to a subclass whose now() asks engine.clock is the least invasive
way to let tests and `complaints timers fire --now` choose the instant.
"""
from __future__ import annotations

from datetime import datetime as _datetime

from SpiffWorkflow.bpmn.specs.event_definitions import timer as _timer_module

from .. import clock


class _EngineDatetime(_datetime):
    @classmethod
    def now(cls, tz=None):
        current = clock.now()
        return current.astimezone(tz) if tz is not None else current.replace(tzinfo=None)


def install() -> None:
    """Point SpiffWorkflow's timer module at the engine clock (idempotent)."""
    _timer_module.datetime = _EngineDatetime
