"""The inbox and the task page."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from engine import forms, human_tasks, task_pages
from engine.errors import Conflict, Forbidden, NotFound, ValidationFailed
from engine.inbox import InboxQuery

from .. import form_fields
from ..access import signed_in
from . import pages

VIEWS = {"mine": "My tasks", "team": "Team tasks"}


@pages.get("/tasks")
@signed_in
def inbox():
    args = request.args
    view = args.get("view") if args.get("view") in VIEWS else "mine"
    page = args.get("page", "1")
    query = InboxQuery(current_user, view=view, procedure=args.get("procedure") or None,
                       service_area=args.get("service_area") or None, status=args.get("status") or None,
                       sort=args.get("sort", "due"), page=int(page) if page.isdigit() and len(page) < 7 else 1)
    result = query.run()
    return render_template("inbox.html", title=VIEWS[view], view=view, views=VIEWS, result=result, query=query)


@pages.post("/tasks/<task_id>/claim")
@signed_in
def claim(task_id):
    return _task_action(task_id, lambda: human_tasks.claim_task(task_id, user=current_user),
                        "You have claimed the task", to_task=True)


@pages.post("/tasks/<task_id>/release")
@signed_in
def release(task_id):
    return _task_action(task_id, lambda: human_tasks.release_task(task_id, user=current_user),
                        "The task is back with the team")


@pages.post("/tasks/<task_id>/reassign")
@signed_in
def reassign(task_id):
    username = request.form.get("assignee", "")
    # Back to the inbox afterwards: once given to someone else, the task is theirs, not the manager's, to open.
    return _task_action(task_id, lambda: task_pages.reassign_task(task_id, username, by=current_user),
                        f"The task is now with {username}")


def _task_action(task_id, action, message, to_task=False):
    try:
        action()
    except NotFound:
        abort(404)
    except (Conflict, Forbidden, ValidationFailed) as refused:
        # The task may not be one this person can open (someone else holds it), so explain on the inbox.
        flash(_reason(refused), "important")
        return redirect(url_for("pages.inbox"))
    flash(message, "success")
    return redirect(url_for("pages.task", task_id=task_id) if to_task else url_for("pages.inbox"))


def _reason(refused) -> str:
    errors = getattr(refused, "errors", None)
    return "; ".join(errors.values()) if errors else str(refused)


@pages.route("/tasks/<task_id>", methods=["GET", "POST"])
@signed_in
def task(task_id):
    try:
        page = task_pages.task_page(task_id, user=current_user)
    except NotFound:
        abort(404)
    schema = page["task"]["form"]
    fields = form_fields.fields_for(schema)
    values, errors = {}, {}
    if request.method == "POST":
        values, errors = form_fields.parse(schema, request.form)
        if errors:
            # Report every problem at once: the schema's own checks for the fields that did parse.
            errors = {**forms.field_errors(schema, values), **errors}
        else:
            try:
                human_tasks.complete_task(task_id, values, user=current_user)
            except ValidationFailed as invalid:
                errors = invalid.errors
            except (Conflict, Forbidden) as refused:
                flash(str(refused), "important")
                return redirect(url_for("pages.inbox"))
            else:
                flash(f"{page['task']['name']} completed for {page['task']['case_reference']}", "success")
                return redirect(url_for("pages.inbox"))
    people = task_pages.people_who_could_take(task_id, by=current_user) if _is_manager() else []
    status = 400 if errors else 200
    return render_template("task.html", title=page["task"]["name"], page=page, fields=fields, values=values,
                           errors=errors, error_anchors=form_fields.anchors(fields), people=people), status


def _is_manager() -> bool:
    from engine import access

    return access.can_reassign(current_user)
