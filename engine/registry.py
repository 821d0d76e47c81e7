"""Deployed process versions: check, store, parse once and cache.

A deployment stores a new version only when the file (or a form it uses)
changed; running cases keep the version they started on, because each
process instance points at its version row.
"""
from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass, field
from pathlib import Path

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError
from sqlalchemy import func, select

from . import audit, spiff
from .errors import DeploymentRefused, NotFound
from .models import ProcessVersion, db, utcnow

DIAGRAM_SUFFIXES = (".bpmn", ".dmn")


@dataclass
class DeployResult:
    deployed: list[ProcessVersion] = field(default_factory=list)
    unchanged: list[ProcessVersion] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _load_forms(paths: dict[str, Path], report: spiff.CheckReport) -> dict[str, dict[str, dict]]:
    """Read the JSON Schema forms each file refers to, relative to that file's folder."""
    return _check_forms(report, lambda name, form_name: (paths[name].parent / form_name).read_text())


def forms_from(given: dict[str, str | dict]):
    """A form source for check_contents: forms given by name (a draft's), as JSON text or parsed."""
    def read(_name: str, form_name: str) -> str:
        if form_name not in given:
            raise FileNotFoundError(form_name)
        value = given[form_name]
        return value if isinstance(value, str) else json.dumps(value)
    return lambda report: _check_forms(report, read)


def _check_forms(report: spiff.CheckReport, read) -> dict[str, dict[str, dict]]:
    forms: dict[str, dict[str, dict]] = {}
    for name, form_names in report.forms.items():
        forms[name] = {}
        for form_name in sorted(form_names):
            try:
                schema = json.loads(read(name, form_name))
                Draft202012Validator.check_schema(schema)
            except FileNotFoundError:
                report.errors.append(f"{name}: form {form_name} does not exist")
                continue
            except json.JSONDecodeError as err:
                report.errors.append(f"{name}: form {form_name} is not valid JSON: {err}")
                continue
            except SchemaError as err:
                report.errors.append(f"{name}: form {form_name} is not a valid JSON Schema: {err.message}")
                continue
            forms[name][form_name] = schema
    return forms


def _bundle_hash(content: bytes, forms: dict[str, dict]) -> str:
    digest = hashlib.sha256(content)
    digest.update(json.dumps(forms, sort_keys=True).encode())
    return digest.hexdigest()


_LATEST_CACHE: dict[str, tuple[int, dict[str, int], float]] = {}
# Another process's deployment is noticed within this many seconds; this process's at once.
LATEST_RECHECK_SECONDS = 5.0


def latest_versions() -> dict[str, ProcessVersion]:
    """Return the newest version of every deployed process or decision, by id."""
    ids = _latest_version_ids()
    rows = db.session.scalars(select(ProcessVersion).where(ProcessVersion.id.in_(ids.values())))
    return {row.process_id: row for row in rows}


def latest_version_id(process_id: str) -> int | None:
    return _latest_version_ids().get(process_id)


def _latest_version_ids() -> dict[str, int]:
    # Versions are only ever added, so the highest id tells whether anything was deployed since
    # (by this process or another): one indexed query instead of reading every version row.
    key = db.engine.url.render_as_string()
    cached = _LATEST_CACHE.get(key)
    if cached is not None and time.monotonic() - cached[2] < LATEST_RECHECK_SECONDS:
        return cached[1]
    newest = db.session.scalar(select(func.max(ProcessVersion.id))) or 0
    if cached is None or cached[0] != newest:
        latest = (
            select(ProcessVersion.process_id, func.max(ProcessVersion.version).label("version"))
            .group_by(ProcessVersion.process_id)
            .subquery()
        )
        rows = db.session.execute(
            select(ProcessVersion.process_id, ProcessVersion.id).join(
                latest,
                (ProcessVersion.process_id == latest.c.process_id) & (ProcessVersion.version == latest.c.version),
            )
        ).all()
        cached = (newest, dict(rows))
    _LATEST_CACHE[key] = (*cached[:2], time.monotonic())
    return cached[1]


def get_version(version_id: int) -> ProcessVersion:
    """Return a version row; the session's identity map makes repeats free within a step."""
    return db.session.get(ProcessVersion, version_id)


def deploy_paths(paths: list[Path], deployed_by: str) -> DeployResult:
    """Check and deploy diagram files; refuse all of them, with every reason, if any is broken."""
    by_name = {path.name: path for path in paths}
    if len(by_name) != len(paths):
        raise DeploymentRefused(["two files with the same name in one deployment"])
    contents = {}
    for name, path in by_name.items():
        try:
            contents[name] = path.read_bytes()
        except OSError as err:
            raise DeploymentRefused([f"{name}: cannot be read: {err.strerror}"]) from None
    return deploy_contents(contents, by_name, deployed_by)


@dataclass
class Checked:
    report: spiff.CheckReport
    forms: dict[str, dict[str, dict]]
    latest: dict[str, ProcessVersion]
    context: dict[str, ProcessVersion]


def check_contents(contents: dict[str, bytes], read_forms, *, strict: bool) -> Checked:
    """Check files against what is deployed, with every reason; `strict` makes the plain-words lint errors.

    The browser path (drafts) is strict. The command line and the start-up load report the lint as
    warnings, because diagrams from other modellers (tests/fixtures/bpmn-corpus) have user tasks
    without lanes or forms and still deploy.
    """
    latest = latest_versions()
    context = _context_for(contents, latest)
    report = spiff.check_files(contents, {v.file_name: v.xml.encode() for v in context.values()})
    forms = read_forms(report) if report.ok else {}
    if report.ok:
        for diagram in report.files:
            if diagram.kind != "bpmn":
                continue
            fields = {key for schema in forms.get(diagram.name, {}).values()
                      for key in (schema.get("properties") or {})}
            problems = [f"{diagram.name}: {problem}" for problem in spiff.lint(diagram.root, fields)]
            (report.errors if strict else report.warnings).extend(problems)
    return Checked(report, forms, latest, context)


