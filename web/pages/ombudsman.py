"""Complaints managers record the Ombudsman's enquiry, its decision and its recommendations from the case page."""
from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_login import current_user

from engine import ombudsman
from engine.errors import Forbidden, NotFound, ValidationFailed

from ..access import staff_only
from . import pages
from .cases import _render_case


def _recorded(reference: str, record, message: str):
    """Run one recording service with the posted form; show the case page again with the errors if it fails."""
    form = request.form
    try:
        record(form)
    except (NotFound, Forbidden):
        abort(404)
    except ValidationFailed as invalid:
        return _render_case(reference, invalid.errors, form.to_dict())
    flash(message, "success")
    return redirect(url_for("pages.case", reference=reference, _anchor="ombudsman"))


@pages.post("/cases/<reference>/ombudsman")
@staff_only
def record_ombudsman_enquiry(reference):
    return _recorded(reference, lambda form: ombudsman.record_enquiry(
        reference, ombudsman_reference=form.get("omb_reference", ""), category=form.get("omb_category", ""),
        enquiry_received_on=form.get("omb_enquiry_received_on", ""), reply_due_on=form.get("omb_reply_due_on", ""),
        reply_sent_on=form.get("omb_reply_sent_on", ""), user=current_user), "The Ombudsman's enquiry is recorded")


@pages.post("/cases/<reference>/ombudsman/decision")
@staff_only
def record_ombudsman_decision(reference):
    return _recorded(reference, lambda form: ombudsman.record_decision(
        reference, decision=form.get("omb_decision", ""), decided_on=form.get("omb_decided_on", ""),
        remedy=form.get("omb_remedy", ""), remedied_before=form.get("omb_remedied_before") == "yes",
        compliance_due_on=form.get("omb_compliance_due_on", ""), user=current_user),
        "The Ombudsman's decision is recorded")


@pages.post("/cases/<reference>/ombudsman/recommendations")
@staff_only
def add_ombudsman_recommendation(reference):
    return _recorded(reference, lambda form: ombudsman.add_recommendation(
        reference, description=form.get("rec_description", ""), due_on=form.get("rec_due_on", ""),
        user=current_user), "Recommendation recorded: its compliance task is in the complaints managers' task list")
