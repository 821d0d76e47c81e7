"""The dashboard, the annual reports (page, PDF, CSV) and the CSV exports, as managers use them."""
from __future__ import annotations

import csv
import io
import tracemalloc
from datetime import date, datetime, timezone

import pytest
from sqlalchemy import insert

from engine import annual_report, clock, exports
from engine.dashboard import Filters
from engine.models import Case, Deadline, db
from tests.factories import acknowledge, at, make_user, open_complaint, open_task, stage1_response
from tests.reporting_seed import load, make_seed
from tests.web.officer_client import post_form

TODAY = date(2026, 6, 1)


@pytest.fixture
def seeded(app):
    manager = make_user(username="manager", roles=["complaints_manager"])
    make_user(username="highways.officer", teams=["highways"])
    seed = make_seed(manager.id)
    load(seed)
    return seed


def get(client, url):
    with clock.frozen_at(at(TODAY)):
        return client.get(url)


def test_the_dashboard_shows_each_chart_with_its_table_and_filters(seeded, as_user):
    manager = as_user("manager")
    page = get(manager, "/reports/dashboard?from=2025-04-01&to=2026-03-31&service_area=housing")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert html.count('<svg role="img"') >= 8 and html.count("<table") >= 10
    assert "Contacts received by month" in html and "Share of steps completed on time" in html
    assert "Actions by theme" in html and "Financial redress total" in html
    assert '<option value="housing" selected>' in html
    assert get(as_user("highways.officer"), "/reports/dashboard").status_code == 404


def test_the_annual_report_page_pdf_and_csv_carry_the_same_figures(seeded, as_user):
    manager = as_user("manager")
    html = get(manager, "/reports/annual/corporate/2025").get_data(as_text=True)
    for heading in ("Complaints, comments and compliments received", "Complaints by service area", "Outcomes",
                    "Timeliness", "not dealt with under the procedure", "Remedies", "The Ombudsman",
                    "Improvements made"):
        assert heading in html
    pdf = get(manager, "/reports/annual/corporate/2025.pdf")
    assert pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")
    rows = list(csv.DictReader(io.StringIO(get(manager, "/reports/annual/corporate/2025.csv").get_data(as_text=True))))
    complaints = sum(1 for c in seeded["cases"] if c["kind"] == "complaint" and c["procedure"] in ("corporate", "none")
                     and date(2025, 4, 1) <= c["received_on"] <= date(2026, 3, 31))
    [received] = [r for r in rows if r["section"].startswith("Complaints, comments") and r["row"] == "Complaints"]
    assert int(received["value"]) == complaints
    refused = sum(1 for c in seeded["cases"] if c["exclusion"] == "insurance_claim"
                  and date(2025, 4, 1) <= c["received_on"] <= date(2026, 3, 31))
    [insurance] = [r for r in rows if r["section"].startswith("Complaints not dealt with")]
    assert int(insurance["value"]) == refused
    assert get(as_user("highways.officer"), "/reports/annual/corporate/2025").status_code == 404
    assert get(manager, "/reports/annual/nonsense/2025").status_code == 404


def test_the_adults_report_is_built_from_the_generic_tables(app):
    manager = make_user(username="manager", roles=["complaints_manager"])
    db.session.execute(insert(Case), [{
        "id": 1, "reference": "ADU-1", "kind": "complaint", "procedure": "adults_statutory", "stage": "response",
        "status": "open", "service_area": "adult_social_care", "channel": "phone", "summary": "Care package",
        "details": "", "social_care": "adults", "complainant": {}, "complainant_name": "A", "exclusion": "none",
        "received_on": date(2025, 5, 6), "outcome": "upheld", "created_at": datetime(2025, 5, 6, tzinfo=timezone.utc)}])
    db.session.execute(insert(Deadline), [
        {"case_id": 1, "step": step, "due_on": due, "completed_on": done, "basis": "", "start_on": date(2025, 5, 6),
         "working_days": days, "working_days_taken": taken, "extended_working_days": 0, "overdue": False}
        for step, due, done, days, taken in (("acknowledgement", date(2025, 5, 9), date(2025, 5, 8), 3, 2),
                                             ("complaint_plan", date(2025, 5, 20), date(2025, 5, 22), 10, 12),
                                             ("response", date(2025, 7, 1), None, 40, None))])
    db.session.commit()
    with clock.frozen_at(at(TODAY)):
        report = annual_report.build(manager, "adults", 2025)
    sections = {s.id: s for s in report.sections}
    assert [row[:4] for row in sections["timeliness"].rows] == [
        ["Acknowledgement", 1, 1, 100.0], ["Complaint plan", 1, 0, 0.0], ["Response", 0, 0, None]]
    assert sections["outcomes"].rows[0][:2] == ["Upheld", 1] and "escalation" not in sections


