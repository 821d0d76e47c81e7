"""The complainant's private link to their case: issue, revoke, the status page and asking for the next stage.

A link carries a random token (secrets.token_urlsafe(32)); only its sha256 is stored, so the table alone
opens nothing. A revoked, malformed or made-up token is NotFound, exactly as one never issued: the web
layer answers all of them with the same 404 page. Every use of a token is counted per client and token
(engine.rate_limit) before the token is even looked up.
"""
from __future__ import annotations

import hashlib
import secrets
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from sqlalchemy import select

from . import access, audit, cases, clock, rate_limit
from .errors import NotFound, RateLimited, ValidationFailed
from .models import Case, Notification, StatusLink, User, db
from .public_history import public_view
from .transaction import transactional

STATUS_PATH = "complaint-status/"  # the web route; the email links to PUBLIC_URL + STATUS_PATH + token
COMPLAINANT = "complainant (private link)"
REQUESTS_PER_WINDOW = 20  # per client and token, per rate_limit.WINDOW_SECONDS
MAX_TOKEN_LENGTH = 100
MAX_REASON_LENGTH = 5000

_EMAILS = Environment(loader=FileSystemLoader(Path(__file__).resolve().parent / "templates" / "email"),
                      undefined=StrictUndefined, autoescape=False, keep_trailing_newline=True)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_link(case: Case, *, actor_name: str) -> str:
    """Create a private link to the case inside the caller's transaction; return its token (only the hash is kept)."""
    token = secrets.token_urlsafe(32)
    db.session.add(StatusLink(case_id=case.id, token_hash=hash_token(token), created_at=clock.now()))
    audit.record(case.id, actor_name, "status_link_issued", "A private link to the status page was created")
    return token


def queue_link_email(case: Case, token: str, *, template: str = "acknowledgement") -> str | None:
    """Write the email carrying the private link to the outbox; return the address, or None without one."""
    if not case.complainant_email:
        return None
    context = {"name": case.complainant_name, "kind": case.kind, "reference": case.reference,
               "received_on": case.received_on, "status_url": "{inbox_url}" + STATUS_PATH + token}
    subject, _, body = _EMAILS.get_template(f"{template}.txt").render(**context).partition("\n")
    db.session.add(Notification(case_id=case.id, kind=template, step="status_link",
                                recipients=[case.complainant_email], subject=subject.strip(),
                                body=body.lstrip("\n"), created_at=clock.now()))
    return case.complainant_email


def _count(token: str, client: str) -> None:
    if not rate_limit.hit(f"status:{client}:{hash_token(token)}", limit=REQUESTS_PER_WINDOW):
        raise RateLimited("Too many requests: wait a minute, then try again")


def _case_for(token: str) -> Case:
    if not token or len(token) > MAX_TOKEN_LENGTH:
        raise NotFound("Not found")
    query = select(StatusLink.case_id).where(StatusLink.token_hash == hash_token(token),
                                             StatusLink.revoked_at.is_(None))
    case_id = db.session.scalar(query)
    if case_id is None:
        raise NotFound("Not found")
    return db.session.get(Case, case_id)


def status_page(token: str, *, client: str) -> dict:
    """What the complainant may see of their case through a valid link."""
    _count(token, client)
    view = public_view(_case_for(token))
    db.session.rollback()  # only read: end the transaction rather than hold it open
    return view


def request_next_stage(token: str, reason: str, *, client: str) -> dict:
    """The complainant asks for the next stage through their link, by the same rules as staff asking for them."""
    _count(token, client)
    return _request_next_stage(token, reason)


@transactional
def _request_next_stage(token: str, reason: str) -> dict:
    case = _case_for(token)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed({"reason": "Tell us why you are not happy with our response"})
    if len(reason) > MAX_REASON_LENGTH:
        raise ValidationFailed({"reason": f"Your reason must be {MAX_REASON_LENGTH} characters or fewer"})
    cases.move_to_next_stage(case, reason, actor_name=COMPLAINANT)
    return public_view(case)


def _staff_case(reference: str, user: User) -> Case:
    case = cases.find_visible_case(reference, user)
    if not access.is_staff(user):
        raise NotFound(f"No case {reference}")
    return case


def _revoke_active(case: Case) -> int:
    active = db.session.scalars(select(StatusLink).where(StatusLink.case_id == case.id,
                                                         StatusLink.revoked_at.is_(None))).all()
    for link in active:
        link.revoked_at = clock.now()
    return len(active)


@transactional
def revoke_links(reference: str, *, user: User) -> int:
    """Staff end every private link to the case at once; return how many were still active."""
    case = _staff_case(reference, user)
    revoked = _revoke_active(case)
    audit.record(case.id, user.username, "status_links_revoked",
                 f"{revoked} private link(s) to the status page revoked")
    return revoked


@transactional
def send_new_link(reference: str, *, user: User) -> dict:
    """Staff replace the case's private links with a new one, emailed to the complainant when there is an address."""
    case = _staff_case(reference, user)
    _revoke_active(case)
    token = issue_link(case, actor_name=user.username)
    emailed_to = queue_link_email(case, token, template="new_status_link")
    return {"token": token, "emailed_to": emailed_to}


def links_summary(case_id: int) -> dict:
    """How many private links to the case work now (for the staff case page)."""
    links = db.session.scalars(select(StatusLink).where(StatusLink.case_id == case_id)).all()
    return {"active": sum(link.revoked_at is None for link in links), "issued": len(links)}
