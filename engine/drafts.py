"""Process owners change diagrams as drafts; a second process owner approves a draft into a version (four eyes).

The browser path is the reviewed one. `complaints processes deploy` on the server stays the
administrator's path (and the start-up load of processes/): it deploys at once, is recorded in the
audit log as `process_deployed`, and reports the plain-words lint as warnings instead of refusing.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field

from sqlalchemy import select

from . import audit, clock, registry, spiff
from .errors import Conflict, DeploymentRefused, Forbidden, NotFound, ValidationFailed
from .models import ProcessDraft, ProcessTestCase, ProcessVersion, User, db
from .spiff.diagram_diff import DiagramDiff, diff_diagrams
from .spiff.dry_run import DryRunResult, run_test_case
from .transaction import transactional

OWNER_ROLE = "process_owner"


def is_process_owner(user: User) -> bool:
    return OWNER_ROLE in (user.roles or [])


def _require_owner(user: User) -> None:
    if not is_process_owner(user):
        raise Forbidden("Only process owners may change diagrams")


def get_draft(draft_id: int) -> ProcessDraft:
    draft = db.session.get(ProcessDraft, draft_id)
    if draft is None:
        raise NotFound(f"No draft {draft_id}")
    return draft


def open_drafts() -> list[ProcessDraft]:
    return db.session.scalars(select(ProcessDraft).where(ProcessDraft.status.in_(("draft", "submitted")))
                              .order_by(ProcessDraft.updated_at.desc())).all()


@transactional
def create_draft(version_id: int, *, user: User) -> ProcessDraft:
    """Start a draft from a deployed version (its diagram and forms)."""
    _require_owner(user)
    version = db.session.get(ProcessVersion, version_id)
    if version is None:
        raise NotFound(f"No version {version_id}")
    now = clock.now()
    draft = ProcessDraft(process_id=version.process_id, file_name=version.file_name, kind=version.kind,
                         xml=version.xml, forms=dict(version.forms or {}), base_version_id=version.id,
                         status="draft", created_by=user.username, created_at=now, updated_by=user.username,
                         updated_at=now)
    db.session.add(draft)
    db.session.flush()
    return draft


@transactional
def upload_draft(file_name: str, content: bytes, *, user: User) -> ProcessDraft:
    """Start a draft from a .bpmn or .dmn file made offline (e.g. in Camunda Modeler)."""
    _require_owner(user)
    if not file_name.endswith(registry.DIAGRAM_SUFFIXES):
        raise ValidationFailed({"file": "Choose a .bpmn or .dmn file"})
    report = spiff.CheckReport()
    diagram = spiff.read_diagram(file_name, content, report)
    if diagram is None or not diagram.ids:
        raise ValidationFailed({"file": report.errors[0] if report.errors else f"{file_name} has no process"})
    process_id = diagram.ids[0]
    base = registry.latest_versions().get(process_id)
    now = clock.now()
    draft = ProcessDraft(process_id=process_id, file_name=base.file_name if base else file_name, kind=diagram.kind,
                         xml=content.decode("utf-8"), forms=dict(base.forms or {}) if base else {},
                         base_version_id=base.id if base else None, status="draft", created_by=user.username,
                         created_at=now, updated_by=user.username, updated_at=now)
    db.session.add(draft)
    db.session.flush()
    return draft


def _editable(draft_id: int, user: User) -> ProcessDraft:
    _require_owner(user)
    draft = get_draft(draft_id)
    if draft.status not in ("draft", "submitted"):
        raise Conflict(f"This draft is {draft.status} and can no longer be changed; start a new one")
    return draft


def _touch(draft: ProcessDraft, user: User) -> None:
    # A change after submission needs submitting (and approving) again.
    draft.status, draft.submitted_by, draft.submitted_at = "draft", None, None
    draft.updated_by, draft.updated_at = user.username, clock.now()


@transactional
def save_draft(draft_id: int, xml: str, *, user: User) -> ProcessDraft:
    draft = _editable(draft_id, user)
    if not xml.strip():
        raise ValidationFailed({"xml": "The diagram is empty"})
    draft.xml = xml
    _touch(draft, user)
    return draft


@transactional
def save_form(draft_id: int, form_name: str, schema_text: str, *, user: User) -> ProcessDraft:
    """Save one JSON Schema form of the draft; refused if it is not a valid JSON Schema."""
    draft = _editable(draft_id, user)
    try:
        schema = json.loads(schema_text)
        from jsonschema import Draft202012Validator

        Draft202012Validator.check_schema(schema)
    except json.JSONDecodeError as err:
        raise ValidationFailed({"schema": f"The form is not valid JSON: {err}"}) from None
    except Exception as err:  # noqa: BLE001 (jsonschema's SchemaError and friends)
        raise ValidationFailed({"schema": f"The form is not a valid JSON Schema: {getattr(err, 'message', err)}"}) \
            from None
    draft.forms = {**(draft.forms or {}), form_name: schema}
    _touch(draft, user)
    return draft


@dataclass
class Validation:
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    tests: list[DryRunResult] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors and all(t.passed for t in self.tests)


def validate_draft(draft: ProcessDraft) -> Validation:
    """Every check a deployment makes, strictly, plus a dry run of the process's saved test cases."""
    contents = {draft.file_name: draft.xml.encode()}
    checked = registry.check_contents(contents, registry.forms_from(draft.forms or {}), strict=True)
    result = Validation(list(checked.report.errors), list(checked.report.warnings))
    if result.errors or draft.kind != "bpmn":
        return result
    others = {v.file_name: v.xml.encode() for v in checked.context.values()}
    spec, subprocess_specs = spiff.build_specs(contents[draft.file_name], draft.file_name, others, draft.process_id)
    for case in test_cases(draft.process_id):
        result.tests.append(run_test_case(spec, subprocess_specs, case.name, case.start_data, case.steps,
                                          case.expected_end))
    return result


