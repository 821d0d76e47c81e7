"""Deploying process models: versions, no-op redeploys, refusals with every reason, the outside corpus."""
from pathlib import Path

import pytest
from sqlalchemy import func, select

from engine import registry
from engine.errors import DeploymentRefused
from engine.models import ProcessVersion, db

# Diagrams written by other people in Camunda Modeler (copied from ../shared/bpmn-corpus with their README).
CORPUS = Path(__file__).resolve().parents[1] / "fixtures" / "bpmn-corpus"
CORPUS_FILES = sorted(CORPUS.glob("*.bpmn"))
PROCESSES = Path(__file__).resolve().parents[2] / "processes"

MINIMAL = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="Defs_{pid}"
    targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="{pid}" isExecutable="true">
    <bpmn:startEvent id="Start" />
    <bpmn:sequenceFlow id="F1" sourceRef="Start" targetRef="Script" />
    <bpmn:scriptTask id="Script"><bpmn:script>{script}</bpmn:script></bpmn:scriptTask>
    <bpmn:sequenceFlow id="F2" sourceRef="Script" targetRef="Gate" />
    <bpmn:exclusiveGateway id="Gate" default="F4" />
    <bpmn:sequenceFlow id="F3" sourceRef="Gate" targetRef="End">
      <bpmn:conditionExpression>{condition}</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="F4" sourceRef="Gate" targetRef="End" />
    <bpmn:endEvent id="End" />
  </bpmn:process>
</bpmn:definitions>
"""


def write_diagram(tmp_path, pid="tiny_process", script="x = 1", condition="x == 1", name=None):
    path = tmp_path / (name or f"{pid}.bpmn")
    path.write_text(MINIMAL.format(pid=pid, script=script, condition=condition))
    return path


def version_count(process_id: str) -> int:
    return db.session.scalar(select(func.count()).where(ProcessVersion.process_id == process_id))


def test_processes_folder_is_deployed_at_start_up(app):
    deployed = registry.latest_versions()
    for path in PROCESSES.glob("*.bpmn"):
        assert path.stem in deployed or any(v.file_name == path.name for v in deployed.values())
    assert "procedure_for_contact" in deployed


def test_deploying_identical_content_is_a_no_op(app, tmp_path):
    path = write_diagram(tmp_path, pid="noop_process")
    first = registry.deploy_paths([path], "tester")
    second = registry.deploy_paths([path], "tester")
    db.session.commit()
    assert [v.version for v in first.deployed] == [1]
    assert second.deployed == [] and [v.version for v in second.unchanged] == [1]
    assert version_count("noop_process") == 1


def test_changed_content_becomes_the_next_version(app, tmp_path):
    registry.deploy_paths([write_diagram(tmp_path, pid="changing_process")], "tester")
    result = registry.deploy_paths([write_diagram(tmp_path, pid="changing_process", script="x = 2")], "owner")
    db.session.commit()
    latest = registry.latest_version("changing_process")
    assert [v.version for v in result.deployed] == [2]
    assert latest.version == 2 and latest.deployed_by == "owner" and "x = 2" in latest.xml
    assert len(latest.content_hash) == 64


def test_malformed_xml_is_refused_with_the_reason(app, tmp_path):
    path = tmp_path / "broken.bpmn"
    path.write_text("<bpmn:definitions xmlns:bpmn='http://www.omg.org/spec/BPMN/20100524/MODEL'><oops>")
    with pytest.raises(DeploymentRefused) as refused:
        registry.deploy_paths([path], "tester")
    assert "not well-formed XML" in refused.value.reasons[0]


def test_every_reason_is_reported_and_nothing_is_deployed(app, tmp_path):
    good = write_diagram(tmp_path, pid="good_process")
    bad = write_diagram(tmp_path, pid="bad_process", script="import os\nos.system('true')", condition="x ==")
    with pytest.raises(DeploymentRefused) as refused:
        registry.deploy_paths([good, bad], "tester")
    db.session.rollback()
    reasons = " | ".join(refused.value.reasons)
    assert "Script: script does not compile: scripts may not import modules" in reasons
    assert "F3: conditionExpression does not compile" in reasons
    assert version_count("good_process") == 0 and version_count("bad_process") == 0


def test_dunder_escapes_are_refused_at_deploy(app, tmp_path):
    bad = write_diagram(tmp_path, pid="escape_process", script="y = ().__class__.__bases__")
    with pytest.raises(DeploymentRefused) as refused:
        registry.deploy_paths([bad], "tester")
    assert "__class__" in refused.value.reasons[0]


def test_unknown_references_are_refused(app, tmp_path):
    path = tmp_path / "calls_nothing.bpmn"
    path.write_text("""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="D" targetNamespace="x">
  <bpmn:process id="calls_nothing" isExecutable="true">
    <bpmn:startEvent id="Start" />
    <bpmn:sequenceFlow id="F1" sourceRef="Start" targetRef="Call" />
    <bpmn:callActivity id="Call" calledElement="no_such_process" />
    <bpmn:sequenceFlow id="F2" sourceRef="Call" targetRef="End" />
    <bpmn:endEvent id="End" />
  </bpmn:process>
</bpmn:definitions>""")
    with pytest.raises(DeploymentRefused) as refused:
        registry.deploy_paths([path], "tester")
    assert "no_such_process" in " ".join(refused.value.reasons)


def test_a_missing_form_is_an_unknown_reference(app, tmp_path):
    path = tmp_path / "form_missing.bpmn"
    path.write_text("""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="D" targetNamespace="x">
  <bpmn:process id="form_missing" isExecutable="true">
    <bpmn:startEvent id="Start" />
    <bpmn:sequenceFlow id="F1" sourceRef="Start" targetRef="Ask" />
    <bpmn:userTask id="Ask"><bpmn:extensionElements><spiffworkflow:properties>
      <spiffworkflow:property name="formJsonSchemaFilename" value="forms/nowhere.json" />
    </spiffworkflow:properties></bpmn:extensionElements></bpmn:userTask>
    <bpmn:sequenceFlow id="F2" sourceRef="Ask" targetRef="End" />
    <bpmn:endEvent id="End" />
  </bpmn:process>
</bpmn:definitions>""")
    with pytest.raises(DeploymentRefused) as refused:
        registry.deploy_paths([path], "tester")
    assert "form forms/nowhere.json does not exist" in refused.value.reasons[0]


def test_the_outside_corpus_is_present():
    assert len(CORPUS_FILES) >= 13


@pytest.mark.parametrize("path", CORPUS_FILES, ids=lambda p: p.name)
def test_every_corpus_diagram_deploys(sqlite_only_app, path):
    result = registry.deploy_paths([path], "tester")
    db.session.commit()
    assert result.deployed or result.unchanged
    if "camunda:" in path.read_text():
        assert any("vendor extensions are ignored by this product" in w for w in result.warnings)