def deploy_contents(contents: dict[str, bytes], paths: dict[str, Path] | None, deployed_by: str, *,
                    read_forms=None, strict: bool = False, approved_by: str | None = None,
                    change_note: str | None = None) -> DeployResult:
    checked = check_contents(contents, read_forms or (lambda report: _load_forms(paths, report)), strict=strict)
    report, forms, latest, context = checked.report, checked.forms, checked.latest, checked.context
    if not report.ok:
        raise DeploymentRefused(report.errors)
    result = DeployResult(warnings=list(report.warnings))
    for diagram in report.files:
        bundle_hash = _bundle_hash(diagram.content, forms.get(diagram.name, {}))
        dependencies = [context[i].id for i in sorted(spiff.referenced_ids(diagram)) if i in context]
        for process_id in diagram.ids:
            current = latest.get(process_id)
            if current is not None and current.content_hash == bundle_hash:
                result.unchanged.append(current)
                continue
            if current is not None and current.file_name != diagram.name:
                result.warnings.append(
                    f"{diagram.name}: process {process_id} was deployed from {current.file_name}; "
                    f"this file replaces it as version {current.version + 1}"
                )
            version = ProcessVersion(
                process_id=process_id,
                version=(current.version + 1) if current else 1,
                kind=diagram.kind,
                file_name=diagram.name,
                content_hash=bundle_hash,
                xml=diagram.content.decode("utf-8"),
                forms=forms.get(diagram.name, {}),
                dependency_ids=dependencies,
                deployed_at=utcnow(),
                deployed_by=deployed_by,
                approved_by=approved_by,
                change_note=change_note,
            )
            db.session.add(version)
            result.deployed.append(version)
            audit.record(None, deployed_by, "process_deployed",
                         f"{process_id} version {version.version} from {diagram.name}"
                         + (f", approved by {approved_by}" if approved_by else "")
                         + (f": {change_note}" if change_note else ""))
    db.session.flush()
    _LATEST_CACHE.pop(db.engine.url.render_as_string(), None)
    return result


def _context_for(contents: dict[str, bytes], latest: dict[str, ProcessVersion]) -> dict[str, ProcessVersion]:
    """Return the deployed versions that the new files call and do not themselves replace."""
    scratch = spiff.CheckReport()
    wanted: set[str] = set()
    for name, content in contents.items():
        diagram = spiff.read_diagram(name, content, scratch)
        if diagram is not None:
            wanted |= spiff.referenced_ids(diagram)
    return {i: latest[i] for i in wanted if i in latest}


def deploy_directory(folder: Path, deployed_by: str = "system") -> DeployResult:
    """Deploy every diagram in `folder` (the start-up load of processes/)."""
    paths = sorted(p for p in folder.iterdir() if p.suffix in DIAGRAM_SUFFIXES)
    # Decisions first, so that diagrams calling them find them deployed.
    paths.sort(key=lambda p: p.suffix != ".dmn")
    return deploy_paths(paths, deployed_by)


def latest_version(process_id: str) -> ProcessVersion:
    version = latest_versions().get(process_id)
    if version is None:
        raise NotFound(f"No process {process_id} is deployed")
    return version


_SPEC_CACHE: dict[tuple[str, int], tuple] = {}


def specs_for(version_id: int):
    """Return the parsed (spec, subprocess_specs) of a version, parsing it only the first time."""
    # Version rows never change, so (database, id) identifies the parsed definition for good.
    key = (db.engine.url.render_as_string(), version_id)
    cached = _SPEC_CACHE.get(key)
    if cached is None:
        version = get_version(version_id)
        others = {}
        if version.dependency_ids:
            rows = db.session.scalars(select(ProcessVersion).where(ProcessVersion.id.in_(version.dependency_ids)))
            others = {r.file_name: r.xml.encode() for r in rows}
        cached = spiff.build_specs(version.xml.encode(), version.file_name, others, version.process_id)
        _SPEC_CACHE[key] = cached
    return cached


_FORM_CACHE: dict[tuple[str, int, str], dict] = {}


def decide(decision_id: str, data: dict) -> dict | None:
    """Evaluate the latest deployed version of a DMN decision; None when it is not deployed."""
    version_id = latest_version_id(decision_id)
    if version_id is None:
        return None
    key = (db.engine.url.render_as_string(), version_id)
    return spiff.decide(key, lambda: get_version(version_id).xml, decision_id, data)


def form_schema(version_id: int, form_name: str | None) -> dict:
    """Return the JSON Schema of a form stored with the version (an empty form if none)."""
    if not form_name:
        return {"type": "object", "properties": {}, "required": []}
    key = (db.engine.url.render_as_string(), version_id, form_name)
    if key not in _FORM_CACHE:
        _FORM_CACHE[key] = get_version(version_id).forms[form_name]
    return _FORM_CACHE[key]


def all_versions() -> list[ProcessVersion]:
    return db.session.scalars(select(ProcessVersion).order_by(ProcessVersion.process_id, ProcessVersion.version)).all()
