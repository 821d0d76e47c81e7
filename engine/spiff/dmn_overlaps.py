"""Find rules of a UNIQUE decision table that can match the same input.

SpiffWorkflow's UNIQUE hit policy silently returns the first matching rule, so an overlap
(for example a new exclusion row that also matches the corporate row) would route contacts
by row order without anyone noticing. We refuse such a table when it is deployed.

Cells are Python expressions, so overlap cannot be decided in general. We try, for each
input column, every value the table's own cells mention, its neighbours for numbers, an
"anything else" value and None, and evaluate each cell once per value with the real DMN
engine. Two rules overlap when, in every column, some candidate value satisfies both.
A cell that cannot be evaluated on its own (it reads other data) is taken to match anything,
so a doubtful table is refused rather than let through.
"""
from __future__ import annotations

import ast
import copy
import re
from dataclasses import dataclass
from types import SimpleNamespace

from SpiffWorkflow.dmn.engine.DMNEngine import DMNEngine

from .scripting import script_engine

# The name the candidate value is bound to while a cell is evaluated.
CANDIDATE = "dmn_candidate_value"
ANYTHING_ELSE = "something not named in the table"
_QUESTION_MARK = re.compile(r"(\?)(?=(?:[^'\"]|['\"][^'\"]*['\"])*$)")


@dataclass(frozen=True)
class Overlap:
    decision: str
    first_rule: str
    second_rule: str
    example: dict

    def describe(self) -> str:
        shown = ", ".join(f"{name} = {value!r}" for name, value in self.example.items())
        return (f"decision {self.decision!r}: rules {self.first_rule} and {self.second_rule} both match "
                f"({shown}); with hit policy UNIQUE only one rule may match any input")


def find_overlaps(engine: DMNEngine, decision_name: str) -> list[Overlap]:
    table = engine.decision_table
    if str(table.hit_policy).upper() != "UNIQUE":
        return []
    columns = _column_names(table)
    candidates = [_candidates(table, index) for index in range(len(table.inputs))]
    accepted = [[_accepted_values(rule, index, candidates[index]) for index in range(len(columns))]
                for rule in table.rules]
    overlaps = []
    for first in range(len(table.rules)):
        for second in range(first + 1, len(table.rules)):
            common = [a & b for a, b in zip(accepted[first], accepted[second])]
            if all(common):
                example = {name: candidates[i][min(values)] for i, (name, values) in enumerate(zip(columns, common))}
                overlaps.append(Overlap(decision_name, _rule_label(table.rules[first], first),
                                        _rule_label(table.rules[second], second), example))
    return overlaps


def _column_names(table) -> list[str]:
    return [inp.label or inp.name or inp.expression or f"input {i + 1}" for i, inp in enumerate(table.inputs)]


def _rule_label(rule, index: int) -> str:
    return f"{index + 1} ({rule.id})"


def _cell_texts(table, index: int) -> list[str]:
    texts = []
    for rule in table.rules:
        entry = rule.inputEntries[index] if index < len(rule.inputEntries) else None
        texts.extend(t for t in (entry.lhs if entry else []) if t)
    return texts


def _candidates(table, index: int) -> list:
    """Values worth trying for one input column, in a stable order."""
    found: list = [None, ANYTHING_ELSE]
    for text in _cell_texts(table, index):
        for value in _constants(text):
            neighbours = [value]
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                step = 1 if isinstance(value, int) else 0.5
                neighbours = [value - step, value, value + step]
            for candidate in neighbours:
                if candidate not in found:
                    found.append(candidate)
    if any(isinstance(v, bool) for v in found):
        found.extend(v for v in (True, False) if v not in found)
    return found


def _constants(text: str) -> list:
    source = _QUESTION_MARK.sub(CANDIDATE, text)
    for attempt in (source, f"{CANDIDATE} {source}"):
        try:
            tree = ast.parse(attempt, mode="eval")
        except SyntaxError:
            continue
        return [node.value for node in ast.walk(tree)
                if isinstance(node, ast.Constant) and isinstance(node.value, (str, int, float, bool))]
    return []


def _accepted_values(rule, index: int, candidates: list) -> set[int]:
    """Indexes of the candidates this rule's cell in the column accepts."""
    entry = rule.inputEntries[index] if index < len(rule.inputEntries) else None
    texts = [t for t in (entry.lhs if entry else []) if t]
    if not texts:
        return set(range(len(candidates)))
    return {i for i, value in enumerate(candidates) if all(_matches(text, value) for text in texts)}


def _matches(text: str, value) -> bool:
    engine = DMNEngine(SimpleNamespace(rules=[]))
    task = SimpleNamespace(data={CANDIDATE: value}, workflow=SimpleNamespace(script_engine=script_engine()))
    try:
        return bool(engine.evaluate(CANDIDATE, copy.copy(text), task))
    except Exception as err:
        if _caused_by(err, NameError):
            return True  # reads other data: assume it can match
        return False  # e.g. None < 12: this value would not match (the real engine would raise)


def _caused_by(err: BaseException, kind: type) -> bool:
    # SpiffWorkflow wraps script errors (and 3.2.0 sometimes fails while wrapping them).
    seen = 0
    while err is not None and seen < 10:
        if isinstance(err, kind) or isinstance(getattr(err, "exception", None), kind):
            return True
        err, seen = err.__cause__ or err.__context__, seen + 1
    return False
