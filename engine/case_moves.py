"""Move running cases to a newer version of their diagram: a dry run case by case, then a batch.

In the batch each case moves in its own transaction: one that fails stays, untouched, on its old
version, and the others still move. Every move is in the case's history.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select, update
from sqlalchemy.orm import attributes
from sqlalchemy.orm.util import identity_key

from . import audit, instances, spiff
from .diagram_api import StepEffects, collecting
from .errors import Conflict, EngineError, NotFound
from .models import Case, HumanTask, ProcessInstance, ProcessVersion, db
from .registry import specs_for
from .spiff.moving import CannotMove, move_workflow
from .transaction import transactional


@dataclass
class MovePlan:
    reference: str
    can_move: bool
    reason: str = ""
    deadline_changes: list[str] = field(default_factory=list)


def find_cases(process_id: str, *, version: int | None = None, stage: str | None = None) -> list[Case]:
    """Open cases whose procedure runs a version of `process_id` (optionally that version, that stage)."""
    query = (select(Case).join(ProcessInstance, ProcessInstance.id == Case.process_instance_id)
             .join(ProcessVersion, ProcessVersion.id == ProcessInstance.process_version_id)
             .where(ProcessVersion.process_id == process_id, Case.status == "open",
                    ProcessInstance.status == "running")
             .order_by(Case.id))
    if version is not None:
        query = query.where(ProcessVersion.version == version)
    if stage:
        query = query.where(Case.stage == stage)
    return db.session.scalars(query).all()


def _target(process_id: str, version_number: int) -> ProcessVersion:
    target = db.session.scalar(select(ProcessVersion).where(ProcessVersion.process_id == process_id,
                                                            ProcessVersion.version == version_number))
    if target is None:
        raise NotFound(f"{process_id} has no version {version_number}")
    return target


def _move_in_memory(case: Case, target: ProcessVersion, *, for_update: bool = False):
    """Load the case, move its workflow onto `target` and run it; return (loaded, effects, timers before)."""
    loaded = instances.load(case, for_update=for_update)
    if loaded.instance.process_version_id == target.id:
        raise CannotMove(f"it already runs version {target.version}")
    current = db.session.get(ProcessVersion, loaded.instance.process_version_id)
    if current.process_id != target.process_id:
        raise CannotMove(f"it follows {current.process_id}, not {target.process_id}")
    timers_before = {t.spec_id: t.due_at for t in spiff.waiting_timers(loaded.workflow)}
    spec, subprocess_specs = specs_for(target.id)
    effects = StepEffects(known_deadlines={d.step: instances.deadline_change(d) for d in case.deadlines})
    with collecting(effects):
        move_workflow(loaded.workflow, spec, subprocess_specs, f"version {target.version}")
    return loaded, effects, timers_before


def _changes(case: Case, effects, timers_before: dict, workflow) -> list[str]:
    changes = []
    for step, change in sorted(effects.deadlines.items()):
        before = effects.known_deadlines.get(step)
        if before is None:
            changes.append(f"{step}: new deadline {change.due_on.isoformat()}")
        elif before.due_on != change.due_on:
            changes.append(f"{step}: {before.due_on.isoformat()} → {change.due_on.isoformat()}")
    after = {t.spec_id: t.due_at for t in spiff.waiting_timers(workflow)}
    for spec_id in sorted(set(timers_before) | set(after)):
        old, new = timers_before.get(spec_id), after.get(spec_id)
        if old != new:
            changes.append(f"timer {spec_id}: {old.isoformat() if old else 'none'} → {new.isoformat() if new else 'none'}")
    return changes


def plan_moves(cases: list[Case], process_id: str, version_number: int) -> list[MovePlan]:
    """The dry run: for each case, whether it can move and which deadlines would change. Nothing is saved."""
    target = _target(process_id, version_number)
    plans = []
    for case in cases:
        try:
            loaded, effects, timers_before = _move_in_memory(case, target)
        except CannotMove as err:
            plans.append(MovePlan(case.reference, False, str(err)))
            continue
        except Exception as err:  # noqa: BLE001 (the diagram failed on this case: say so, try the next)
            plans.append(MovePlan(case.reference, False, f"the new version fails on it: {type(err).__name__}: {err}"))
            continue
        plans.append(MovePlan(case.reference, True, "", _changes(case, effects, timers_before, loaded.workflow)))
    db.session.rollback()  # the dry run loaded workflows and touched nothing; leave the session clean
    return plans


@transactional
def move_case(reference: str, process_id: str, version_number: int, *, actor: str) -> MovePlan:
    """Move one case in its own transaction; on any failure nothing of it changes."""
    case = db.session.scalar(select(Case).where(Case.reference == reference))
    if case is None:
        raise NotFound(f"No case {reference}")
    target = _target(process_id, version_number)
    old_version = db.session.get(ProcessVersion, db.session.get(ProcessInstance, case.process_instance_id)
                                 .process_version_id).version
    try:
        loaded, effects, timers_before = _move_in_memory(case, target, for_update=True)
    except CannotMove as err:
        raise Conflict(f"{reference} cannot move: {err}") from None
    changes = _changes(case, effects, timers_before, loaded.workflow)
    _repoint(loaded.instance, target.id)
    instances.save(loaded, effects, actor)
    audit.record(case.id, actor, "case_moved", f"{process_id} version {old_version} → {target.version}"
                 + (f"; {'; '.join(changes)}" if changes else "; no deadline changes"))
    return MovePlan(reference, True, "", changes)


def _repoint(instance: instances.InstanceRow, version_id: int) -> None:
    db.session.execute(update(ProcessInstance.__table__).where(ProcessInstance.__table__.c.id == instance.id)
                       .values(process_version_id=version_id))
    db.session.execute(update(HumanTask.__table__).where(HumanTask.__table__.c.instance_id == instance.id)
                       .values(process_version_id=version_id))
    instance.process_version_id = version_id  # the loaded instance's plain row (instances.InstanceRow)
    loaded_row = db.session.identity_map.get(identity_key(ProcessInstance, instance.id))
    if loaded_row is not None:  # e.g. read above for the old version number: keep it true in this transaction
        attributes.set_committed_value(loaded_row, "process_version_id", version_id)


@dataclass
class BatchResult:
    moved: list[MovePlan] = field(default_factory=list)
    failed: list[MovePlan] = field(default_factory=list)


def move_cases(references: list[str], process_id: str, version_number: int, *, actor: str) -> BatchResult:
    """Apply the move case by case; a case that fails is reported and left on its old version."""
    result = BatchResult()
    for reference in references:
        try:
            result.moved.append(move_case(reference, process_id, version_number, actor=actor))
        except EngineError as err:
            result.failed.append(MovePlan(reference, False, str(err)))
        except Exception as err:  # noqa: BLE001 (one broken case must not stop the batch)
            result.failed.append(MovePlan(reference, False, f"{type(err).__name__}: {err}"))
    return result
