"""Evaluate a DMN decision table outside a running workflow (triage, task routing)."""
from __future__ import annotations

import ast
import re
from collections import OrderedDict
from types import SimpleNamespace

from .parsing import decision_table
from .scripting import script_engine

_TABLES: dict[tuple, object] = {}
# Names each table's cells read, or None when a cell calls a function (see _names_read).
_NAMES_READ: dict[tuple, frozenset[str] | None] = {}
# Answers of tables that read nothing but their inputs, by (table, the values they read).
_ANSWERS: OrderedDict[tuple, dict] = OrderedDict()
_ANSWERS_SIZE = 2048
# SpiffWorkflow's DMN engine writes a cell's `?` (the input's value) as this name (DMNEngine.evaluate).
_INPUT_PLACEHOLDER = "dmninputexpr"
_QUESTION_MARK_OUTSIDE_QUOTES = re.compile(r'(\?)(?=(?:[^\'"]|[\'"][^\'"]*[\'"])*$)')


def decide(version_key, load_xml, decision_id: str, data: dict) -> dict:
    """Return the outputs of the first matching rule (UNIQUE) or lists of outputs (COLLECT).

    `version_key` identifies the deployed version (parsed once); `load_xml` is called only on a miss.
    A table whose cells only compare and combine the data they name gives the same answer for the
    same values, so that answer is remembered: every new task asks the routing table, with a handful
    of distinct inputs between them.
    """
    key = (version_key, decision_id)
    table = _TABLES.get(key)
    if table is None:
        table = _TABLES[key] = decision_table(load_xml().encode(), decision_id)
        _NAMES_READ[key] = _names_read(table.decision_table)
    answer_key = _answer_key(key, _NAMES_READ[key], data)
    if answer_key is not None and answer_key in _ANSWERS:
        return _copy(_ANSWERS[answer_key])
    # The DMN engine only needs a task's data and its workflow's script engine.
    task = SimpleNamespace(
        data=data, task_spec=None, workflow=SimpleNamespace(script_engine=script_engine())
    )
    answer = table.result(task)
    if answer_key is not None:
        _ANSWERS[answer_key] = _copy(answer)
        if len(_ANSWERS) > _ANSWERS_SIZE:
            _ANSWERS.popitem(last=False)
    return answer


def _answer_key(table_key: tuple, names: frozenset[str] | None, data: dict) -> tuple | None:
    """(table, the values of the names it reads), or None when the answer may not be remembered."""
    if names is None or not names <= data.keys():
        return None  # a cell calls a function, or reads a name the data lacks (an error to report each time)
    key = (table_key, tuple((name, data[name]) for name in sorted(names)))
    try:
        hash(key)
    except TypeError:
        return None  # a list or dict among the values
    return key


def _copy(answer: dict) -> dict:
    # COLLECT tables answer lists: the caller gets its own.
    return {name: list(value) if isinstance(value, list) else value for name, value in answer.items()}


def _names_read(table) -> frozenset[str] | None:
    """The data names the table's inputs and cells read; None if any cell calls a function or cannot be read.

    A call could read the clock or anything else (a cell like `< days_since(received_on)`), so only
    tables without calls count as depending on nothing but the names they read.
    """
    names: set[str] = set()
    for table_input in table.inputs:
        if table_input.expression:
            texts = [table_input.expression]
        else:
            names.add(table_input.label)  # SpiffWorkflow reads the data under the input's label
            texts = []
        for text in texts:
            if not _add_names(text, names):
                return None
    for rule in table.rules:
        texts = [lhs for entry in rule.inputEntries for lhs in entry.lhs if lhs is not None]
        texts += [entry.text for entry in rule.outputEntries if getattr(entry, "text", "")]
        for text in texts:
            if not _add_names(text, names):
                return None
    names.discard(_INPUT_PLACEHOLDER)
    return frozenset(names)


def _add_names(text: str, names: set[str]) -> bool:
    """Add the names an expression or cell reads; False if it calls anything or does not parse."""
    text = _QUESTION_MARK_OUTSIDE_QUOTES.sub(_INPUT_PLACEHOLDER, text.strip())
    if not text or text == "-":
        return True
    tree = None
    # A cell is an expression ("highways", > 12, in ["a", "b"]) that may need the input put before it.
    for candidate in (text, f"{_INPUT_PLACEHOLDER} {text}"):
        try:
            tree = ast.parse(candidate, mode="eval")
            break
        except SyntaxError:
            continue
    if tree is None:
        return False
    for node in ast.walk(tree):
        if isinstance(node, (ast.Call, ast.Lambda, ast.NamedExpr, ast.Await, ast.Yield, ast.YieldFrom)):
            return False
        if isinstance(node, ast.Name):
            names.add(node.id)
    return True
