"""Versioned, reviewed deployment: a draft becomes a version only when a second process owner approves it."""
import itertools
import json

import pytest
from sqlalchemy import select

from engine import drafts, registry
from engine.errors import Conflict, DeploymentRefused, Forbidden, ValidationFailed
from engine.models import AuditEvent, db
from tests.diagrams import NOTE_FORM, two_tasks
from tests.factories import make_user


_serial = itertools.count(1)


@pytest.fixture
def deployed(app, tmp_path):
    """A fresh process (versions outlive each test), deployed once from the command line."""
    pid = f"reviewed_{next(_serial)}"
    (tmp_path / "forms").mkdir()
    (tmp_path / "forms" / "note.json").write_text(json.dumps(NOTE_FORM))
    path = tmp_path / f"{pid}.bpmn"
    path.write_text(two_tasks(pid))
    registry.deploy_paths([path], "cli")
    db.session.commit()
    return registry.latest_version(pid)


def owner(name):
    return make_user(username=name, roles=("process_owner",), teams=())


def test_a_draft_needs_a_second_process_owner(deployed):
    alice, bob = owner("alice.po"), owner("bob.po")
    draft = drafts.create_draft(deployed.id, user=alice)
    drafts.save_draft(draft.id, two_tasks(deployed.process_id, ack_name="Acknowledge the contact"), user=alice)
    drafts.submit_draft(draft.id, "Clearer task name", user=alice)
    with pytest.raises(Forbidden):
        drafts.approve_draft(draft.id, user=alice)
    assert registry.latest_version(deployed.process_id).version == 1
    version = drafts.approve_draft(draft.id, user=bob)
    assert (version.version, version.deployed_by, version.approved_by, version.change_note) == \
        (2, "alice.po", "bob.po", "Clearer task name")
    assert registry.latest_version(deployed.process_id).id == version.id
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.event == "process_deployed")
                               .order_by(AuditEvent.id.desc())).first()
    assert event.detail == (f"{deployed.process_id} version 2 from {deployed.process_id}.bpmn, "
                            "approved by bob.po: Clearer task name")


def test_only_process_owners_draft_or_approve(deployed):
    officer = make_user(username="just.officer")
    with pytest.raises(Forbidden):
        drafts.create_draft(deployed.id, user=officer)
    alice = owner("alice2.po")
    draft = drafts.create_draft(deployed.id, user=alice)
    drafts.save_draft(draft.id, two_tasks(deployed.process_id, ack_name="Renamed"), user=alice)
    drafts.submit_draft(draft.id, "Rename", user=alice)
    with pytest.raises(Forbidden):
        drafts.approve_draft(draft.id, user=officer)


def test_a_change_after_submission_needs_submitting_again(deployed):
    alice, bob = owner("alice3.po"), owner("bob3.po")
    draft = drafts.create_draft(deployed.id, user=alice)
    drafts.save_draft(draft.id, two_tasks(deployed.process_id, ack_name="First"), user=alice)
    drafts.submit_draft(draft.id, "First try", user=alice)
    drafts.save_draft(draft.id, two_tasks(deployed.process_id, ack_name="Second"), user=alice)
    with pytest.raises(Conflict):
        drafts.approve_draft(draft.id, user=bob)


def test_the_editor_cannot_approve_what_they_changed(deployed):
    alice, bob = owner("alice4.po"), owner("bob4.po")
    draft = drafts.create_draft(deployed.id, user=alice)
    drafts.save_draft(draft.id, two_tasks(deployed.process_id, ack_name="Bob's edit"), user=bob)
    drafts.submit_draft(draft.id, "Bob edited, Alice submits", user=alice)
    with pytest.raises(Forbidden):
        drafts.approve_draft(draft.id, user=bob)


def test_submission_needs_a_change_note_and_a_valid_diagram(deployed):
    alice = owner("alice5.po")
    draft = drafts.create_draft(deployed.id, user=alice)
    with pytest.raises(ValidationFailed):
        drafts.submit_draft(draft.id, "  ", user=alice)
    drafts.save_draft(draft.id, two_tasks(deployed.process_id, script="import os"), user=alice)
    with pytest.raises(DeploymentRefused) as refused:
        drafts.submit_draft(draft.id, "Break it", user=alice)
    assert "may not import modules" in refused.value.reasons[0]
    assert drafts.get_draft(draft.id).status == "draft"


def test_a_sent_back_draft_is_not_deployed(deployed):
    alice, bob = owner("alice6.po"), owner("bob6.po")
    draft = drafts.create_draft(deployed.id, user=alice)
    drafts.save_draft(draft.id, two_tasks(deployed.process_id, ack_name="Maybe"), user=alice)
    drafts.submit_draft(draft.id, "Maybe", user=alice)
    drafts.reject_draft(draft.id, "Keep the old name", user=bob)
    assert drafts.get_draft(draft.id).status == "draft"
    assert registry.latest_version(deployed.process_id).version == 1


def test_the_diff_names_elements_added_removed_and_changed(deployed):
    alice = owner("alice7.po")
    draft = drafts.create_draft(deployed.id, user=alice)
    changed = two_tasks(deployed.process_id, ack_name="Acknowledge the contact",
                        extra='<bpmn:task id="Task_new" name="Check spelling" />').replace(
        '<bpmn:endEvent id="End_done" name="Answered" />', '<bpmn:endEvent id="End_other" name="Closed" />'
    ).replace('targetRef="End_done"', 'targetRef="End_other"')
    drafts.save_draft(draft.id, changed, user=alice)
    diff = drafts.draft_diff(drafts.get_draft(draft.id))
    assert 'task "Check spelling" (Task_new)' in diff.added
    assert 'endEvent "Closed" (End_other)' in diff.added
    assert diff.removed == ['endEvent "Answered" (End_done)']
    assert 'userTask "Acknowledge the contact" (Task_ack) (was "Acknowledge")' in diff.changed
    assert "sequenceFlow Flow_4" in diff.changed


def test_a_version_diff_ignores_layout(deployed):
    from engine.spiff.diagram_diff import diff_diagrams

    moved = deployed.xml.replace("</bpmn:definitions>", '<bpmndi:BPMNDiagram id="D1"><bpmndi:BPMNPlane id="Pl1" '
                                 f'bpmnElement="Collab_{deployed.process_id}" /></bpmndi:BPMNDiagram></bpmn:definitions>')
    assert diff_diagrams(deployed.xml, moved).empty


def test_running_cases_keep_their_version(deployed):
    from engine.models import Case
    from tests.factories import case_on_version

    alice, bob = owner("alice8.po"), owner("bob8.po")
    case = case_on_version(deployed.id)
    draft = drafts.create_draft(deployed.id, user=alice)
    drafts.save_draft(draft.id, two_tasks(deployed.process_id, ack_name="New name"), user=alice)
    drafts.submit_draft(draft.id, "Rename", user=alice)
    drafts.approve_draft(draft.id, user=bob)
    assert db.session.get(Case, case.id).instance.process_version_id == deployed.id
