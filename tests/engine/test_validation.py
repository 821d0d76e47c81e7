"""Validation before deployment: every problem of a broken diagram, in plain words against the element's name,
and a dry run of the diagram's own test cases."""
import json

import pytest

from engine import drafts, registry
from engine.errors import DeploymentRefused
from engine.models import db
from tests.diagrams import NOTE_FORM, two_tasks
from tests.factories import make_user

FORMS = {"forms/note.json": NOTE_FORM}


def problems(xml: str, forms=FORMS, name="broken.bpmn") -> list[str]:
    checked = registry.check_contents({name: xml.encode()}, registry.forms_from(forms), strict=True)
    return checked.report.errors


def test_a_sound_diagram_has_no_problems(app):
    assert problems(two_tasks("sound")) == []


BROKEN = {
    "not xml": ("<bpmn:definitions", "not well-formed XML"),
    "not BPMN": ('<?xml version="1.0"?><notes><note/></notes>', "not a BPMN 2.0 or DMN document"),
    "schema": (two_tasks("schema_bad").replace('<bpmn:endEvent id="End_done" name="Answered" />',
                                                '<bpmn:endEvent id="End_done" name="Answered"><bpmn:oops/></bpmn:endEvent>'),
               "does not match the BPMN 2.0 schema: line 33: Element '{http://www.omg.org/spec/BPMN/20100524/MODEL}oops': "
               "This element is not expected"),
    "unreachable": (two_tasks("island", extra='<bpmn:task id="Task_island" name="Forgotten step" />'),
                    '"Forgotten step" (Task_island) cannot be reached: no path leads to it from a start event'),
    "no lane": (two_tasks("laneless").replace("<bpmn:flowNodeRef>Task_reply</bpmn:flowNodeRef>", ""),
                'user task "Reply" (Task_reply) is in no lane, so nobody would be given it'),
    "no form": (two_tasks("formless").replace(
        '<spiffworkflow:property name="formJsonSchemaFilename" value="forms/note.json" />\n      '
        '</spiffworkflow:properties></bpmn:extensionElements>\n    </bpmn:userTask>\n    '
        '<bpmn:sequenceFlow id="Flow_4"', '</spiffworkflow:properties></bpmn:extensionElements>\n    '
        '</bpmn:userTask>\n    <bpmn:sequenceFlow id="Flow_4"'),
                'user task "Reply" (Task_reply) has no form'),
    "missing form file": (two_tasks("form_gone"), "form forms/note.json does not exist"),
    "timer without quotes": (two_tasks("bad_timer", extra=(
        '<bpmn:boundaryEvent id="Timer_late" name="Reply is late" attachedToRef="Task_reply" cancelActivity="false">'
        '<bpmn:timerEventDefinition><bpmn:timeDuration>P10D</bpmn:timeDuration></bpmn:timerEventDefinition>'
        '</bpmn:boundaryEvent>')),
        'timer "Reply is late" (Timer_late): timeDuration uses P10D, which no script, form or start data sets'),
    "timer not a duration": (two_tasks("bad_duration", extra=(
        '<bpmn:boundaryEvent id="Timer_late" name="Reply is late" attachedToRef="Task_reply" cancelActivity="false">'
        '<bpmn:timerEventDefinition><bpmn:timeDuration>"ten days"</bpmn:timeDuration></bpmn:timerEventDefinition>'
        '</bpmn:boundaryEvent>')),
        "timeDuration gives 'ten days', which is not an ISO 8601 duration"),
    "timer that fails": (two_tasks("failing_timer", extra=(
        '<bpmn:boundaryEvent id="Timer_late" name="Reply is late" attachedToRef="Task_reply" cancelActivity="false">'
        '<bpmn:timerEventDefinition><bpmn:timeDate>end_of_day("not a date")</bpmn:timeDate></bpmn:timerEventDefinition>'
        '</bpmn:boundaryEvent>')),
        'timer "Reply is late" (Timer_late): timeDate does not evaluate'),
    "script escapes": (two_tasks("escaping", script="data = open('/etc/passwd').read()"),
                       'Script_note: script does not compile: Line 1: "open" is not available to diagram code'),
    "condition does not compile": (two_tasks("bad_condition").replace(
        '<bpmn:sequenceFlow id="Flow_2" sourceRef="Task_ack" targetRef="Script_note" />',
        '<bpmn:sequenceFlow id="Flow_2" sourceRef="Task_ack" targetRef="Script_note">'
        '<bpmn:conditionExpression>x ==</bpmn:conditionExpression></bpmn:sequenceFlow>'),
        "Flow_2: conditionExpression does not compile"),
}


