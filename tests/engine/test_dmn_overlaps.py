"""A UNIQUE decision table whose rules can both match is refused at deployment, with the rules named."""
from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from engine import registry, spiff
from engine.errors import DeploymentRefused
from engine.models import ProcessVersion, db

PROCESSES = Path(__file__).resolve().parents[2] / "processes"


def table(rules: str, hit_policy: str = "UNIQUE", inputs=(("kind", "Kind"), ("age", "Age"))) -> bytes:
    columns = "".join(
        f'<input id="Input_{name}" label="{label}"><inputExpression id="Expr_{name}" typeRef="string">'
        f'<text>{name}</text></inputExpression></input>' for name, label in inputs)
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="Definitions_t" name="t" namespace="http://x">
  <decision id="choose" name="Choose">
    <decisionTable id="Table_choose" hitPolicy="{hit_policy}">
      {columns}
      <output id="Output_result" label="Result" name="result" typeRef="string" />
      {rules}
    </decisionTable>
  </decision>
</definitions>""".encode()


def rule(rule_id: str, *cells: str, result: str = '"x"') -> str:
    entries = "".join(f'<inputEntry id="{rule_id}_in{i}"><text>{c}</text></inputEntry>' for i, c in enumerate(cells))
    return f'<rule id="{rule_id}">{entries}<outputEntry id="{rule_id}_out"><text>{result}</text></outputEntry></rule>'


def errors(content: bytes) -> list[str]:
    return spiff.check_files({"choose.dmn": content}, {}).errors


def test_the_shipped_tables_have_no_overlapping_rules():
    for name in ("triage.dmn", "triage_check_needed.dmn", "task_routing.dmn"):
        assert errors((PROCESSES / name).read_bytes()) == [], name


def test_two_rules_matching_the_same_input_are_named_with_an_example():
    [error] = errors(table(rule("Rule_a", '"complaint"', "&lt;= 12") + rule("Rule_b", '"complaint"', "&gt; 10")))
    assert "rules 1 (Rule_a) and 2 (Rule_b) both match" in error
    assert "Kind = 'complaint'" in error and "Age = 11" in error
    assert "UNIQUE" in error


def test_an_empty_cell_overlaps_every_value():
    [error] = errors(table(rule("Rule_any", "", "") + rule("Rule_late", '"complaint"', "&gt; 12")))
    assert "Rule_any" in error and "Rule_late" in error


def test_rules_that_differ_in_one_column_do_not_overlap():
    assert errors(table(rule("Rule_a", '"complaint"', "&lt;= 12") + rule("Rule_b", '"complaint"', "&gt; 12")
                        + rule("Rule_c", '? in ("comment", "compliment")', ""))) == []


def test_a_cell_that_reads_other_data_is_assumed_to_match_so_a_doubtful_table_is_refused():
    [error] = errors(table(rule("Rule_a", "other_field", "") + rule("Rule_b", '"complaint"', "")))
    assert "Rule_a" in error and "Rule_b" in error


def test_a_collect_table_may_match_several_rules():
    assert errors(table(rule("Rule_a", "", "") + rule("Rule_b", "", ""), hit_policy="COLLECT")) == []


@pytest.mark.usefixtures("app")
def test_an_overlapping_triage_table_is_refused_and_nothing_is_deployed():
    before = db.session.scalar(select(func.count()).select_from(ProcessVersion))
    broken = (PROCESSES / "triage.dmn").read_text().replace(
        '<inputEntry id="UnaryTests_adults_social_care"><text>"adults"</text>',
        '<inputEntry id="UnaryTests_adults_social_care"><text>? in ("adults", "children")</text>')
    with pytest.raises(DeploymentRefused) as refused:
        registry.deploy_contents({"triage.dmn": broken.encode()}, {}, "process.owner")
    assert any("Rule_children" in e and "Rule_adults" in e for e in refused.value.reasons), refused.value
    assert db.session.scalar(select(func.count()).select_from(ProcessVersion)) == before
