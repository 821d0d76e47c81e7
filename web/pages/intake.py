"""Staff log a complaint, comment or compliment received by phone, letter, email or in person."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from engine import cases, contacts, forms, restrictions
from engine.errors import NotFound, ValidationFailed
from engine.service_areas import SERVICE_AREAS

from .. import form_fields
from ..access import staff_only
from ..form_fields import Field
from . import pages

SCHEMA = forms.load_form(cases.INTAKE_FORM)
NESTED = ("complainant", "on_behalf_of")
STAFF_CHANNELS = ("phone", "letter", "email", "in_person")
TOP_SCHEMA = {**SCHEMA, "properties": {k: v for k, v in SCHEMA["properties"].items() if k not in NESTED}}


def _fields() -> dict[str, list[Field]]:
    """The form's fields in page order, grouped: the contact, who made it, on whose behalf."""
    top = {item.name: item for item in form_fields.fields_for(TOP_SCHEMA)}
    top["channel"].options = [option for option in top["channel"].options if option[0] in STAFF_CHANNELS]
    top["service_area"] = Field("service_area", "select", top["service_area"].label, "", True,
                                list(SERVICE_AREAS.items()), top["service_area"].schema)
    top["received_on"].hint = "Leave blank for today."
    top["social_care"].required = True  # it has a default ("No"), so it is never left empty
    properties = SCHEMA["properties"]
    return {
        "contact": list(top.values()),
        "complainant": form_fields.fields_for(properties["complainant"]),
        "on_behalf_of": form_fields.fields_for(properties["on_behalf_of"]),
    }


def _anchors(groups: dict[str, list[Field]]) -> dict[str, str]:
    anchors = form_fields.anchors(groups["contact"])
    for group in NESTED:
        anchors.update(form_fields.anchors(groups[group], prefix=f"{group}."))
    anchors["on_behalf_of"] = "on_behalf_of-name"
    return anchors


def _parse(form) -> tuple[dict, dict, dict]:
    """(data for the engine, values to show again, errors for values of the wrong type)."""
    data, errors = form_fields.parse(TOP_SCHEMA, form)
    values = dict(data)
    if "received_on" in errors:
        values["received_on"] = form_fields.raw_date("received_on", form)
    for group in NESTED:
        part, part_errors = form_fields.parse(SCHEMA["properties"][group], form, prefix=f"{group}.")
        errors.update(part_errors)
        values.update({f"{group}.{key}": value for key, value in part.items()})
        if part or group == "complainant":
            data[group] = part
    return data, values, errors


def _in_page_order(errors: dict, anchors: dict) -> dict:
    order = {name: index for index, name in enumerate(anchors)}
    return dict(sorted(errors.items(), key=lambda item: order.get(item[0], len(order))))


def _from_contact_record(raw: str | None) -> tuple[int | None, dict, list[dict]]:
    """Logging contact from a person's record: their details, and any restriction in force on them."""
    if not raw:
        return None, {}, []
    if not raw.isdigit() or len(raw) > 12:
        abort(404)
    try:
        values = contacts.intake_values(int(raw), current_user)
    except NotFound:
        abort(404)
    active = [restrictions.restriction_view(r) for r in restrictions.active_for(int(raw))]
    return int(raw), values, active


@pages.route("/contacts/new", methods=["GET", "POST"])
@staff_only
def intake():
    groups = _fields()
    anchors = _anchors(groups)
    contact_id, known, active = _from_contact_record(request.values.get("contact"))
    values, errors = {"social_care": "none", **known}, {}
    if request.method == "POST":
        data, values, errors = _parse(request.form)
        if errors:
            errors = {**forms.field_errors(SCHEMA, data), **errors}
        else:
            try:
                case = cases.open_case(data, actor=current_user)
            except ValidationFailed as invalid:
                errors = invalid.errors
            else:
                flash(f"{case['kind'].capitalize()} {case['reference']} logged", "success")
                if any(event["event"] == "logged_under_restriction" for event in case["history"]):
                    flash(f"{case['complainant']['name']} is under a contact restriction: this contact has gone "
                          "to their single point of contact", "important")
                return redirect(url_for("pages.case", reference=case["reference"]))
    if "service_area" in errors and not request.form.get("service_area"):
        errors["service_area"] = "Select the service area"  # a list here, not a box to type in
    errors = _in_page_order(errors, anchors)
    return render_template("intake.html", title="Log a complaint, comment or compliment", groups=groups,
                           values=values, errors=errors, error_anchors=anchors, contact_id=contact_id,
                           restrictions=active), 400 if errors else 200
