"""The `complaints` command line of ../shared/api-contract.md, against a throwaway SQLite file."""
from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from engine import clock, human_tasks
from engine.models import db
from tests.factories import acknowledge, at, make_user, open_complaint, open_task, stage1_response
from web import create_app
from web.cli import main
from web.setup import prepare_database

CORPUS = Path(__file__).resolve().parents[1] / "fixtures" / "bpmn-corpus"
PROJECT = Path(__file__).resolve().parents[2]


@pytest.fixture
def database_url(tmp_path):
    return f"sqlite:///{tmp_path / 'cli.sqlite3'}"


@pytest.fixture
def complaints(database_url):
    """Run `complaints ARGS...` in-process with DATABASE_URL set; stdout and stderr kept apart."""
    runner = CliRunner()

    def run(*args):
        return runner.invoke(main, list(args), env={"DATABASE_URL": database_url}, catch_exceptions=False)

    return run


def ok(result) -> str:
    assert result.exit_code == 0, f"exit {result.exit_code}\nstdout: {result.stdout}\nstderr: {result.stderr}"
    return result.stdout


def deployed(complaints) -> list[str]:
    """`processes list` as (process id, version, file) rows."""
    return [tuple(line.split("\t")[:4]) for line in ok(complaints("processes", "list")).splitlines()]


def test_a_user_created_on_the_command_line_can_call_the_api_with_the_printed_token(complaints, database_url):
    out = ok(complaints("users", "create", "hw.officer", "--role", "officer", "--team", "highways",
                        "--password", "a-long-password", "--email", "hw@council.example"))
    assert "hw.officer" in out
    token = ok(complaints("users", "token", "hw.officer")).splitlines()[-1].strip()
    assert len(token) >= 32

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "TESTING": True})
    client = app.test_client()
    response = client.get("/api/complaints", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["total"] == 0
    assert client.get("/api/complaints", headers={"Authorization": "Bearer x" + token}).status_code == 401
    with app.app_context():
        from engine.users import check_password, get_user

        user = get_user("hw.officer")
        assert (user.roles, user.teams, user.email) == (["officer"], ["highways"], "hw@council.example")
        assert check_password(user, "a-long-password")
        db.session.remove()


def test_users_create_takes_several_roles_and_refuses_unknown_ones_and_duplicates(complaints):
    ok(complaints("users", "create", "boss", "--role", "complaints_manager", "--role", "officer",
                  "--team", "customer_relations", "--team", "highways"))
    assert complaints("users", "create", "boss", "--role", "officer").exit_code != 0
    refused = complaints("users", "create", "someone", "--role", "emperor")
    assert refused.exit_code != 0 and "emperor" in refused.stderr
    missing = complaints("users", "token", "nobody")
    assert missing.exit_code != 0 and "nobody" in missing.stderr


def test_processes_list_shows_the_deployed_corporate_procedure(complaints):
    rows = deployed(complaints)
    assert ("corporate_complaint", "v1", "bpmn", "corporate_complaint.bpmn") in rows
    assert {row[0] for row in rows} >= {"corporate_complaint", "procedure_for_contact", "task_routing"}


def test_a_broken_file_is_refused_with_reasons_and_nothing_is_deployed(complaints, tmp_path):
    before = ok(complaints("processes", "list"))
    broken = tmp_path / "broken.bpmn"
    broken.write_text("<definitions><process id='half'")
    good = CORPUS / "camunda_loan_approval.bpmn"

    result = complaints("processes", "deploy", str(good), str(broken))
    assert result.exit_code != 0
    assert "broken.bpmn" in result.stderr and "Nothing was deployed" in result.stderr
    assert "deployed" not in result.stdout
    assert ok(complaints("processes", "list")) == before


def test_a_missing_file_is_refused(complaints, tmp_path):
    before = ok(complaints("processes", "list"))
    result = complaints("processes", "deploy", str(tmp_path / "nowhere.bpmn"))
    assert result.exit_code != 0 and "nowhere.bpmn" in result.stderr
    assert ok(complaints("processes", "list")) == before


def test_a_diagram_from_another_modeller_deploys_with_a_warning_and_once_only(complaints):
    corpus_file = str(CORPUS / "camunda_loan_approval.bpmn")
    first = complaints("processes", "deploy", corpus_file)
    assert "deployed embeddedFormsQuickstart version 1 (camunda_loan_approval.bpmn)" in ok(first)
    assert "warning:" in first.stderr and "camunda:" in first.stderr
    assert ("embeddedFormsQuickstart", "v1", "bpmn", "camunda_loan_approval.bpmn") in deployed(complaints)

    listing = ok(complaints("processes", "list"))
    again = complaints("processes", "deploy", corpus_file)
    assert "unchanged embeddedFormsQuickstart version 1" in ok(again)
    assert "deployed" not in again.stdout
    assert ok(complaints("processes", "list")) == listing


def _case_whose_stage2_window_has_passed(database_url) -> str:
    """Through the engine: a complaint answered at Stage 1 on 7 January; the window to ask ends 4 February."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "TESTING": True})
    prepare_database(app)
    with app.app_context():
        cr = make_user(username="cr.officer", teams=["customer_relations"])
        highways = make_user(username="hw.officer", teams=["highways"])
        ref = open_complaint(cr, on=date(2025, 12, 19))["reference"]
        with clock.frozen_at(at(date(2025, 12, 22))):
            human_tasks.complete_task(open_task(ref, "Acknowledge complaint").id, acknowledge("2025-12-22"), user=cr)
        with clock.frozen_at(at(date(2026, 1, 7))):
            case = human_tasks.complete_task(open_task(ref, "Stage 1 response").id, stage1_response("2026-01-07"),
                                             user=highways)
        assert case["next_stage_request_by"] == "2026-02-04"
        db.session.remove()
    return ref


def test_timers_fire_fires_each_due_timer_once(complaints, database_url):
    ref = _case_whose_stage2_window_has_passed(database_url)
    assert ok(complaints("timers", "fire", "--now", "2026-02-04T23:00:00+00:00")).strip() == "0 timers fired"
    assert ok(complaints("timers", "fire", "--now", "2026-02-05T09:00:00+00:00")).strip() == "1 timers fired"
    assert ok(complaints("timers", "fire", "--now", "2026-02-05T09:00:00+00:00")).strip() == "0 timers fired"

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "TESTING": True})
    with app.app_context():
        from engine import cases
        from engine.users import get_user

        case = cases.read_case(ref, user=get_user("cr.officer"))
        assert (case["stage"], case["status"]) == ("closed", "closed")
        db.session.remove()


@pytest.mark.parametrize("instant, hint", [("yesterday", "ISO 8601"), ("2026-02-05T09:00:00", "offset")])
def test_timers_fire_wants_an_iso_instant_with_an_offset(complaints, instant, hint):
    result = complaints("timers", "fire", "--now", instant)
    assert result.exit_code == 2 and hint in result.stderr
    assert "timers fired" not in result.stdout


def test_the_installed_console_script_runs(database_url):
    script = Path(sys.executable).parent / "complaints"
    assert script.exists()
    env = {**os.environ, "DATABASE_URL": database_url}
    done = subprocess.run([str(script), "processes", "list"], env=env, cwd=PROJECT, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert any(line.startswith("corporate_complaint\tv1\t") for line in done.stdout.splitlines())
