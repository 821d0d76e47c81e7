"""Process owners: open a deployed version in the modeller, save drafts, validate, submit, approve, move cases."""
from __future__ import annotations

import json

from flask import Response, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user

from engine import case_moves, drafts, registry
from engine.errors import Conflict, DeploymentRefused, Forbidden, NotFound, ValidationFailed
from engine.models import ProcessVersion, db

from .. import form_fields
from ..access import process_owner_only
from . import pages


ERROR_ANCHORS = {"change_note": "change_note", "review_note": "review_note", "schema": "schema-1", "steps": "steps",
                 "name": "test-name", "expected_end": "expected_end"}


def _version(version_id: int) -> ProcessVersion:
    version = db.session.get(ProcessVersion, version_id)
    if version is None:
        abort(404)
    return version


def _draft(draft_id: int):
    try:
        return drafts.get_draft(draft_id)
    except NotFound:
        abort(404)


def _file(name: str, text: str) -> Response:
    response = Response(text, mimetype="application/xml")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@pages.get("/processes")
@process_owner_only
def processes():
    latest = sorted(registry.latest_versions().values(), key=lambda v: (v.kind, v.process_id))
    return render_template("processes.html", title="Procedures", latest=latest, drafts=drafts.open_drafts(),
                           errors={})


@pages.get("/processes/versions/<int:version_id>")
@process_owner_only
def process_version(version_id):
    version = _version(version_id)
    return render_template("process_version.html", title=f"{version.process_id} version {version.version}",
                           version=version, diff=drafts.version_diff(version))


@pages.get("/processes/versions/<int:version_id>/download")
@process_owner_only
def download_version(version_id):
    version = _version(version_id)
    return _file(version.file_name, version.xml)


@pages.post("/processes/versions/<int:version_id>/drafts")
@process_owner_only
def new_draft(version_id):
    try:
        draft = drafts.create_draft(version_id, user=current_user)
    except NotFound:
        abort(404)
    return redirect(url_for("pages.draft", draft_id=draft.id))


@pages.post("/processes/upload")
@process_owner_only
def upload_draft():
    upload = request.files.get("diagram")
    try:
        draft = drafts.upload_draft(upload.filename if upload else "", upload.read() if upload else b"",
                                    user=current_user)
    except ValidationFailed as invalid:
        latest = sorted(registry.latest_versions().values(), key=lambda v: (v.kind, v.process_id))
        return render_template("processes.html", title="Procedures", latest=latest, drafts=drafts.open_drafts(),
                               errors={"diagram": invalid.errors.get("file", str(invalid))},
                               error_anchors={"diagram": "diagram"}), 400
    return redirect(url_for("pages.draft", draft_id=draft.id))


def _render_draft(draft, errors=None, status=200):
    validation = drafts.validate_draft(draft)
    return render_template(
        "draft.html", title=f"Draft of {draft.process_id}", draft=draft, validation=validation,
        diff=drafts.draft_diff(draft), test_cases=drafts.test_cases(draft.process_id), errors=errors or {},
        error_anchors=ERROR_ANCHORS,
        can_review=draft.status == "submitted" and current_user.username not in
        (draft.created_by, draft.updated_by, draft.submitted_by),
        forms_json={name: json.dumps(schema, indent=2) for name, schema in (draft.forms or {}).items()},
    ), status


@pages.get("/processes/drafts/<int:draft_id>")
@process_owner_only
def draft(draft_id):
    return _render_draft(_draft(draft_id))


@pages.get("/processes/drafts/<int:draft_id>/download")
@process_owner_only
def download_draft(draft_id):
    item = _draft(draft_id)
    return _file(item.file_name, item.xml)


def _validation_json(draft_id: int):
    validation = drafts.validate_draft(drafts.get_draft(draft_id))
    return {"ok": validation.ok, "errors": validation.errors, "warnings": validation.warnings,
            "tests": [{"name": t.name, "passed": t.passed, "message": t.message} for t in validation.tests]}


@pages.post("/processes/drafts/<int:draft_id>/diagram")
@process_owner_only
def save_diagram(draft_id):
    """Save the modeller's XML (fetch, JSON) or an uploaded file (no JavaScript); answer with the validation."""
    upload = request.files.get("diagram")
    xml = upload.read().decode("utf-8", "replace") if upload else (request.get_json(silent=True) or {}).get("xml", "")
    try:
        drafts.save_draft(draft_id, xml, user=current_user)
    except NotFound:
        abort(404)
    except (Conflict, ValidationFailed) as err:
        if upload:
            flash(str(err), "error")
            return redirect(url_for("pages.draft", draft_id=draft_id))
        return jsonify({"error": str(err)}), 409
    if upload:
        flash("Draft saved", "success")
        return redirect(url_for("pages.draft", draft_id=draft_id, _anchor="validation"))
    return jsonify({"saved": True, **_validation_json(draft_id)})


