"""Notes an officer adds to a case: kept in the case history as audit events with event "note"."""
from __future__ import annotations

from . import audit
from .cases import find_visible_case
from .errors import ValidationFailed
from .models import User
from .transaction import transactional

MAX_NOTE_CHARS = 5000


def check_note(text: str | None) -> str:
    text = (text or "").strip()
    if not text:
        raise ValidationFailed({"note": "Enter a note"})
    if len(text) > MAX_NOTE_CHARS:
        raise ValidationFailed({"note": f"Note must be {MAX_NOTE_CHARS} characters or fewer"})
    return text


@transactional
def add_note(reference: str, text: str, *, user: User) -> dict:
    """Add a note to the case history; NotFound if the user may not see the case."""
    case = find_visible_case(reference, user)
    text = check_note(text)
    audit.record(case.id, user.username, "note", text)
    return {"case_reference": case.reference, "event": "note", "detail": text}
