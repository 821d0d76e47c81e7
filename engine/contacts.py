"""Contacts are people: match the person behind each new case, merge duplicates by hand, show their record.

A new case is linked to an existing contact when its email address, phone number, or name and
postal address match (compared normalised: case, spaces and punctuation ignored). Otherwise a new
contact is made. Matching never guesses on name alone: two residents can share a name.
"""
from __future__ import annotations

import re

from sqlalchemy import bindparam, select, update

from . import access, audit, clock
from .errors import NotFound, ValidationFailed
from .models import AbuseReport, AuditEvent, Case, Contact, Restriction, User, db
from .transaction import transactional

_NOT_WORD = re.compile(r"[^0-9a-z]+")


def email_key(email: str | None) -> str | None:
    return email.strip().lower() or None if email else None


def phone_key(phone: str | None) -> str | None:
    """Digits only, with +44 written as a leading 0, so '+44 1632 960000' matches '01632 960000'."""
    digits = re.sub(r"\D", "", phone or "")
    if digits.startswith("44") and len(digits) == 12:
        digits = "0" + digits[2:]
    return digits if len(digits) >= 6 else None


def name_address_key(name: str | None, address: str | None) -> str | None:
    if not (name and address):
        return None
    name_part, address_part = _NOT_WORD.sub(" ", name.lower()).strip(), _NOT_WORD.sub("", address.lower())
    return f"{name_part}|{address_part}" if name_part and address_part else None


def _live(contact: Contact) -> Contact:
    """Follow merges to the contact that was kept."""
    seen = set()
    while contact.merged_into_id is not None and contact.id not in seen:
        seen.add(contact.id)
        contact = db.session.get(Contact, contact.merged_into_id)
    return contact


# The first contact with a key, one statement per kind of key, built once (they run for every new case).
_FIRST_WITH = {
    column.key: select(Contact).where(column == bindparam("key")).order_by(Contact.id).limit(1)
    for column in (Contact.email_key, Contact.phone_key, Contact.name_address_key)
}


def find_match(person: dict) -> tuple[Contact | None, str | None]:
    """The existing contact this person is, and what matched (email, phone, name and address)."""
    keys = (("email", "email_key", email_key(person.get("email"))),
            ("phone", "phone_key", phone_key(person.get("phone"))),
            ("name and address", "name_address_key", name_address_key(person.get("name"), person.get("address"))))
    for label, column, key in keys:
        if key is None:
            continue
        # No autoflush: contacts are flushed when made (link_case), and a new case's reference, set
        # just before this, is then written with the case's other first changes in one UPDATE.
        with db.session.no_autoflush:
            found = db.session.scalar(_FIRST_WITH[column], {"key": key})
        if found is not None:
            return _live(found), label
    return None, None


def link_case(case: Case, actor: str) -> Contact:
    """Link a new case to the person who made contact, creating their contact record if they are new."""
    person = case.complainant or {}
    contact, matched_on = find_match(person)
    if contact is None:
        contact = Contact(name=person["name"], created_at=clock.now())
        db.session.add(contact)
        _fill_blanks(contact, person)
        db.session.flush()
        audit.record(case.id, actor, "contact_created", f"New contact record for {contact.name}")
    else:
        _fill_blanks(contact, person)
        audit.record(case.id, actor, "contact_matched",
                     f"Linked to the contact record of {contact.name} (matched on {matched_on})")
    case.contact_id = contact.id
    return contact


def _fill_blanks(contact: Contact, person: dict) -> None:
    """Keep what the record holds; add details it lacks (a phone number given for the first time)."""
    for name in ("email", "phone", "address"):
        if person.get(name) and not getattr(contact, name):
            setattr(contact, name, person[name])
    keys = {"email_key": email_key(contact.email), "phone_key": phone_key(contact.phone),
            "name_address_key": name_address_key(contact.name, contact.address)}
    for name, key in keys.items():
        # Set only what changed: an unchanged record must not make the next query flush it.
        if getattr(contact, name) != key:
            setattr(contact, name, key)


def visible_contact(contact_id: int, user: User) -> Contact:
    """The contact, if the user may see at least one of their cases (need to know)."""
    contact = db.session.get(Contact, contact_id)
    if contact is None or not access.is_staff(user):
        raise NotFound("No such contact")
    if access.sees_every_case(user) or _visible_cases(contact, user):
        return contact
    raise NotFound("No such contact")


