"""Every children's deadline in the diagram has the statutory number of working days, across Christmas and Easter.

Each script in the diagram that starts a deadline is run on its own with a start date just before a
holiday, so the test checks the diagram's own numbers against the regulations, not a copy of them.
"""
from __future__ import annotations

import ast
from datetime import date
from pathlib import Path

import pytest

from engine.calendar import add_working_days
from engine.diagram_api import DeadlineChange, StepEffects, collecting
from engine.spiff import build_specs
from engine.spiff.scripting import RestrictedEnvironment

DIAGRAM = Path(__file__).resolve().parents[2] / "processes" / "childrens_statutory_complaint.bpmn"
# Children Act 1989 Representations Procedure (England) Regulations 2006 (and the council's 3-day policy).
STATUTORY_WORKING_DAYS = {
    "acknowledgement": 3, "stage1_response": 10, "stage2_response": 25, "stage3_panel": 30,
    "stage3_panel_report": 5, "stage3_council_response": 15,
}
HOLIDAY_STARTS = {
    "christmas": (date(2026, 12, 22), "Christmas Day"),
    "easter": (date(2027, 3, 24), "Good Friday"),
}


def deadline_scripts() -> dict[str, str]:
    spec, _ = build_specs(DIAGRAM.read_bytes(), DIAGRAM.name, {}, "childrens_statutory_complaint")
    found = {}
    for task_spec in spec.task_specs.values():
        script = getattr(task_spec, "script", None) or ""
        for step in STATUTORY_WORKING_DAYS:
            if f'start_deadline("{step}"' in script:
                found[step] = script
    return found


SCRIPTS = deadline_scripts()


def run_script(script: str, start: date) -> StepEffects:
    """Run one diagram script with every variable it reads set to the start date."""
    names = {node.id for node in ast.walk(ast.parse(script)) if isinstance(node, ast.Name)}
    context = {name: start.isoformat() for name in names}
    context.update(stage2_request={"requested_on": start.isoformat()},
                   stage3_request={"requested_on": start.isoformat()})
    known = {step: DeadlineChange(step, start, "", start, 1) for step in STATUTORY_WORKING_DAYS}
    effects = StepEffects(known_deadlines=known)
    environment = RestrictedEnvironment()
    for name in list(context):
        if name in environment.globals:
            del context[name]
    with collecting(effects):
        environment.execute(script, context)
    return effects


def test_the_diagram_starts_every_statutory_deadline():
    assert set(SCRIPTS) == set(STATUTORY_WORKING_DAYS)


@pytest.mark.parametrize("holiday", sorted(HOLIDAY_STARTS))
@pytest.mark.parametrize("step", sorted(STATUTORY_WORKING_DAYS))
def test_each_childrens_deadline_counts_working_days_across_the_holiday(step, holiday):
    start, holiday_name = HOLIDAY_STARTS[holiday]
    deadline = run_script(SCRIPTS[step], start).deadlines[step]
    assert deadline.due_on == add_working_days(start, STATUTORY_WORKING_DAYS[step])
    assert deadline.working_days == STATUTORY_WORKING_DAYS[step]
    assert holiday_name in deadline.basis
