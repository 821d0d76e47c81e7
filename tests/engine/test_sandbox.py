"""Diagram code is sandboxed: refused at deployment when it reaches outside, stopped at run time past a limit,
and code that reaches the database some other way (or hides in task data) never runs."""
import pytest
from sqlalchemy import select

from engine import registry
from engine.errors import DeploymentRefused
from engine.models import ProcessVersion, db
from engine.spiff import scripting
from engine.spiff.sandbox import SandboxLimit
from engine.spiff.scripting import DiagramCodeError, compile_expression, compile_script, script_engine
from engine.spiff.serialization import UnknownStateVersion, load_state

from ..diagrams import write_two_tasks
from .test_registry import write_diagram

ESCAPES = {
    "import os": "may not import modules",
    "from os import system": "may not import modules",
    "x = ().__class__.__mro__[1].__subclasses__()": '"__mro__" is an invalid attribute name',
    "x = [c for c in ().__class__.__bases__]": '"__class__" is an invalid attribute name',
    "x = open('/etc/passwd').read()": '"open" is not available to diagram code',
    "x = eval('1 + 1')": "Eval calls are not allowed",
    "exec('x = 1')": "Exec calls are not allowed",
    "x = compile('1', 'f', 'eval')": '"compile" is not available',
    "x = globals()": '"globals" is not available',
    "x = getattr(1, 'real')": '"getattr" is not available',
    "x = type(1)": '"type" is not available',
    "x = 'a'.ljust(100)": '".ljust" is not available',
    "x = '{}'.format(1)": '".format" is not available',
    "while True:\n    pass": "while loops are not allowed",
    "x = __import__('os')": '"__import__" is an invalid variable name',
}


@pytest.mark.parametrize("source,reason", ESCAPES.items(), ids=list(ESCAPES))
def test_escapes_do_not_compile(source, reason):
    with pytest.raises(DiagramCodeError) as refused:
        compile_script(source)
    assert reason in str(refused.value)


@pytest.mark.parametrize("expression", ["().__class__", "open('x')", "eval('1')", "__import__('os')", "globals()"])
def test_escapes_in_expressions_do_not_compile(expression):
    with pytest.raises(DiagramCodeError):
        compile_expression(expression)


LIMITS = [
    "x = 10 ** 10 ** 10",
    "x = 9 ** 999999",
    "x = 'a' * 10 ** 9",
    "x = 10 ** 9 * 'a'",
    "x = [0] * 10 ** 8",
    "x = 1 << 10 ** 7",
    "x = 'ab'\nx *= 10 ** 9",
    "x = 3\nx **= 10 ** 6",
    "x = 0\nfor i in range(999):\n    for j in range(999):\n        x += 1",
    "x = [i * j for i in range(999) for j in range(999)]",
    "x = list(range(10 ** 9))",
]


@pytest.mark.parametrize("source", LIMITS)
def test_runaway_code_is_stopped_when_it_runs(source):
    with pytest.raises((SandboxLimit, ValueError)):
        script_engine().environment.execute(source, {})


def test_ordinary_arithmetic_and_loops_still_work():
    data = {"items": [1, 2, 3]}
    script_engine().environment.execute(
        "total = 0\nfor n in items:\n    total += n * 2\nsquare = 12 ** 2\nline = '-' * 20\nbig = 2 ** 64", data)
    assert data == {"items": [1, 2, 3], "n": 3, "total": 12, "square": 144, "line": "-" * 20, "big": 2 ** 64}


def test_each_evaluation_has_its_own_iteration_budget():
    environment = script_engine().environment
    for _ in range(5):  # 5 x 60,000 would exceed one budget; each run starts afresh
        data = {}
        environment.execute("n = 0\nfor i in range(900):\n    for j in range(60):\n        n += 1", data)
        assert data["n"] == 54_000


def test_task_data_is_never_code_and_cannot_replace_the_guards():
    environment = script_engine().environment
    smuggled = {"comment": "__import__('os').system('touch /tmp/pwned')", "_getattr_": "oops",
                "__builtins__": {"open": "no"}, "_checked_pow_": "oops"}
    assert environment.evaluate("len(comment)", dict(smuggled)) == len(smuggled["comment"])
    assert environment.evaluate("2 ** 3", dict(smuggled)) == 8
    with pytest.raises(SandboxLimit):
        environment.evaluate("9 ** 999999", dict(smuggled))


def test_scripts_leave_no_guard_names_in_task_data():
    data = {"a": 1}
    script_engine().environment.execute("b = a + 1", data)
    assert data == {"a": 1, "b": 2}


def test_a_state_from_another_serializer_version_is_refused_not_migrated():
    # SpiffWorkflow's migration of old states runs eval() on timer text taken from the saved data.
    with pytest.raises(UnknownStateVersion):
        load_state('{"serializer_version": "1.0"}', None, {}, "1.0")


@pytest.mark.parametrize("script,reason", [
    ("import os\nos.system('true')", "may not import modules"),
    ("x = ().__class__.__mro__", "__mro__"),
    ("x = open('/etc/passwd')", '"open" is not available'),
    ("x = eval('1')", "Eval calls are not allowed"),
    ("while True:\n    x = 1", "while loops are not allowed"),
])
def test_deployment_refuses_escapes_with_the_reason(app, tmp_path, script, reason):
    with pytest.raises(DeploymentRefused) as refused:
        registry.deploy_paths([write_diagram(tmp_path, pid="escaping", script=script)], "tester")
    db.session.rollback()
    assert reason in " ".join(refused.value.reasons)


@pytest.mark.parametrize("condition", ["open('/etc/passwd')", "().__class__", "eval('1')"])
def test_deployment_refuses_escapes_in_conditions(app, tmp_path, condition):
    with pytest.raises(DeploymentRefused) as refused:
        registry.deploy_paths([write_diagram(tmp_path, pid="escaping", condition=condition)], "tester")
    db.session.rollback()
    assert "conditionExpression does not compile" in " ".join(refused.value.reasons)


def test_code_smuggled_into_a_stored_version_cannot_run(app, tmp_path):
    """A version row changed behind the deployment check: the run-time compile still refuses it."""
    registry.deploy_paths([write_two_tasks(tmp_path, pid="smuggled")], "tester")
    db.session.commit()
    version = db.session.scalar(select(ProcessVersion).where(ProcessVersion.process_id == "smuggled"))
    version.xml = version.xml.replace("noted = True", "noted = open('/etc/passwd').read()")
    db.session.commit()
    spec, subprocesses = registry.specs_for(version.id)
    from engine.spiff.running import complete_user_task, find_ready_user_task, ready_user_tasks, start_workflow

    workflow = start_workflow(spec, subprocesses, {})
    task = find_ready_user_task(workflow, ready_user_tasks(workflow)[0].id)
    with pytest.raises(Exception) as stopped:
        complete_user_task(workflow, task, {})
    assert "not available to diagram code" in str(stopped.value)
    assert scripting.GUARD_GLOBALS["__builtins__"].get("open") is None
