"""Small runnable diagrams for tests: a lane, two user tasks with forms, a script and an end."""
from __future__ import annotations

import json

HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"
    xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC"
    xmlns:di="http://www.omg.org/spec/DD/20100524/DI" id="Defs_{pid}" targetNamespace="http://bpmn.io/schema/bpmn">
"""

TWO_TASKS = HEAD + """  <bpmn:collaboration id="Collab_{pid}"><bpmn:participant id="P_{pid}" processRef="{pid}" /></bpmn:collaboration>
  <bpmn:process id="{pid}" isExecutable="true">
    <bpmn:laneSet id="LaneSet_1">
      <bpmn:lane id="Lane_cr" name="Customer relations">
        <bpmn:flowNodeRef>StartEvent_1</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>Task_ack</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>Task_reply</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>Script_note</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>End_done</bpmn:flowNodeRef>
      </bpmn:lane>
    </bpmn:laneSet>
    <bpmn:startEvent id="StartEvent_1" name="Contact logged" />
    <bpmn:sequenceFlow id="Flow_1" sourceRef="StartEvent_1" targetRef="Task_ack" />
    <bpmn:userTask id="Task_ack" name="{ack_name}">
      <bpmn:extensionElements><spiffworkflow:properties>
        <spiffworkflow:property name="formJsonSchemaFilename" value="forms/note.json" />
      </spiffworkflow:properties></bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="Flow_2" sourceRef="Task_ack" targetRef="Script_note" />
    <bpmn:scriptTask id="Script_note" name="Note it"><bpmn:script>{script}</bpmn:script></bpmn:scriptTask>
    <bpmn:sequenceFlow id="Flow_3" sourceRef="Script_note" targetRef="Task_reply" />
    <bpmn:userTask id="Task_reply" name="Reply">
      <bpmn:extensionElements><spiffworkflow:properties>
        <spiffworkflow:property name="formJsonSchemaFilename" value="forms/note.json" />
      </spiffworkflow:properties></bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="Flow_4" sourceRef="Task_reply" targetRef="End_done" />
    <bpmn:endEvent id="End_done" name="Answered" />
{extra}
  </bpmn:process>
</bpmn:definitions>
"""

NOTE_FORM = {"type": "object", "properties": {"note": {"type": "string", "title": "Note"}}, "required": []}


def two_tasks(pid: str = "two_tasks", *, ack_name: str = "Acknowledge", script: str = "noted = True",
              extra: str = "") -> str:
    return TWO_TASKS.format(pid=pid, ack_name=ack_name, script=script, extra=extra)


def write_two_tasks(folder, pid: str = "two_tasks", **kwargs):
    """Write the diagram and its form into `folder`; return the diagram's path."""
    (folder / "forms").mkdir(exist_ok=True)
    (folder / "forms" / "note.json").write_text(json.dumps(NOTE_FORM))
    path = folder / f"{pid}.bpmn"
    path.write_text(two_tasks(pid, **kwargs))
    return path
