"""The script engine: diagram code runs under RestrictedPython with a small set of names.

SpiffWorkflow evaluates conditions, timers, scripts and DMN cells with plain
eval/exec and full builtins, so anyone able to deploy a diagram could run code
on the server. Here every piece of diagram code is compiled by RestrictedPython
(no imports, no dunder access, no open/exec/eval) and sees only safe builtins
and the diagram API of engine.diagram_api.
"""
from __future__ import annotations

import ast
import copy
import operator
from functools import lru_cache

from RestrictedPython import compile_restricted_eval, compile_restricted_exec, limited_builtins, safe_builtins
from RestrictedPython.Eval import default_guarded_getitem, default_guarded_getiter
from RestrictedPython.Guards import (
    full_write_guard,
    guarded_iter_unpack_sequence,
    guarded_unpack_sequence,
    safer_getattr,
)
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import TaskDataEnvironment

from ..diagram_api import DIAGRAM_FUNCTIONS


class DiagramCodeError(SyntaxError):
    """Diagram code that RestrictedPython refuses to compile."""


_IN_PLACE = {
    "+=": operator.iadd, "-=": operator.isub, "*=": operator.imul, "/=": operator.itruediv,
    "//=": operator.ifloordiv, "%=": operator.imod, "|=": operator.ior, "&=": operator.iand,
}


def _inplacevar(op, x, y):
    return _IN_PLACE[op](x, y)


_BUILTINS = {
    **safe_builtins,
    **limited_builtins,
    **{f.__name__: f for f in (dict, list, set, min, max, sum, any, all, enumerate, map, filter, reversed)},
}

RESTRICTED_GLOBALS = {
    "__builtins__": _BUILTINS,
    "_getattr_": safer_getattr,
    "_getitem_": default_guarded_getitem,
    "_getiter_": default_guarded_getiter,
    "_iter_unpack_sequence_": guarded_iter_unpack_sequence,
    "_unpack_sequence_": guarded_unpack_sequence,
    "_write_": full_write_guard,
    "_inplacevar_": _inplacevar,
    **DIAGRAM_FUNCTIONS,
}


@lru_cache(maxsize=4096)
def compile_expression(source: str):
    """Compile a diagram expression (condition, timer, DMN cell), raising DiagramCodeError."""
    result = compile_restricted_eval(source.strip(), "<diagram expression>")
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
    result = compile_restricted_exec(source, "<string>")
    if result.errors:
        raise DiagramCodeError("; ".join(result.errors))
    return result.code


class RestrictedEnvironment(TaskDataEnvironment):
    def __init__(self):
        super().__init__(dict(RESTRICTED_GLOBALS))

    def evaluate(self, expression, context, external_context=None):
        scope = copy.copy(self.globals)
        scope.update(external_context or {})
        scope.update(context)
        return eval(compile_expression(expression), scope)

    def execute(self, script, context, external_context=None):
        self.check_for_overwrite(context, external_context or {})
        context.update(self.globals)
        context.update(external_context or {})
        try:
            exec(compile_script(script), context)
        finally:
            self._remove_globals_and_functions_from_context(context, external_context)
        return True


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
