"""The contact record: a person's cases, contact history, restrictions and abuse reports; merging duplicates."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from engine import contacts
from engine.errors import NotFound, ValidationFailed

from ..access import staff_only
from . import pages

ERROR_ANCHORS = {"merge_id": "merge_id", "reason": "reason"}


def _contact_id(raw: str) -> int:
    if not raw.isdigit() or len(raw) > 12:
        abort(404)
    return int(raw)


def _render(contact_id: int, errors: dict | None = None, values: dict | None = None):
    try:
        record = contacts.contact_record(contact_id, user=current_user)
    except NotFound:
        abort(404)
    if record["merged_into"]:
        return redirect(url_for("pages.contact_record", contact_id=record["merged_into"]))
    return render_template("contact.html", title=f"Contact record: {record['contact']['name']}", record=record,
                           contact=record["contact"], errors=errors or {}, error_anchors=ERROR_ANCHORS,
                           values=values or {}), 400 if errors else 200


@pages.get("/contacts/<contact_id>")
@staff_only
def contact_record(contact_id):
    return _render(_contact_id(contact_id))


@pages.post("/contacts/<contact_id>/merge")
@staff_only
def merge_contact(contact_id):
    keep = _contact_id(contact_id)
    raw, reason = request.form.get("merge_id", "").strip(), request.form.get("reason", "")
    try:
        if not raw.isdigit() or len(raw) > 12:
            raise ValidationFailed({"merge_id": "Enter the number of the contact record to merge into this one"})
        contacts.merge_contacts(keep, int(raw), reason, actor=current_user)
    except NotFound:
        abort(404)
    except ValidationFailed as invalid:
        return _render(keep, invalid.errors, {"merge_id": raw, "reason": reason})
    flash(f"Contact record {raw} merged into this one", "success")
    return redirect(url_for("pages.contact_record", contact_id=keep))
