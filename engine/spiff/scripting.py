"""The script engine: diagram code runs under RestrictedPython with a small set of names.

SpiffWorkflow evaluates conditions, timers, scripts and DMN cells with plain
eval/exec and full builtins, so anyone able to deploy a diagram could run code
on the server. Here every piece of diagram code is compiled by RestrictedPython
with the limits of sandbox.py (no imports, no dunder access, no open/exec/eval,
no while loops, an iteration budget, checked ** and *), at deployment and again
each time it runs, and sees only safe builtins and the diagram API of
engine.diagram_api. Task data is only ever a value in the scope, never code:
the guard names are put into the scope last, so data cannot replace them.
"""
from __future__ import annotations

import ast
import copy
from functools import lru_cache

from RestrictedPython import compile_restricted_eval, compile_restricted_exec, limited_builtins, safe_builtins
from RestrictedPython.Eval import default_guarded_getitem
from RestrictedPython.Guards import full_write_guard, guarded_iter_unpack_sequence, guarded_unpack_sequence
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import TaskDataEnvironment

from ..diagram_api import DIAGRAM_FUNCTIONS
from . import sandbox


class DiagramCodeError(SyntaxError):
    """Diagram code that RestrictedPython refuses to compile."""

    def __init__(self, message: str):
        super().__init__(message)
        self.lineno = 0  # SpiffWorkflow's error report compares it with 0


_BUILTINS = {
    **safe_builtins,
    **limited_builtins,
    **{f.__name__: f for f in (dict, list, set, min, max, sum, any, all, enumerate, map, filter, reversed)},
}

# The names RestrictedPython's compiled code calls: data must never replace these.
GUARD_GLOBALS = {
    "__builtins__": _BUILTINS,
    "_getitem_": default_guarded_getitem,
    "_iter_unpack_sequence_": guarded_iter_unpack_sequence,
    "_unpack_sequence_": guarded_unpack_sequence,
    "_write_": full_write_guard,
    **sandbox.GUARDS,
}
RESTRICTED_GLOBALS = {**GUARD_GLOBALS, **DIAGRAM_FUNCTIONS}


@lru_cache(maxsize=4096)
def compile_expression(source: str):
    """Compile a diagram expression (condition, timer, DMN cell), raising DiagramCodeError."""
    result = compile_restricted_eval(source.strip(), "<diagram expression>", policy=sandbox.CheckedPolicy)
    if result.errors:
        raise DiagramCodeError("; ".join(result.errors))
    return result.code


@lru_cache(maxsize=1024)
def compile_script(source: str):
    """Compile a diagram script, raising DiagramCodeError."""
    try:
        tree = ast.parse(source)
    except SyntaxError as err:
        raise DiagramCodeError(f"line {err.lineno}: {err.msg}") from None
    if any(isinstance(node, (ast.Import, ast.ImportFrom)) for node in ast.walk(tree)):
        raise DiagramCodeError("scripts may not import modules; use the functions the engine provides")
    result = compile_restricted_exec(source, "<string>", policy=sandbox.CheckedPolicy)
    if result.errors:
        raise DiagramCodeError("; ".join(result.errors))
    return result.code


class RestrictedEnvironment(TaskDataEnvironment):
    def __init__(self):
        super().__init__(dict(RESTRICTED_GLOBALS))

    def evaluate(self, expression, context, external_context=None):
        code = compile_expression(expression)
        scope = copy.copy(self.globals)
        scope.update(external_context or {})
        scope.update(context)
        scope.update(GUARD_GLOBALS)
        token = sandbox.fresh_budget()
        try:
            return eval(code, scope)
        finally:
            sandbox.reset_budget(token)

    def execute(self, script, context, external_context=None):
        code = compile_script(script)
        self.check_for_overwrite(context, external_context or {})
        context.update(self.globals)
        context.update(external_context or {})
        context.update(GUARD_GLOBALS)
        token = sandbox.fresh_budget()
        try:
            exec(code, context)
        finally:
            sandbox.reset_budget(token)
            self._remove_globals_and_functions_from_context(context, external_context)
        return True

    def _remove_globals_and_functions_from_context(self, context, external_context=None):
        super()._remove_globals_and_functions_from_context(context, external_context)
        for name in [k for k in context if isinstance(k, str) and k.startswith("_")]:
            # Diagram code cannot name these; only smuggled data could hold them. Never keep them.
            context.pop(name)


class RestrictedScriptEngine(PythonScriptEngine):
    def __init__(self):
        super().__init__(environment=RestrictedEnvironment())

    def validate(self, expression):
        # DMN uses validate() to decide whether a cell needs "==": keep SyntaxError semantics.
        compile_expression(expression)


_ENGINE: RestrictedScriptEngine | None = None


def script_engine() -> RestrictedScriptEngine:
    """Return the shared script engine (stateless, so one per process is enough)."""
    global _ENGINE
    if _ENGINE is None:
        _ENGINE = RestrictedScriptEngine()
    return _ENGINE