@pytest.mark.parametrize("xml,expected", BROKEN.values(), ids=list(BROKEN))
def test_broken_diagrams_are_explained(app, xml, expected):
    forms = {} if "form_gone" in xml else FORMS
    found = problems(xml, forms)
    assert any(expected in p for p in found), found


def test_a_good_fixed_timer_passes(app):
    xml = two_tasks("good_timer", extra=(
        '<bpmn:boundaryEvent id="Timer_late" name="Reply is late" attachedToRef="Task_reply" cancelActivity="false">'
        '<bpmn:timerEventDefinition><bpmn:timeDuration>"P10D"</bpmn:timeDuration></bpmn:timerEventDefinition>'
        '</bpmn:boundaryEvent>'))
    assert problems(xml) == []


def test_every_problem_is_listed_at_once(app):
    xml = two_tasks("many", extra='<bpmn:task id="Task_island" name="Forgotten step" />').replace(
        "<bpmn:flowNodeRef>Task_reply</bpmn:flowNodeRef>", "")
    found = problems(xml)
    assert len(found) == 2


def test_the_command_line_path_reports_the_lint_as_warnings(app, tmp_path):
    path = tmp_path / "warned.bpmn"
    path.write_text(two_tasks("warned", extra='<bpmn:task id="Task_island" name="Forgotten step" />'))
    (tmp_path / "forms").mkdir()
    (tmp_path / "forms" / "note.json").write_text(json.dumps(NOTE_FORM))
    result = registry.deploy_paths([path], "cli")
    db.session.commit()
    assert [v.version for v in result.deployed] == [1]
    assert any("cannot be reached" in w for w in result.warnings)


def _owner(name):
    return make_user(username=name, roles=("process_owner",), teams=())


def _draft_of(process_id, tmp_path, xml, owner):
    from pathlib import Path

    folder = Path(tmp_path)
    (folder / "forms").mkdir(exist_ok=True)
    (folder / "forms" / "note.json").write_text(json.dumps(NOTE_FORM))
    (folder / f"{process_id}.bpmn").write_text(two_tasks(process_id))
    registry.deploy_paths([folder / f"{process_id}.bpmn"], "cli")
    db.session.commit()
    draft = drafts.create_draft(registry.latest_version(process_id).id, user=owner)
    return drafts.save_draft(draft.id, xml, user=owner)


def test_test_cases_are_dry_run_before_submission(app, tmp_path):
    owner = _owner("po.tests")
    draft = _draft_of("tested", tmp_path, two_tasks("tested"), owner)
    drafts.save_test_case("tested", "straight through", {}, [
        {"task": "Acknowledge", "data": {"note": "thanks"}}, {"task": "Task_reply", "data": {}}], "Answered",
        user=owner)
    drafts.save_test_case("tested", "wrong path", {}, [{"task": "Reply", "data": {}}], "Answered", user=owner)
    validation = drafts.validate_draft(drafts.get_draft(draft.id))
    results = {t.name: t for t in validation.tests}
    assert results["straight through"].passed, results["straight through"].message
    assert not results["wrong path"].passed
    assert results["wrong path"].message == 'step 1: expected "Reply" but the case is waiting at "Acknowledge"'
    with pytest.raises(DeploymentRefused) as refused:
        drafts.submit_draft(draft.id, "Try it", user=owner)
    assert refused.value.reasons == ['test case "wrong path": step 1: expected "Reply" but the case is waiting '
                                     'at "Acknowledge"']


def test_a_test_case_catches_a_script_that_fails_at_run_time(app, tmp_path):
    owner = _owner("po.runtime")
    draft = _draft_of("runtime", tmp_path, two_tasks("runtime", script="noted = 9 ** 999999"), owner)
    drafts.save_test_case("runtime", "path", {}, [{"task": "Acknowledge", "data": {}}], "Answered", user=owner)
    [result] = drafts.validate_draft(drafts.get_draft(draft.id)).tests
    assert not result.passed and "too large a number" in result.message