def _refusal(validation: Validation) -> list[str]:
    return validation.errors + [f'test case "{t.name}": {t.message}' for t in validation.tests if not t.passed]


@transactional
def submit_draft(draft_id: int, change_note: str, *, user: User) -> ProcessDraft:
    """Ask another process owner to approve the draft; refused with every reason if it does not validate."""
    draft = _editable(draft_id, user)
    if not change_note.strip():
        raise ValidationFailed({"change_note": "Say what changes and why"})
    validation = validate_draft(draft)
    if not validation.ok:
        raise DeploymentRefused(_refusal(validation))
    draft.status, draft.change_note = "submitted", change_note.strip()
    draft.submitted_by, draft.submitted_at = user.username, clock.now()
    audit.record(None, user.username, "draft_submitted", f"{draft.process_id} draft {draft.id}: {draft.change_note}")
    return draft


@transactional
def approve_draft(draft_id: int, *, user: User) -> ProcessVersion:
    """A second process owner approves: the draft becomes the next version. Running cases keep theirs."""
    _require_owner(user)
    draft = get_draft(draft_id)
    if draft.status != "submitted":
        raise Conflict("Only a submitted draft can be approved")
    if user.username in (draft.submitted_by, draft.created_by, draft.updated_by):
        raise Forbidden("A draft must be approved by a process owner who did not write or submit it")
    validation = validate_draft(draft)
    if not validation.ok:
        raise DeploymentRefused(_refusal(validation))
    result = registry.deploy_contents(
        {draft.file_name: draft.xml.encode()}, None, draft.submitted_by, read_forms=registry.forms_from(draft.forms),
        strict=True, approved_by=user.username, change_note=draft.change_note)
    if not result.deployed:
        raise Conflict("The draft is the same as the deployed version: nothing to deploy")
    version = next((v for v in result.deployed if v.process_id == draft.process_id), result.deployed[0])
    draft.status, draft.reviewed_by, draft.reviewed_at = "deployed", user.username, clock.now()
    draft.deployed_version_id = version.id
    return version


@transactional
def reject_draft(draft_id: int, note: str, *, user: User) -> ProcessDraft:
    _require_owner(user)
    draft = get_draft(draft_id)
    if draft.status != "submitted":
        raise Conflict("Only a submitted draft can be sent back")
    if not note.strip():
        raise ValidationFailed({"review_note": "Say what needs to change"})
    draft.status, draft.review_note = "draft", note.strip()
    draft.reviewed_by, draft.reviewed_at = user.username, clock.now()
    audit.record(None, user.username, "draft_sent_back", f"{draft.process_id} draft {draft.id}: {draft.review_note}")
    return draft


def test_cases(process_id: str) -> list[ProcessTestCase]:
    return db.session.scalars(select(ProcessTestCase).where(ProcessTestCase.process_id == process_id)
                              .order_by(ProcessTestCase.name)).all()


@transactional
def save_test_case(process_id: str, name: str, start_data: dict, steps: list[dict], expected_end: str, *,
                   user: User) -> ProcessTestCase:
    """Save (or replace) a test case: start data, then per step the user task and the data it gets."""
    _require_owner(user)
    errors = {}
    if not name.strip():
        errors["name"] = "Give the test case a name"
    if not expected_end.strip():
        errors["expected_end"] = "Name the end event the case should reach"
    if not isinstance(start_data, dict) or not isinstance(steps, list) or \
            not all(isinstance(s, dict) and s.get("task") for s in steps):
        errors["steps"] = "Each step needs the task it completes and the data as an object"
    if errors:
        raise ValidationFailed(errors)
    case = db.session.scalar(select(ProcessTestCase).where(ProcessTestCase.process_id == process_id,
                                                           ProcessTestCase.name == name.strip()))
    if case is None:
        case = ProcessTestCase(process_id=process_id, name=name.strip())
        db.session.add(case)
    case.start_data, case.steps, case.expected_end = start_data, steps, expected_end.strip()
    case.updated_by, case.updated_at = user.username, clock.now()
    db.session.flush()
    return case


def draft_diff(draft: ProcessDraft) -> DiagramDiff:
    """What the draft changes against the latest deployed version of its process."""
    latest = registry.latest_versions().get(draft.process_id)
    return diff_diagrams(latest.xml if latest else _EMPTY, draft.xml)


def version_diff(version: ProcessVersion) -> DiagramDiff:
    """What a version changed against the one before it."""
    previous = db.session.scalar(select(ProcessVersion).where(ProcessVersion.process_id == version.process_id,
                                                              ProcessVersion.version == version.version - 1))
    return diff_diagrams(previous.xml if previous else _EMPTY, version.xml)


_EMPTY = "<definitions/>"