def _visible_cases(contact: Contact, user: User) -> list[Case]:
    query = select(Case).where(Case.contact_id == contact.id).order_by(Case.received_on.desc(), Case.id.desc())
    if not access.sees_every_case(user):
        query = query.where(Case.service_area.in_(user.teams))
    return list(db.session.scalars(query))


def contact_record(contact_id: int, *, user: User) -> dict:
    """The person's record: details, the cases the user may see, their contact history, restrictions."""
    from . import restrictions  # here: restrictions builds on this module

    contact = visible_contact(contact_id, user)
    if contact.merged_into_id is not None:
        return {"merged_into": _live(contact).id, "contact": contact_summary(contact)}
    visible = _visible_cases(contact, user)
    case_ids = [c.id for c in visible]
    history = db.session.execute(
        select(AuditEvent.at, AuditEvent.actor, AuditEvent.event, AuditEvent.detail, Case.reference)
        .join(Case, Case.id == AuditEvent.case_id).where(AuditEvent.case_id.in_(case_ids))
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(200)
    ).all() if case_ids else []
    abuse = db.session.scalars(select(AbuseReport).where(AbuseReport.contact_id == contact.id,
                                                         AbuseReport.case_id.in_(case_ids))
                               .order_by(AbuseReport.occurred_on.desc())).all() if case_ids else []
    return {
        "merged_into": None,
        "contact": contact_summary(contact),
        "cases": [_case_row(c) for c in visible],
        "history": [{"at": at, "actor": actor, "event": event, "detail": detail, "reference": reference}
                    for at, actor, event, detail, reference in history],
        "abuse_reports": [restrictions.abuse_view(a) for a in abuse],
        "restrictions": [restrictions.restriction_view(r) for r in restrictions.restrictions_of(contact.id)],
        "active_restrictions": [restrictions.restriction_view(r) for r in restrictions.active_for(contact.id)],
        "can_merge": access.can_merge_contacts(user),
    }


def _case_row(case: Case) -> dict:
    return {"reference": case.reference, "summary": case.summary, "service_area": case.service_area,
            "status": case.status, "stage": case.stage, "received_on": case.received_on}


def cases_of(contact_id: int, user: User) -> list[dict]:
    """The person's cases the user may see, newest first."""
    contact = db.session.get(Contact, contact_id)
    return [_case_row(c) for c in _visible_cases(contact, user)] if contact and access.is_staff(user) else []


def contact_summary(contact: Contact) -> dict:
    return {"id": contact.id, "name": contact.name, "email": contact.email, "phone": contact.phone,
            "address": contact.address}


def intake_values(contact_id: int, user: User) -> dict:
    """The intake form's 'who made contact' fields, filled from a contact record."""
    contact = _live(visible_contact(contact_id, user))
    return {f"complainant.{name}": value for name, value in contact_summary(contact).items()
            if name != "id" and value}


@transactional
def merge_contacts(keep_id: int, merge_id: int, reason: str, *, actor: User) -> dict:
    """Merge a duplicate record into the one kept: its cases, restrictions and abuse reports move across."""
    if not access.can_merge_contacts(actor):
        raise NotFound("No such contact")
    if not (reason or "").strip():
        raise ValidationFailed({"reason": "Give the reason these are the same person"})
    keep, merge = db.session.get(Contact, keep_id), db.session.get(Contact, merge_id)
    if merge is None:
        raise ValidationFailed({"merge_id": "There is no contact with that number"})
    if keep is None or keep.merged_into_id is not None:
        raise NotFound("No such contact")
    if merge.id == keep.id or _live(merge).id == keep.id:
        raise ValidationFailed({"merge_id": "That is this contact already"})
    if merge.merged_into_id is not None:
        raise ValidationFailed({"merge_id": "That contact was already merged into another"})
    moved = list(db.session.scalars(select(Case).where(Case.contact_id == merge.id)))
    for table in (Case, Restriction, AbuseReport):
        db.session.execute(update(table).where(table.contact_id == merge.id).values(contact_id=keep.id))
    merge.merged_into_id = keep.id
    _fill_blanks(keep, contact_summary(merge))
    detail = (f"Contact record {merge.id} ({merge.name}) merged into {keep.id} ({keep.name}) "
              f"by {actor.username}: {reason.strip()}")
    for case in moved:
        audit.record(case.id, actor.username, "contact_merged", detail)
    if not moved:
        audit.record(None, actor.username, "contact_merged", detail)
    return contact_summary(keep)
