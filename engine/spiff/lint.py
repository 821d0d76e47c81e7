"""Problems in a diagram that parse fine but would strand a case, said in plain words against the element's name.

- elements no path reaches from a start event;
- user tasks outside every lane (nobody would be given them) or without a form;
- timer expressions that cannot evaluate: a fixed one that is not an ISO 8601 date,
  duration or cycle, or one using a name that no script, form or start data sets
  (e.g. `P10D` without quotes).
"""
from __future__ import annotations

import ast
from datetime import datetime

from lxml import etree
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition

from .scripting import RESTRICTED_GLOBALS, DiagramCodeError, _BUILTINS, compile_expression, script_engine

BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"
SPIFF = "{http://spiffworkflow.org/bpmn/schema/1.0/core}"
FLOW_NODES = {
    "task", "userTask", "manualTask", "scriptTask", "serviceTask", "sendTask", "receiveTask", "businessRuleTask",
    "callActivity", "subProcess", "transaction", "exclusiveGateway", "parallelGateway", "inclusiveGateway",
    "eventBasedGateway", "complexGateway", "intermediateCatchEvent", "intermediateThrowEvent", "endEvent",
}
# Data every procedure is started with (engine/triage.py).
START_DATA = {"case_reference", "received_on", "service_area", "summary", "details", "complainant_name", "kind",
              "channel", "happened_on", "suggested_procedure", "triage_reason", "reason"}


def describe(element) -> str:
    """`"Name" (id)`, or the id alone when the element has no name."""
    name = (element.get("name") or "").strip()
    return f'"{name}" ({element.get("id")})' if name else str(element.get("id"))


def _local(element) -> str:
    return etree.QName(element).localname if isinstance(element.tag, str) else ""


def unreachable(root) -> list[str]:
    problems = []
    for container in root.iter(f"{BPMN}process", f"{BPMN}subProcess", f"{BPMN}transaction"):
        if container.tag == f"{BPMN}process" and container.get("isExecutable") == "false":
            continue
        children = [c for c in container if _local(c) in FLOW_NODES | {"startEvent", "boundaryEvent"}]
        flows: dict[str, list[str]] = {}
        for flow in container.findall(f"{BPMN}sequenceFlow"):
            flows.setdefault(flow.get("sourceRef"), []).append(flow.get("targetRef"))
        attached: dict[str, list[str]] = {}
        for child in children:
            if _local(child) == "boundaryEvent":
                attached.setdefault(child.get("attachedToRef"), []).append(child.get("id"))
        # An event subprocess starts on its own event; so do its contents.
        seen = {c.get("id") for c in children if _local(c) == "startEvent"
                or (_local(c) == "subProcess" and c.get("triggeredByEvent") == "true")}
        todo = list(seen)
        while todo:
            current = todo.pop()
            for following in flows.get(current, []) + attached.get(current, []):
                if following not in seen:
                    seen.add(following)
                    todo.append(following)
        for child in children:
            if child.get("id") not in seen:
                problems.append(f"{describe(child)} cannot be reached: no path leads to it from a start event")
    return problems


def _lane_members(root) -> set[str]:
    return {(ref.text or "").strip() for ref in root.iter(f"{BPMN}flowNodeRef")}


def user_tasks(root) -> list[str]:
    problems = []
    in_lanes = _lane_members(root)
    for process in root.iter(f"{BPMN}process"):
        if process.get("isExecutable") == "false":
            continue
        lanes_here = _lane_members(process)
        for task in process.iter(f"{BPMN}userTask"):
            # Tasks inside a subprocess take the subprocess's lane.
            owner = task
            while owner.getparent() is not None and owner.getparent().tag != f"{BPMN}process":
                owner = owner.getparent()
            if owner.get("id") not in in_lanes or not lanes_here:
                problems.append(f"user task {describe(task)} is in no lane, so nobody would be given it")
            forms = [p for p in task.iter(f"{SPIFF}property")
                     if p.get("name") == "formJsonSchemaFilename" and p.get("value")]
            if not forms:
                problems.append(f"user task {describe(task)} has no form (formJsonSchemaFilename)")
    return problems


def _assigned_names(root) -> set[str]:
    names = set()
    for local in ("script", "preScript", "postScript"):
        for element in root.iter(f"{BPMN}{local}", f"{SPIFF}{local}"):
            try:
                tree = ast.parse((element.text or "").strip())
            except SyntaxError:
                continue
            names.update(n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store))
    for variable in root.iter(f"{SPIFF}messageVariable", f"{SPIFF}variableName"):
        names.add((variable.text or "").strip())
    return names


def timers(root, form_fields: set[str]) -> list[str]:
    problems = []
    known = _assigned_names(root) | form_fields | START_DATA | set(RESTRICTED_GLOBALS) | set(_BUILTINS)
    for local in ("timeDate", "timeDuration", "timeCycle"):
        for element in root.iter(f"{BPMN}{local}"):
            text = (element.text or "").strip()
            event = element.getparent().getparent()
            where = f"timer {describe(event)}"
            try:
                compile_expression(text)
                tree = ast.parse(text, mode="eval")
            except (DiagramCodeError, SyntaxError):
                continue  # reported by the compile check
            free = sorted({n.id for n in ast.walk(tree) if isinstance(n, ast.Name)} - known)
            if free:
                problems.append(f"{where}: {local} uses {', '.join(free)}, which no script, form or start data "
                                f"sets (a duration needs quotes: \"P10D\")")
                continue
            if any(isinstance(n, ast.Name) and n.id not in RESTRICTED_GLOBALS and n.id not in _BUILTINS
                   for n in ast.walk(tree)):
                continue  # depends on case data: the diagram's test cases evaluate it
            problems.extend(_evaluate_fixed_timer(where, local, text))
    return problems


def _evaluate_fixed_timer(where: str, local: str, text: str) -> list[str]:
    try:
        value = script_engine().environment.evaluate(text, {})
    except Exception as err:  # noqa: BLE001 (any failure is the process owner's to fix)
        return [f"{where}: {local} does not evaluate: {type(err).__name__}: {err}"]
    try:
        if local == "timeDate":
            if not isinstance(value, datetime):
                TimerEventDefinition.get_datetime(value)
        elif local == "timeDuration":
            TimerEventDefinition.parse_iso_duration(value)
        else:
            TimerEventDefinition.parse_iso_recurring_interval(value)
    except Exception:  # noqa: BLE001
        kind = {"timeDate": "an ISO 8601 date and time", "timeDuration": "an ISO 8601 duration such as \"P10D\"",
                "timeCycle": "an ISO 8601 cycle such as \"R3/P1D\""}[local]
        return [f"{where}: {local} gives {value!r}, which is not {kind}"]
    return []


def lint(root, form_fields: set[str]) -> list[str]:
    """Every structural problem of one BPMN document, in plain words."""
    return unreachable(root) + user_tasks(root) + timers(root, form_fields)
