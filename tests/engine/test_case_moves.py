"""Moving running cases to a new version: a dry run case by case, then a batch where each case moves alone."""
import itertools
from datetime import date
import json

import pytest
from sqlalchemy import select

from engine import case_moves, human_tasks, instances, registry
from engine.errors import Conflict
from engine.models import AuditEvent, Case, HumanTask, ProcessInstance, db
from tests.diagrams import NOTE_FORM, two_tasks
from tests.factories import case_on_version

TIMER_ON_ACK = ('<bpmn:boundaryEvent id="Timer_ack_late" name="Acknowledgement late" attachedToRef="Task_ack" '
                'cancelActivity="false"><bpmn:timerEventDefinition><bpmn:timeDuration>"P5D"</bpmn:timeDuration>'
                '</bpmn:timerEventDefinition></bpmn:boundaryEvent>'
                '<bpmn:sequenceFlow id="Flow_late" sourceRef="Timer_ack_late" targetRef="End_late" />'
                '<bpmn:endEvent id="End_late" name="Late noted" />')
_serial = itertools.count(1)


def deploy(folder, pid, **kwargs):
    (folder / "forms").mkdir(exist_ok=True)
    (folder / "forms" / "note.json").write_text(json.dumps(NOTE_FORM))
    path = folder / f"{pid}.bpmn"
    path.write_text(two_tasks(pid, **kwargs))
    result = registry.deploy_paths([path], "cli")
    db.session.commit()
    return (result.deployed or result.unchanged)[0]


@pytest.fixture
def versions(app, tmp_path):
    pid = f"movable_{next(_serial)}"
    v1 = deploy(tmp_path, pid, extra=TIMER_ON_ACK)
    v2 = deploy(tmp_path, pid, ack_name="Acknowledge (new wording)", extra=TIMER_ON_ACK.replace('"P5D"', '"P10D"'))
    return pid, v1, v2


def version_of(case) -> int:
    db.session.expire_all()
    instance = db.session.get(ProcessInstance, db.session.get(Case, case.id).process_instance_id)
    return instance.process_version.version


def test_a_case_at_a_task_the_new_version_keeps_moves_and_its_timer_starts_again(versions):
    pid, v1, v2 = versions
    case = case_on_version(v1.id)
    task_id = db.session.scalar(select(HumanTask.id).where(HumanTask.case_id == case.id))
    [plan] = case_moves.plan_moves([case], pid, 2)
    assert plan.can_move, plan.reason
    [change] = plan.deadline_changes
    before, after = change.removeprefix("timer Timer_ack_late: ").split(" → ")
    assert (date.fromisoformat(after[:10]) - date.fromisoformat(before[:10])).days == 5
    assert version_of(case) == 1  # the dry run saved nothing
    case_moves.move_case(case.reference, pid, 2, actor="po.mover")
    assert version_of(case) == 2
    task = db.session.get(HumanTask, task_id)
    assert task is not None and task.process_version_id == v2.id  # same task, claims survive
    history = db.session.scalars(select(AuditEvent).where(AuditEvent.case_id == case.id,
                                                          AuditEvent.event == "case_moved")).all()
    assert len(history) == 1 and history[0].detail.startswith(f"{pid} version 1 → 2; timer Timer_ack_late")
    # The moved case runs on: complete both tasks on the new version.
    loaded = instances.load(db.session.get(Case, case.id))
    assert loaded.instance.process_version_id == v2.id


def test_a_case_at_a_task_the_new_version_removed_is_refused(app, tmp_path):
    pid = f"shrinking_{next(_serial)}"
    v1 = deploy(tmp_path, pid)
    case = case_on_version(v1.id)
    removed = two_tasks(pid).replace('<bpmn:userTask id="Task_ack"', '<bpmn:userTask id="Task_ack_renamed"') \
        .replace("Task_ack<", "Task_ack_renamed<").replace('"Task_ack"', '"Task_ack_renamed"')
    (tmp_path / f"{pid}.bpmn").write_text(removed)
    registry.deploy_paths([tmp_path / f"{pid}.bpmn"], "cli")
    db.session.commit()
    [plan] = case_moves.plan_moves([case], pid, 2)
    assert not plan.can_move
    assert plan.reason == '"Acknowledge" (Task_ack) is where the case is' or \
        plan.reason == 'the case is at "Acknowledge" (Task_ack), which version 2 does not have'
    with pytest.raises(Conflict):
        case_moves.move_case(case.reference, pid, 2, actor="po.mover")
    assert version_of(case) == 1


def test_selecting_cases_by_procedure_version_and_stage(versions):
    pid, v1, v2 = versions
    first = case_on_version(v1.id, stage="stage1")
    second = case_on_version(v1.id, stage="stage2")
    third = case_on_version(v2.id, stage="stage1")
    assert [c.id for c in case_moves.find_cases(pid)] == [first.id, second.id, third.id]
    assert [c.id for c in case_moves.find_cases(pid, version=1)] == [first.id, second.id]
    assert [c.id for c in case_moves.find_cases(pid, version=1, stage="stage2")] == [second.id]


def test_a_batch_of_200_with_one_failing_case_left_untouched(versions, monkeypatch):
    pid, v1, _ = versions
    cases = [case_on_version(v1.id) for _ in range(200)]
    # One case is further on: at "Reply", which the new version also has; it will fail in the batch instead.
    failing = cases[137]
    loaded = instances.load(failing)
    task = db.session.get(HumanTask, db.session.scalar(select(HumanTask.id).where(HumanTask.case_id == failing.id)))
    state_before = loaded.instance.state
    plans = case_moves.plan_moves(case_moves.find_cases(pid, version=1), pid, 2)
    assert len(plans) == 200 and all(p.can_move for p in plans)
    assert all(len(p.deadline_changes) == 1 for p in plans)

    real_save = instances.save

    def save_failing_once(loaded, effects, actor):
        real_save(loaded, effects, actor)
        if loaded.case.reference == failing.reference:
            raise RuntimeError("disk full")  # after the workflow and read models were written

    monkeypatch.setattr(instances, "save", save_failing_once)
    result = case_moves.move_cases([c.reference for c in cases], pid, 2, actor="po.mover")
    assert len(result.moved) == 199
    assert [(f.reference, f.reason) for f in result.failed] == [(failing.reference, "RuntimeError: disk full")]
    assert version_of(failing) == 1
    db.session.expire_all()
    assert db.session.get(ProcessInstance, failing.process_instance_id).state == state_before
    assert db.session.get(HumanTask, task.id).process_version_id == v1.id
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.case_id == failing.id,
                                                      AuditEvent.event == "case_moved")) is None
    assert {version_of(c) for c in cases if c.id != failing.id} == {2}
    assert case_moves.find_cases(pid, version=1)[0].id == failing.id
