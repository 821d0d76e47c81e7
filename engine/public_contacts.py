"""The public's own form: answers kept as a draft between its pages, then one case opened by create_case.

The form has no signed-in user; the contact is logged by the engine itself with the actor PUBLIC_FORM,
through the same validation, triage and diagram start as staff and the API use (cases.create_case).
"""
from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import delete, select

from . import audit, cases, clock, status_links
from .errors import NotFound
from .models import PublicDraft, db
from .transaction import transactional

PUBLIC_FORM = "public web form"
JOURNEYS = ("adult", "young_person")
DRAFT_LIFETIME = timedelta(hours=24)
SUMMARY_LENGTH = 120
YOUNG_PERSON = {"service_area": "childrens_social_care", "social_care": "children"}


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def _draft(key: str | None, journey: str) -> PublicDraft | None:
    if not key:
        return None
    draft = db.session.scalar(select(PublicDraft).where(PublicDraft.key_hash == _hash(key)))
    if draft is None or draft.journey != journey or draft.updated_at < clock.now() - DRAFT_LIFETIME:
        return None
    return draft


def answers_for(key: str | None, journey: str) -> dict:
    """The answers given so far on this journey ({} for none, or a draft that expired)."""
    draft = _draft(key, journey)
    answers = dict(draft.answers) if draft else {}
    db.session.rollback()
    return answers


@transactional
def save_answers(key: str | None, journey: str, answers: dict) -> str:
    """Merge one page's answers into the draft; return the draft's key (a new one if there was none)."""
    if journey not in JOURNEYS:
        raise NotFound("Not found")
    db.session.execute(delete(PublicDraft).where(PublicDraft.updated_at < clock.now() - DRAFT_LIFETIME))
    draft = _draft(key, journey)
    if draft is None:
        key = secrets.token_urlsafe(32)
        draft = PublicDraft(key_hash=_hash(key), journey=journey, answers={})
        db.session.add(draft)
    draft.answers = {**draft.answers, **answers}
    draft.updated_at = clock.now()
    return key


def summary_of(text: str) -> str:
    """A one-line summary for staff lists: the first line, cut at a word near SUMMARY_LENGTH."""
    first = " ".join((text or "").strip().splitlines()[0].split()) if (text or "").strip() else ""
    if len(first) <= SUMMARY_LENGTH:
        return first
    return first[:SUMMARY_LENGTH].rsplit(" ", 1)[0].rstrip(",.;:") + "…"


def intake_from_answers(answers: dict, journey: str) -> dict:
    """Turn the form's answers into the intake body every channel uses (see processes/forms/intake.json)."""
    complainant = {field: answers[field].strip() for field in ("name", "email", "phone", "address")
                   if (answers.get(field) or "").strip()}
    if answers.get("preferred_contact"):
        complainant["preferred_contact"] = answers["preferred_contact"]
    data = {
        "kind": answers.get("kind"), "channel": "web", "service_area": answers.get("service_area"),
        "social_care": answers.get("social_care", "none"), "summary": summary_of(answers.get("what_happened", "")),
        "details": answers.get("what_happened", ""), "complainant": complainant,
    }
    if journey == "young_person":
        data.update(YOUNG_PERSON)
    if answers.get("kind") == "complaint" and (answers.get("put_right") or "").strip():
        data["desired_outcome"] = answers["put_right"].strip()
    if answers.get("contractor") == "yes" and (answers.get("contractor_name") or "").strip():
        data["contractor"] = answers["contractor_name"].strip()
    if answers.get("on_behalf") == "someone_else":
        on_behalf = {"name": answers.get("behalf_name", ""), "relationship": answers.get("behalf_relationship", ""),
                     "consent": answers.get("behalf_consent") in ("agreed", "cannot_agree")}
        if answers.get("behalf_consent") == "cannot_agree":
            on_behalf["no_consent_reason"] = answers.get("behalf_reason", "")
        data["on_behalf_of"] = on_behalf
    return {key: value for key, value in data.items() if value is not None}


@transactional
def submit(key: str | None, journey: str) -> dict:
    """Open the case from the draft, issue its private link and queue the acknowledgement email; drop the draft."""
    draft = _draft(key, journey)
    if draft is None:
        raise NotFound("Your answers have expired")
    answers = draft.answers
    case = cases.create_case(intake_from_answers(answers, journey), actor_name=PUBLIC_FORM, source="public")
    if journey == "young_person":
        wants = answers.get("advocate") == "yes"
        case.advocate_requested = wants
        audit.record(case.id, PUBLIC_FORM, "advocate_requested" if wants else "advocate_not_wanted",
                     "The young person would like an advocate to help them" if wants
                     else "The young person did not ask for an advocate")
    token = status_links.issue_link(case, actor_name=PUBLIC_FORM)
    emailed_to = status_links.queue_link_email(case, token)
    db.session.delete(draft)
    return {"reference": case.reference, "kind": case.kind, "emailed_to": emailed_to,
            "token": None if emailed_to else token}
