"""Decision tables asked outside a workflow (routing, triage): answers, and which answers are remembered."""
from __future__ import annotations

from datetime import date
from itertools import count

from engine import clock
from engine.spiff import decisions
from engine.spiff.parsing import decision_table
from tests.factories import at

_VERSIONS = count(1)


def table(inputs: tuple[str, ...], rules: list[tuple[tuple[str, ...], str]], hit_policy: str = "UNIQUE") -> bytes:
    columns = "".join(
        f'<input id="Input_{name}" label="{name}"><inputExpression id="Expr_{name}" typeRef="string">'
        f'<text>{name}</text></inputExpression></input>' for name in inputs)
    body = "".join(
        f'<rule id="Rule_{n}">'
        + "".join(f'<inputEntry id="Rule_{n}_in{i}"><text>{cell}</text></inputEntry>' for i, cell in enumerate(cells))
        + f'<outputEntry id="Rule_{n}_out"><text>{result}</text></outputEntry></rule>'
        for n, (cells, result) in enumerate(rules))
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="Definitions_t" name="t" namespace="http://x">
  <decision id="choose" name="Choose">
    <decisionTable id="Table_choose" hitPolicy="{hit_policy}">
      {columns}
      <output id="Output_result" label="Result" name="result" typeRef="string" />
      {body}
    </decisionTable>
  </decision>
</definitions>""".encode()


def decide(xml: bytes, data: dict, version_key=None) -> dict:
    return decisions.decide(version_key or ("test", next(_VERSIONS)), xml.decode, "choose", data)


ROUTING = table(("lane", "service_area"), [(('"Service"', '"highways"'), '"highways officer"'),
                                           (('"Service"', '? != "highways"'), '"other officer"')])


def names_read(xml: bytes):
    return decisions._names_read(decision_table(xml, "choose").decision_table)


def test_a_table_that_compares_its_inputs_reads_only_their_names():
    assert names_read(ROUTING) == {"lane", "service_area"}


def test_a_cell_that_calls_a_function_makes_the_table_depend_on_more_than_its_inputs():
    late = table(("received_on",), [(("? &lt; today()",), '"late"'), (("? &gt;= today()",), '"in time"')])
    assert names_read(late) is None


def test_the_same_inputs_get_the_same_answer_from_a_remembered_table():
    key = ("test", next(_VERSIONS))
    first = decide(ROUTING, {"lane": "Service", "service_area": "highways"}, key)
    again = decide(ROUTING, {"lane": "Service", "service_area": "highways", "unread": [1]}, key)
    other = decide(ROUTING, {"lane": "Service", "service_area": "libraries"}, key)
    assert first == again == {"result": "highways officer"}
    assert other == {"result": "other officer"}


def test_a_caller_changing_an_answer_does_not_change_the_next_one():
    key = ("test", next(_VERSIONS))
    decide(ROUTING, {"lane": "Service", "service_area": "highways"}, key)["result"] = "changed"
    assert decide(ROUTING, {"lane": "Service", "service_area": "highways"}, key) == {"result": "highways officer"}


def test_a_table_reading_the_clock_is_asked_afresh_each_time():
    late = table(("received_on",), [(("? &lt; today()",), '"late"'), (("? &gt;= today()",), '"in time"')])
    key = ("test", next(_VERSIONS))
    with clock.frozen_at(at(date(2026, 1, 5))):
        assert decide(late, {"received_on": "2026-01-06"}, key) == {"result": "in time"}
    with clock.frozen_at(at(date(2026, 1, 7))):
        assert decide(late, {"received_on": "2026-01-06"}, key) == {"result": "late"}


def test_collect_tables_give_each_caller_its_own_lists():
    every = table(("kind",), [(("",), '"a"'), (('"complaint"',), '"b"')], hit_policy="COLLECT")
    key = ("test", next(_VERSIONS))
    decide(every, {"kind": "complaint"}, key)["result"].append("changed")
    assert decide(every, {"kind": "complaint"}, key) == {"result": ["a", "b"]}
