"""Errors the engine's services raise; the web layer maps each to one HTTP status."""
from __future__ import annotations


class EngineError(Exception):
    """Base class: the message is safe to show to the user."""


class NotFound(EngineError):
    """No such case or task, or the caller may not see it (the two are indistinguishable)."""


class ValidationFailed(EngineError):
    def __init__(self, errors: dict[str, str], message: str = "The data is not valid"):
        super().__init__(message)
        self.errors = errors


class Conflict(EngineError):
    """The request cannot be carried out in the case's current state, or someone else got there first."""


class Forbidden(EngineError):
    """The caller may see the thing but not do this to it."""


class DeploymentRefused(EngineError):
    def __init__(self, reasons: list[str]):
        super().__init__("Deployment refused: " + "; ".join(reasons))
        self.reasons = reasons


class RateLimited(EngineError):
    """Too many requests from one place in a short time; the caller should wait and try again."""
