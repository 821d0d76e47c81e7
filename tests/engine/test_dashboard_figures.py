"""Every dashboard figure against a seeded data set whose answers are computed here, in plain Python."""
from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date

import pytest

from engine import clock, dashboard
from engine.dashboard import Filters
from engine.errors import NotFound
from tests.factories import at, make_user
from tests.reporting_seed import load, make_seed

TODAY = date(2026, 6, 1)
FILTERS = [Filters(), Filters(date(2025, 4, 1), date(2026, 3, 31)), Filters(service_area="housing"),
           Filters(date(2025, 10, 1), date(2026, 2, 28), "childrens_social_care"),
           Filters(procedures=("childrens_statutory",))]


@pytest.fixture
def seeded(app):
    manager = make_user(username="manager", roles=["complaints_manager"])
    seed = make_seed(manager.id)
    load(seed)
    return manager, seed


def chosen(seed, f: Filters) -> dict[int, dict]:
    return {c["id"]: c for c in seed["cases"]
            if (f.received_from is None or c["received_on"] >= f.received_from)
            and (f.received_to is None or c["received_on"] <= f.received_to)
            and (f.service_area is None or c["service_area"] == f.service_area)
            and (not f.procedures or c["procedure"] in f.procedures)}


def figures_for(manager, f):
    with clock.frozen_at(at(TODAY)):
        return dashboard.dashboard(manager, f)


def pct(part, whole):
    return round(100 * part / whole, 1) if whole else None


def mean(values):
    values = [v for v in values if v is not None]
    return round(sum(values) / len(values), 1) if values else None


@pytest.mark.parametrize("f", FILTERS, ids=["all", "year", "housing", "childrens-period", "childrens-procedure"])
def test_volumes_outcomes_and_escalation(seeded, f):
    manager, seed = seeded
    cases = chosen(seed, f)
    data = figures_for(manager, f)
    by_month = Counter((c["received_on"].strftime("%Y-%m"), c["kind"]) for c in cases.values())
    kinds = ("complaint", "comment", "compliment")
    assert {(r["key"], k): r[k] for r in data["by_month"] for k in kinds if r[k]} == dict(by_month)
    for column, key in (("service_area", "by_service_area"), ("channel", "by_channel"), ("procedure", "by_procedure"),
                        ("stage", "by_stage")):
        assert {r["key"]: r["total"] for r in data[key]} == dict(Counter(c[column] for c in cases.values()))
    complaints = [c for c in cases.values() if c["kind"] == "complaint"]
    contractors = Counter(c["contractor"] for c in complaints if c["contractor"])
    assert {r["contractor"]: r["complaints"] for r in data["by_contractor"]} == dict(contractors)
    outcomes = Counter(c["outcome"] for c in complaints if c["outcome"])
    assert {r["key"]: r["count"] for r in data["outcomes"]} == {o: outcomes.get(o, 0) for o in dashboard.OUTCOMES}
    assert {r["key"]: r["percent"] for r in data["outcomes"]} == {
        o: pct(outcomes.get(o, 0), sum(outcomes.values())) for o in dashboard.OUTCOMES}
    steps = defaultdict(set)
    for d in seed["deadlines"]:
        steps[d["case_id"]].add(d["step"].split("_")[0])
    had = [c for c in complaints if "stage1" in steps[c["id"]]]
    stage2 = sum("stage2" in steps[c["id"]] for c in had)
    stage3 = sum("stage3" in steps[c["id"]] for c in had)
    assert data["escalation"] == {"stage1": len(had), "stage2": stage2, "stage3": stage3,
                                  "stage2_percent": pct(stage2, len(had)), "stage3_percent": pct(stage3, len(had))}


@pytest.mark.parametrize("f", FILTERS[:4], ids=["all", "year", "housing", "childrens-period"])
def test_timeliness_open_overdue_remedies_and_actions(seeded, f):
    manager, seed = seeded
    cases = chosen(seed, f)
    data = figures_for(manager, f)
    by_step = defaultdict(list)
    for d in seed["deadlines"]:
        if d["case_id"] in cases:
            by_step[d["step"]].append(d)
    expected = {}
    for step, rows in by_step.items():
        done = [d for d in rows if d["completed_on"]]
        met = [d for d in done if d["completed_on"] <= d["due_on"]]
        expected[step] = {"completed": len(done), "met": len(met), "percent_met": pct(len(met), len(done)),
                          "average_taken": mean(d["working_days_taken"] for d in rows),
                          "average_target": mean(d["working_days"] for d in rows),
                          "open_overdue": sum(1 for d in rows if not d["completed_on"] and d["due_on"] < TODAY)}
    assert {r["step"]: {k: r[k] for k in expected.get(r["step"], {})} for r in data["timeliness"]} == expected

    late_cases = {d["case_id"] for d in seed["deadlines"] if not d["completed_on"] and d["due_on"] < TODAY}
    open_complaints = [c for c in cases.values() if c["kind"] == "complaint" and c["status"] == "open"]
    assert data["open_and_overdue"]["open"] == len(open_complaints)
    assert data["open_and_overdue"]["overdue"] == sum(c["id"] in late_cases for c in open_complaints)

    remedies = defaultdict(lambda: [set(), 0])
    for r in seed["remedies"]:
        if r["case_id"] in cases:
            remedies[(r["stage"], r["remedy"])][0].add(r["case_id"])
            remedies[(r["stage"], r["remedy"])][1] += r["amount_pence"] or 0
    assert {(r["stage"], r["key"]): (r["complaints"], r["amount_pence"]) for r in data["remedies"]} == {
        key: (len(ids), total) for key, (ids, total) in remedies.items()}

    themes = defaultdict(Counter)
    for a in seed["actions"]:
        if a["case_id"] in cases:
            late = a["status"] == "open" and (a["overdue"] or a["due_on"] < TODAY)
            themes[a["theme"]].update(actions=1, open=a["status"] == "open", overdue=late, done=a["status"] == "done")
    assert {r["key"]: {k: r[k] for k in ("actions", "open", "overdue", "done")} for r in data["actions"]["rows"]} == {
        theme: {k: counts[k] for k in ("actions", "open", "overdue", "done")} for theme, counts in themes.items()}
    assert data["actions"]["overdue"] == sum(c["overdue"] for c in themes.values())


def test_only_people_who_see_every_case_get_the_figures(app):
    with pytest.raises(NotFound):
        dashboard.dashboard(make_user(username="w", teams=["waste"]), Filters())
