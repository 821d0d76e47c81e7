"""Unreasonable contact: record abuse towards staff on a case, propose a restriction, list those in force."""
from __future__ import annotations

import copy

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from engine import case_pages, forms, restrictions
from engine.errors import Conflict, NotFound, ValidationFailed

from .. import form_fields
from ..access import staff_only
from . import pages
from .cases import _render_case


def _proposal_schema(page: dict) -> dict:
    """The proposal form, with the person's cases the user can see as the choices of 'cases concerned'."""
    schema = copy.deepcopy(forms.load_form(restrictions.PROPOSAL_FORM))
    choices = [c["reference"] for c in page["contact_cases"]]
    schema["properties"]["case_references"]["items"]["enum"] = choices
    schema["properties"]["case_references"]["items"]["x-labels"] = {
        c["reference"]: f"{c['reference']}: {c['summary']}" for c in page["contact_cases"]}
    return schema


@pages.route("/cases/<reference>/restriction", methods=["GET", "POST"])
@staff_only
def propose_restriction(reference):
    try:
        page = case_pages.case_page(reference, user=current_user)
    except NotFound:
        abort(404)
    if not page["can_propose_restriction"]:
        abort(404)
    schema = _proposal_schema(page)
    fields = form_fields.fields_for(schema)
    values, errors = {"case_references": [reference]}, {}
    if request.method == "POST":
        values, errors = form_fields.parse(schema, request.form)
        if errors:
            errors = {**forms.field_errors(schema, values), **errors}
        else:
            try:
                restrictions.propose_restriction(reference, values, actor=current_user)
            except ValidationFailed as invalid:
                errors = invalid.errors
            except Conflict as conflict:
                flash(str(conflict), "important")
                return redirect(url_for("pages.case", reference=reference))
            else:
                flash("Restriction proposed: a senior manager will decide", "success")
                return redirect(url_for("pages.case", reference=reference))
    return render_template("restriction_proposal.html", title=f"Propose a contact restriction: {reference}",
                           page=page, case=page["case"], fields=fields, values=values, errors=errors,
                           error_anchors=form_fields.anchors(fields)), 400 if errors else 200


@pages.post("/cases/<reference>/abuse")
@staff_only
def record_abuse(reference):
    schema = forms.load_form(restrictions.ABUSE_FORM)
    data, errors = form_fields.parse(schema, request.form, prefix="abuse.")
    try:
        if errors:
            raise ValidationFailed({**{f"abuse.{k}": v for k, v in forms.field_errors(schema, data).items()},
                                    **errors})
        try:
            restrictions.record_abuse(reference, data, user=current_user)
        except ValidationFailed as invalid:
            raise ValidationFailed({f"abuse.{k}": v for k, v in invalid.errors.items()}) from None
    except NotFound:
        abort(404)
    except ValidationFailed as invalid:
        values = {f"abuse.{k}": v for k, v in data.items()}
        if "abuse.occurred_on" in invalid.errors:
            values["abuse.occurred_on"] = form_fields.raw_date("abuse.occurred_on", request.form)
        return _render_case(reference, invalid.errors, values)
    flash("Abuse towards staff recorded on the case", "success")
    return redirect(url_for("pages.case", reference=reference, _anchor="abuse"))


@pages.get("/reports/restrictions")
@staff_only
def restriction_report():
    try:
        rows = restrictions.active_report(user=current_user)
    except NotFound:
        abort(404)
    return render_template("restriction_report.html", title="Contact restrictions in force", rows=rows)
