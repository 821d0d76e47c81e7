"""The case page: details, deadlines and why they fall when they do, the timeline with notes,
attachments, and the process diagram with where the case is now."""
from __future__ import annotations

from datetime import date

from flask import Response, abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge

from engine import actions, appointments, attachments, case_pages, cases, forms, notes, restrictions, status_links
from engine.errors import Conflict, Forbidden, NotFound, ValidationFailed

from .. import form_fields
from ..access import signed_in, staff_only
from . import pages

ABUSE_FIELDS = form_fields.fields_for(forms.load_form(restrictions.ABUSE_FORM))
ERROR_ANCHORS = {"description": "description", "theme": "theme", "owner": "owner", "due_on": "due_on",
                 "_form": "actions", "note": "note", "attachment": "attachment", "username": "username", "role": "role",
                 "procedure": "procedure", "reason": "reason",
                 **form_fields.anchors(ABUSE_FIELDS, prefix="abuse.")}


def _render_case(reference: str, errors: dict | None = None, values: dict | None = None):
    try:
        page = case_pages.case_page(reference, user=current_user)
    except NotFound:
        abort(404)
    errors = errors or {}
    return render_template("case.html", title=f"{reference}: {page['case']['summary']}", page=page,
                           case=page["case"], errors=errors, error_anchors=ERROR_ANCHORS, values=values or {},
                           allowed_types=attachments.ALLOWED_NAMES, abuse_fields=ABUSE_FIELDS,
                           max_upload=attachments.size_limit_text(current_app.config["MAX_UPLOAD_BYTES"])), \
        400 if errors else 200


@pages.get("/cases/<reference>")
@signed_in
def case(reference):
    return _render_case(reference)


@pages.post("/cases/<reference>/notes")
@signed_in
def add_note(reference):
    text = request.form.get("note", "")
    try:
        notes.add_note(reference, text, user=current_user)
    except NotFound:
        abort(404)
    except ValidationFailed as invalid:
        return _render_case(reference, invalid.errors, {"note": text})
    flash("Note added to the case history", "success")
    return redirect(url_for("pages.case", reference=reference, _anchor="timeline"))


@pages.post("/cases/<reference>/attachments")
@signed_in
def add_attachment(reference):
    upload = request.files.get("attachment")
    try:
        stored = attachments.store_attachment(
            reference, upload.filename if upload else "", upload.stream if upload else None, user=current_user,
            upload_dir=current_app.config["UPLOAD_DIR"], max_bytes=current_app.config["MAX_UPLOAD_BYTES"])
    except NotFound:
        abort(404)
    except ValidationFailed as invalid:
        return _render_case(reference, invalid.errors)
    flash(f"{stored['filename']} attached to the case", "success")
    return redirect(url_for("pages.case", reference=reference, _anchor="attachments"))


@pages.post("/cases/<reference>/actions")
@signed_in
def add_action(reference):
    form = request.form
    try:
        due_on = date.fromisoformat(form.get("due_on", ""))
    except ValueError:
        due_on = None
    try:
        actions.add_action(reference, description=form.get("description", ""), theme=form.get("theme", ""),
                           owner_username=form.get("owner", ""), due_on=due_on, user=current_user)
    except NotFound:
        abort(404)
    except ValidationFailed as invalid:
        return _render_case(reference, invalid.errors, form.to_dict())
    flash("Action added: it is in its owner's task list", "success")
    return redirect(url_for("pages.case", reference=reference, _anchor="actions"))


@pages.app_errorhandler(RequestEntityTooLarge)
def _too_large(err):
    """A body past MAX_CONTENT_LENGTH is refused before the view runs; explain it on the case page."""
    if request.endpoint == "pages.add_attachment" and current_user.is_authenticated:
        limit = attachments.size_limit_text(current_app.config["MAX_UPLOAD_BYTES"])
        body, _ = _render_case(request.view_args["reference"],
                               {"attachment": f"The selected file must be smaller than {limit}"})
        return body, 413
    return render_template("error.html", code=413, title="The file is too large"), 413


@pages.get("/cases/<reference>/attachments/<attachment_id>")
@signed_in
def download_attachment(reference, attachment_id):
    if not attachment_id.isdigit() or len(attachment_id) > 12:
        abort(404)
    try:
        stored = attachments.open_attachment(reference, int(attachment_id), user=current_user,
                                             upload_dir=current_app.config["UPLOAD_DIR"])
    except NotFound:
        abort(404)
    response = send_file(stored.path, mimetype=stored.content_type, as_attachment=True,
                         download_name=stored.original_filename, max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@pages.post("/cases/<reference>/procedure")
@signed_in
def change_procedure(reference):
    form = request.form
    try:
        cases.change_procedure(reference, form.get("procedure", ""), form.get("reason", ""), actor=current_user)
    except (NotFound, Forbidden):
        abort(404)
    except Conflict as conflict:
        flash(str(conflict), "error")
        return redirect(url_for("pages.case", reference=reference))
    except ValidationFailed as invalid:
        return _render_case(reference, invalid.errors, {"reason": form.get("reason", "")})
    flash("Procedure changed", "success")
    return redirect(url_for("pages.case", reference=reference))


@pages.post("/cases/<reference>/appointments")
@signed_in
def appoint(reference):
    form = request.form
    try:
        appointments.appoint_person(reference, form.get("username", ""), form.get("role", ""), by=current_user)
    except NotFound:
        abort(404)
    except ValidationFailed as invalid:
        return _render_case(reference, invalid.errors, {"username": form.get("username", "")})
    flash(f"{form.get('username')} appointed", "success")
    return redirect(url_for("pages.case", reference=reference, _anchor="appointments"))


@pages.post("/cases/<reference>/appointments/<appointment_id>/remove")
@signed_in
def remove_appointment(reference, appointment_id):
    if not appointment_id.isdigit() or len(appointment_id) > 12:
        abort(404)
    try:
        appointments.remove_appointment(reference, int(appointment_id), by=current_user)
    except NotFound:
        abort(404)
    flash("Appointment ended: they can no longer see this case", "success")
    return redirect(url_for("pages.case", reference=reference, _anchor="appointments"))


@pages.get("/cases/<reference>/diagram.bpmn")
@signed_in
def case_diagram(reference):
    try:
        diagram = case_pages.case_diagram(reference, user=current_user)
    except NotFound:
        abort(404)
    response = Response(diagram["xml"], mimetype="application/xml")
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@pages.post("/cases/<reference>/status-link")
@staff_only
def send_status_link(reference):
    try:
        sent = status_links.send_new_link(reference, user=current_user)
    except NotFound:
        abort(404)
    if sent["emailed_to"]:
        flash(f"A new private link was emailed to {sent['emailed_to']}. Earlier links no longer work.", "success")
    else:
        # No email address: staff pass the link on by letter or phone, so it is shown here once.
        link = url_for("public.status", token=sent["token"], _external=True)
        flash(f"A new private link was made; the complainant has no email address, so send them {link} "
              "by letter. Earlier links no longer work.", "success")
    return redirect(url_for("pages.case", reference=reference, _anchor="status-link"))


@pages.post("/cases/<reference>/status-link/revoke")
@staff_only
def revoke_status_links(reference):
    try:
        status_links.revoke_links(reference, user=current_user)
    except NotFound:
        abort(404)
    flash("The private link no longer works. Send a new one if the complainant still needs it.", "success")
    return redirect(url_for("pages.case", reference=reference, _anchor="status-link"))