def test_the_case_export_streams_csv_for_the_filter(seeded, as_user):
    response = get(as_user("manager"), "/exports/cases.csv?service_area=waste")
    assert response.is_streamed and response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert len(rows) == sum(1 for c in seeded["cases"] if c["service_area"] == "waste")
    assert {r["service_area"] for r in rows} == {"waste"}
    actions = list(csv.DictReader(io.StringIO(get(as_user("manager"), "/exports/actions.csv").get_data(as_text=True))))
    assert len(actions) == len(seeded["actions"])


def test_a_cell_that_looks_like_a_formula_is_neutralised(app):
    manager = make_user(username="manager", roles=["complaints_manager"])
    open_complaint(make_user(username="cr"), summary="=HYPERLINK(\"http://x\")")
    lines = "".join(exports.case_csv(manager, Filters()))
    assert "'=HYPERLINK" in lines


def test_exporting_100000_cases_holds_constant_memory(sqlite_only_app):
    manager = make_user(username="manager", roles=["complaints_manager"])
    created = datetime(2026, 1, 1, tzinfo=timezone.utc)
    for start in range(0, 100_000, 10_000):
        db.session.execute(insert(Case), [
            {"reference": f"BULK-{n:06d}", "kind": "complaint", "procedure": "corporate", "stage": "stage1",
             "status": "open", "service_area": "highways", "channel": "phone", "summary": f"Bulk case number {n}",
             "details": "", "social_care": "none", "complainant": {}, "complainant_name": "Bulk", "exclusion": "none",
             "received_on": date(2025, 6, 1), "created_at": created} for n in range(start, start + 10_000)])
    db.session.commit()
    tracemalloc.start()
    try:
        lines = sum(1 for _ in exports.case_csv(manager, Filters()))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert lines == 100_001
    # All 100,000 rows held at once would take well over 50 MB; a batch of 1,000 takes a few hundred kB.
    assert peak < 8 * 1024 * 1024, f"peak {peak / 1e6:.1f} MB"


def test_staff_add_an_action_on_the_case_page_and_it_reaches_the_owners_task_list(app, as_user):
    cr = make_user(username="cr.officer")
    highways = make_user(username="highways.officer", teams=["highways"])
    from engine import human_tasks

    ref = open_complaint(cr, on=date(2025, 12, 19))["reference"]
    with clock.frozen_at(at(date(2025, 12, 22))):
        human_tasks.complete_task(open_task(ref, "Acknowledge complaint").id, acknowledge("2025-12-22"), user=cr)
    with clock.frozen_at(at(date(2026, 1, 7))):
        human_tasks.complete_task(open_task(ref, "Stage 1 response").id, stage1_response("2026-01-07"), user=highways)
    client = as_user("cr.officer")
    with clock.frozen_at(at(date(2026, 1, 8))):
        refused = post_form(client, f"/cases/{ref}/actions", {"description": "", "theme": "", "owner": "nobody",
                                                             "due_on": ""}, token_from=f"/cases/{ref}")
        assert refused.status_code == 400 and "There is problem" not in refused.get_data(as_text=True)
        assert "Enter what will change" in refused.get_data(as_text=True)
        added = post_form(client, f"/cases/{ref}/actions", {"description": "Inspect Mill Lane monthly",
                                                           "theme": "service_quality", "owner": "highways.officer",
                                                           "due_on": "2026-02-02"}, token_from=f"/cases/{ref}")
        assert added.status_code == 302
        assert "Inspect Mill Lane monthly" in client.get(f"/cases/{ref}").get_data(as_text=True)
        inbox = as_user("highways.officer").get("/tasks").get_data(as_text=True)
    assert "Complete the action" in inbox