@pages.post("/processes/drafts/<int:draft_id>/forms")
@process_owner_only
def save_form(draft_id):
    name, schema = request.form.get("form_name", ""), request.form.get("schema", "")
    try:
        drafts.save_form(draft_id, name, schema, user=current_user)
    except NotFound:
        abort(404)
    except ValidationFailed as invalid:
        return _render_draft(_draft(draft_id), {"schema": invalid.errors["schema"]}, 400)
    except Conflict as err:
        flash(str(err), "error")
    else:
        flash(f"Form {name} saved in the draft", "success")
    return redirect(url_for("pages.draft", draft_id=draft_id, _anchor="forms"))


@pages.post("/processes/form-preview")
@process_owner_only
def form_preview():
    """Render a JSON Schema as the GOV.UK form staff would see (the live preview of the form editor)."""
    try:
        schema = json.loads((request.get_json(silent=True) or {}).get("schema", ""))
        fields = form_fields.fields_for(schema)
    except Exception as err:  # noqa: BLE001 (the preview shows whatever is wrong)
        return render_template("form_preview.html", problem=f"The form cannot be shown: {err}")
    return render_template("form_preview.html", fields=fields, problem=None)


@pages.post("/processes/test-cases")
@process_owner_only
def save_test_case():
    form = request.form
    draft_id = int(form.get("draft_id", "0") or 0)
    try:
        steps = json.loads(form.get("steps", "[]") or "[]")
        start = json.loads(form.get("start_data", "{}") or "{}")
        drafts.save_test_case(form.get("process_id", ""), form.get("name", ""), start, steps,
                              form.get("expected_end", ""), user=current_user)
    except json.JSONDecodeError as err:
        return _render_draft(_draft(draft_id), {"steps": f"Steps and start data must be JSON: {err}"}, 400)
    except ValidationFailed as invalid:
        return _render_draft(_draft(draft_id), invalid.errors, 400)
    flash("Test case saved", "success")
    return redirect(url_for("pages.draft", draft_id=draft_id, _anchor="tests"))


def _review(draft_id: int, action):
    try:
        action()
    except NotFound:
        abort(404)
    except DeploymentRefused as refused:
        flash("Not done: " + "; ".join(refused.reasons), "error")
    except ValidationFailed as invalid:
        return _render_draft(_draft(draft_id), invalid.errors, 400)
    except (Conflict, Forbidden) as err:
        flash(str(err), "error")
    return redirect(url_for("pages.draft", draft_id=draft_id))


@pages.post("/processes/drafts/<int:draft_id>/submit")
@process_owner_only
def submit_draft(draft_id):
    def act():
        drafts.submit_draft(draft_id, request.form.get("change_note", ""), user=current_user)
        flash("Sent for approval by another process owner", "success")
    return _review(draft_id, act)


@pages.post("/processes/drafts/<int:draft_id>/approve")
@process_owner_only
def approve_draft(draft_id):
    def act():
        version = drafts.approve_draft(draft_id, user=current_user)
        flash(f"Approved: {version.process_id} version {version.version} is deployed. "
              "Running cases stay on their version until moved.", "success")
    return _review(draft_id, act)


@pages.post("/processes/drafts/<int:draft_id>/reject")
@process_owner_only
def reject_draft(draft_id):
    def act():
        drafts.reject_draft(draft_id, request.form.get("review_note", ""), user=current_user)
        flash("Sent back to the author", "success")
    return _review(draft_id, act)


@pages.route("/processes/moves", methods=["GET", "POST"])
@process_owner_only
def move_cases():
    """Choose cases by procedure, version and stage; dry run; then move them in a batch."""
    form = request.form if request.method == "POST" else request.args
    process_id, stage = form.get("process_id", ""), form.get("stage", "") or None
    version = int(form["version"]) if form.get("version", "").isdigit() else None
    target = int(form["target"]) if form.get("target", "").isdigit() else None
    plans, result = [], None
    if process_id and target:
        cases = case_moves.find_cases(process_id, version=version, stage=stage)
        try:
            if request.method == "POST" and form.get("apply") == "yes":
                result = case_moves.move_cases([c.reference for c in cases], process_id, target,
                                               actor=current_user.username)
            else:
                plans = case_moves.plan_moves(cases, process_id, target)
        except NotFound as err:
            flash(str(err), "error")
    processes_list = sorted(v.process_id for v in registry.latest_versions().values() if v.kind == "bpmn")
    return render_template("process_moves.html", title="Move running cases to another version",
                           processes=processes_list, form=form, plans=plans, result=result, errors={})
