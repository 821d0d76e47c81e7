"""The figures of the Ombudsman's annual letter against answers computed here, in plain Python, from the seed."""
from __future__ import annotations

from collections import Counter
from datetime import date

import pytest

from engine import annual_report, clock, dashboard
from engine.ombudsman import CATEGORIES, DECISIONS
from engine.ombudsman_letter import letter_figures
from tests.factories import at, make_user
from tests.reporting_seed import load, make_seed

YEARS = [(date(2025, 4, 1), date(2026, 3, 31)), (date(2026, 4, 1), date(2027, 3, 31))]
TODAYS = [date(2026, 6, 1), date(2027, 1, 15)]  # the second in the year: some recommendations not yet due


@pytest.fixture
def seeded(app):
    manager = make_user(username="manager", roles=["complaints_manager"])
    seed = make_seed(manager.id)
    load(seed)
    assert len(seed["ombudsman_cases"]) > 20 and len(seed["recommendations"]) > 10
    return manager, seed


def pct(part, whole):
    return round(100 * part / whole, 1) if whole else None


def expected(seed, start, end, today, categories=(), service_area=None):
    areas = {c["id"]: c["service_area"] for c in seed["cases"]}
    chosen = {o["id"]: o for o in seed["ombudsman_cases"]
              if (not categories or o["category"] in categories)
              and (service_area is None or areas[o["case_id"]] == service_area)}
    enquiries = Counter(o["category"] for o in chosen.values() if start <= o["enquiry_received_on"] <= end)
    decided = [o for o in chosen.values() if o["decided_on"] and start <= o["decided_on"] <= end]
    decisions = Counter((o["category"], o["decision"]) for o in decided)
    remedied = Counter(o["category"] for o in decided if o["decision"] == "upheld" and o["remedied_before"])
    rows = {}
    for category in set(enquiries) | {c for c, _ in decisions}:
        row = {"enquiries": enquiries[category], **{d: decisions[(category, d)] for d in DECISIONS},
               "remedied_before": remedied[category]}
        detailed = row["upheld"] + row["not_upheld"]
        row.update(decisions=sum(decisions[(category, d)] for d in DECISIONS), detailed=detailed,
                   upheld_percent=pct(row["upheld"], detailed))
        rows[category] = row
    upheld = sum(1 for o in decided if o["decision"] == "upheld")
    detailed = sum(1 for o in decided if o["decision"] in ("upheld", "not_upheld"))
    recs = [r for r in seed["recommendations"] if r["ombudsman_case_id"] in chosen and start <= r["due_on"] <= end]
    due = [r for r in recs if r["complied_on"] or r["due_on"] < today]
    on_time = [r for r in due if r["complied_on"] and r["complied_on"] <= r["due_on"]]
    late = [r for r in due if r["complied_on"] and r["complied_on"] > r["due_on"]]
    return rows, {"upheld": upheld, "detailed": detailed, "upheld_percent": pct(upheld, detailed),
                  "enquiries": sum(enquiries.values()), "decisions": len(decided)}, {
        "due": len(due), "on_time": len(on_time), "late": len(late),
        "not_complied": len(due) - len(on_time) - len(late),
        "not_yet_due": sum(1 for r in recs if not r["complied_on"] and r["due_on"] >= today),
        "percent": pct(len(on_time), len(due))}


SCOPES = [((), None), (("education_children",), None), (("adult_care", "housing"), None), ((), "housing")]


@pytest.mark.parametrize("year", range(len(YEARS)), ids=["2025-26", "2026-27"])
@pytest.mark.parametrize("scope", SCOPES, ids=["all", "children", "two-categories", "housing-area"])
def test_enquiries_decisions_upheld_and_compliance_rates(seeded, year, scope):
    _, seed = seeded
    (start, end), today = YEARS[year], TODAYS[year]
    categories, area = scope
    rows, totals, compliance = expected(seed, start, end, today, categories, area)
    got = letter_figures(start, end, today, categories=categories, service_area=area)
    assert {r["key"]: {k: r[k] for k in rows[r["key"]]} for r in got["rows"]} == rows
    assert [r["key"] for r in got["rows"]] == [k for k in CATEGORIES if k in rows]
    assert {k: got["totals"][k] for k in totals} == totals
    assert got["compliance"] == compliance


def test_the_dashboard_shows_the_letter_for_its_period(seeded):
    manager, seed = seeded
    with clock.frozen_at(at(date(2026, 6, 1))):
        data = dashboard.dashboard(manager, dashboard.Filters(date(2025, 4, 1), date(2026, 3, 31)))
        unfiltered = dashboard.dashboard(manager, dashboard.Filters())
    _, totals, compliance = expected(seed, date(2025, 4, 1), date(2026, 3, 31), date(2026, 6, 1))
    assert data["ombudsman"]["totals"]["decisions"] == totals["decisions"]
    assert data["ombudsman"]["compliance"] == compliance
    # Without a period, the financial year that today falls in.
    assert unfiltered["ombudsman"]["period_from"] == date(2026, 4, 1)


def test_the_annual_reports_carry_the_letter(seeded):
    manager, seed = seeded
    with clock.frozen_at(at(date(2026, 6, 1))):
        corporate = annual_report.build(manager, "corporate", 2025)
        childrens = annual_report.build(manager, "childrens", 2025)
    sections = {s.id: s for s in corporate.sections}
    rows, totals, compliance = expected(seed, date(2025, 4, 1), date(2026, 3, 31), date(2026, 6, 1))
    by_category = {r[0]: r for r in sections["ombudsman"].rows}
    assert {label: row[1] for label, row in by_category.items() if label != "Total"} == {
        CATEGORIES[k]: r["enquiries"] for k, r in rows.items()}
    assert by_category["Total"][2] == totals["decisions"]
    rates = {r[0]: r[1:] for r in sections["ombudsman_rates"].rows}
    assert rates["Upheld rate (upheld / detailed investigations)"] == [
        totals["upheld"], totals["detailed"], totals["upheld_percent"]]
    assert rates["Compliance rate (complied with by the date / recommendations due)"] == [
        compliance["on_time"], compliance["due"], compliance["percent"]]
    children_rows, _, _ = expected(seed, date(2025, 4, 1), date(2026, 3, 31), date(2026, 6, 1),
                                   ("education_children",))
    ombudsman = {s.id: s for s in childrens.sections}["ombudsman"]
    assert {r[0] for r in ombudsman.rows} <= {CATEGORIES["education_children"], "Total"}
    assert ombudsman.rows[-1][1] == sum(r["enquiries"] for r in children_rows.values())
