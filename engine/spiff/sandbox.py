"""The limits diagram code runs under, on top of RestrictedPython's own.

RestrictedPython stops imports, dunder access and unguarded attribute writes,
but not code that runs for ever or fills the memory. Here:

- names that reach outside the sandbox (open, eval, exec, compile, globals...)
  are refused when the code is compiled, so a diagram using them is refused
  at deployment with the reason, and the same code never runs if it reaches
  the database some other way (every evaluation compiles through here);
- `while` loops are refused at compile time, and every `for` loop and
  comprehension draws on one iteration budget per evaluation (range() is
  capped by RestrictedPython's limited_range);
- `**`, `*` and `<<` go through checked operators that refuse results too big
  to be meant (a 10**10**10 or a string of a gigabyte).
"""
from __future__ import annotations

import ast
import math
import operator
from contextvars import ContextVar

from RestrictedPython import RestrictingNodeTransformer
from RestrictedPython.Guards import safer_getattr

# Names diagram code may not use at all: reading files, running code, reaching the interpreter.
DENIED_NAMES = frozenset({
    "open", "eval", "exec", "compile", "globals", "locals", "vars", "dir", "input", "breakpoint",
    "help", "exit", "quit", "memoryview", "getattr", "setattr", "delattr", "type", "object",
    "classmethod", "staticmethod", "property", "super", "__import__", "__builtins__",
})
# str methods that build a string of any length asked for.
DENIED_ATTRIBUTES = frozenset({"ljust", "rjust", "center", "zfill", "expandtabs", "format", "format_map"})

MAX_ITERATIONS = 100_000       # for-loop and comprehension steps in one evaluation
MAX_SEQUENCE = 100_000         # items (or characters) a `*` may produce
MAX_INT_BITS = 4_096           # bits an integer from `**` or `<<` may have


class SandboxLimit(RuntimeError):
    """Diagram code went past a limit while running."""


class CheckedPolicy(RestrictingNodeTransformer):
    """RestrictedPython's policy plus: no `while`, no denied names, checked `**`, `*` and `<<`."""

    def visit_While(self, node):
        self.error(node, "while loops are not allowed in diagram code; loop over a list or range() instead")
        return self.node_contents_visit(node)

    def visit_Name(self, node):
        if node.id in DENIED_NAMES:
            self.error(node, f'"{node.id}" is not available to diagram code')
        return super().visit_Name(node)

    def visit_Attribute(self, node):
        if node.attr in DENIED_ATTRIBUTES:
            self.error(node, f'".{node.attr}" is not available to diagram code')
        return super().visit_Attribute(node)

    def visit_BinOp(self, node):
        node = self.node_contents_visit(node)
        checked = _CHECKED_NAMES.get(type(node.op))
        if checked is None:
            return node
        func = ast.copy_location(ast.Name(checked, ast.Load()), node)
        return ast.copy_location(ast.Call(func=func, args=[node.left, node.right], keywords=[]), node)


def _checked_pow(base, exponent):
    if isinstance(base, int) and isinstance(exponent, int) and exponent > 0 and abs(base) > 1:
        if exponent * math.log2(abs(base)) > MAX_INT_BITS:
            raise SandboxLimit(f"{base} ** {exponent} is too large a number for diagram code")
    return base ** exponent


def _checked_mul(left, right):
    for sequence, count in ((left, right), (right, left)):
        if isinstance(sequence, (str, bytes, list, tuple)) and isinstance(count, int):
            if len(sequence) * count > MAX_SEQUENCE:
                raise SandboxLimit(f"repeating a {type(sequence).__name__} {count} times is too large for diagram code")
    return left * right


def _checked_lshift(left, right):
    if isinstance(left, int) and isinstance(right, int) and left and right + left.bit_length() > MAX_INT_BITS:
        raise SandboxLimit(f"{left} << {right} is too large a number for diagram code")
    return left << right


_CHECKED_NAMES = {ast.Pow: "_checked_pow_", ast.Mult: "_checked_mul_", ast.LShift: "_checked_lshift_"}

_IN_PLACE = {
    "+=": operator.iadd, "-=": operator.isub, "*=": _checked_mul, "/=": operator.itruediv,
    "//=": operator.ifloordiv, "%=": operator.imod, "|=": operator.ior, "&=": operator.iand,
    "**=": _checked_pow, "<<=": _checked_lshift, ">>=": operator.irshift, "^=": operator.ixor,
}


def _inplacevar(op, x, y):
    if op not in _IN_PLACE:
        raise SandboxLimit(f"{op} is not available to diagram code")
    return _IN_PLACE[op](x, y)


_budget: ContextVar[list[int] | None] = ContextVar("iteration_budget", default=None)


def fresh_budget():
    """Give the evaluation about to start its own iteration budget; returns the token to reset."""
    return _budget.set([MAX_ITERATIONS])


def reset_budget(token) -> None:
    _budget.reset(token)


def _counted(iterable):
    budget = _budget.get()
    if budget is None:
        budget = [MAX_ITERATIONS]
    for item in iterable:
        budget[0] -= 1
        if budget[0] < 0:
            raise SandboxLimit(f"diagram code looped more than {MAX_ITERATIONS} times")
        yield item


def _getiter(ob):
    return _counted(iter(ob))


def _getattr(ob, name, default=None):
    if name in DENIED_ATTRIBUTES:
        raise SandboxLimit(f'".{name}" is not available to diagram code')
    return safer_getattr(ob, name, default)


GUARDS = {
    "_getattr_": _getattr,
    "_getiter_": _getiter,
    "_inplacevar_": _inplacevar,
    "_checked_pow_": _checked_pow,
    "_checked_mul_": _checked_mul,
    "_checked_lshift_": _checked_lshift,
}
