"""Benchmark: the inbox and case pages, rendered server-side, over 100,000 cases on PostgreSQL.

What it measures
    Server-side time (Flask test client, in process: routing, session and user load, the SQL,
    Jinja rendering; no network, no browser) of the pages an officer opens all day:

      inbox mine        /tasks?view=mine
      inbox team        /tasks?view=team
      team overdue      /tasks?view=team&status=overdue
      team p50 desc     /tasks?view=team&sort=due_desc&page=50
      case page         /cases/<reference>   (or engine.cases.read_case if that route is absent)

    for two signed-in users:
      officer   roles ["officer"], teams ["highways"]: sees the unclaimed officer tasks of the
                highways team and the tasks they hold; opens highways cases.
      manager   roles ["complaints_manager"]: sees every unclaimed complaints-manager task and
                every case.

    Each page: 20 warm-up requests, then 200 timed; median and p95 in ms, and the number of
    SQL statements per request (a before_cursor_execute listener on the app's engine). The case
    page takes a different case each request (a random sample the user may see).

    Then EXPLAIN (ANALYZE, BUFFERS) of the inbox queries exactly as engine.inbox.InboxQuery.run
    builds them (the page query: _filtered(today) + ORDER BY/LIMIT/OFFSET; and its count query),
    with the indexes each plan uses.

The data
    A throwaway database complaints_bench_inbox_<random> (dropped at the end unless --keep),
    brought up to date by web.setup.prepare_database (migrations + diagrams). Running the engine
    100,000 times would take hours, so realistic rows are bulk-inserted with SQLAlchemy Core
    (conn.execute(table.insert(), rows), 5,000 rows a call; SQLAlchemy's "insertmanyvalues" sends
    them as multi-row INSERT ... VALUES statements kept under PostgreSQL's 65,535 bind-parameter
    limit, which a single 5,000-row .values([...]) on the 22-column cases table would exceed):

      cases              100,000 open: corporate 80% (10 service areas), children's and adults'
                         statutory 10% each; stage 1/2 (and 3 for statutory)
      process_instances  one minimal row per case (state '{}')
      deadlines          2-3 per case (acknowledgement met, the current stage's response open)
      human_tasks        1-2 open per case (~140,000): role officer 60% / complaints_manager 30% /
                         senior_manager 10%; team = the case's service area 70% or
                         customer_relations 30%; ~30% claimed by one of ~200 users (of the task's
                         role, and for officers of the task's team); due today-30 .. today+30
                         (3% with no due date); created over the last ~120 days
      audit_events       6-10 per case (~8), the case page's timeline
      users              200: 12 officers per team (12 service areas + customer_relations),
                         complaints and senior managers; two of them sign in (above)

    Then ANALYZE. The random generator is seeded (--seed), so runs get the same data.

Target
    p95 under 50 ms for every page, for both users.

Usage
    .venv/bin/python bench/inbox.py                  # 100,000 cases, 200 requests per page
    .venv/bin/python bench/inbox.py --quick          # 5,000 cases, 30 requests: a smoke check
    .venv/bin/python bench/inbox.py --keep           # leave the database for poking at with psql
    .venv/bin/python bench/inbox.py --cases 20000 --n 100 --warmup 10
"""
from __future__ import annotations

import argparse
import random
import re
import statistics
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import flask  # noqa: E402
from machine import PG_ADMIN_URL, print_machine  # noqa: E402
from sqlalchemy import create_engine, event, func, select, text  # noqa: E402
from sqlalchemy.dialects import postgresql  # noqa: E402

from engine import clock, inbox, users  # noqa: E402
from engine.calendar import london_date  # noqa: E402
from engine.inbox import InboxQuery  # noqa: E402
from engine.models import AuditEvent, Case, Deadline, HumanTask, ProcessInstance, ProcessVersion, User, db  # noqa: E402
from web import create_app  # noqa: E402
from web.setup import prepare_database  # noqa: E402

PASSWORD = "bench-pass-1234"
TARGET_P95_MS = 50.0

INBOX_PAGES = {
    "inbox mine": {"view": "mine"},
    "inbox team": {"view": "team"},
    "team overdue": {"view": "team", "status": "overdue"},
    "team p50 desc": {"view": "team", "sort": "due_desc", "page": "50"},
}

CORPORATE_AREAS = {  # share of all cases
    "highways": 15, "waste": 14, "housing": 12, "council_tax": 10, "planning": 7, "parks": 6,
    "environmental_health": 5, "benefits": 5, "libraries": 3, "leisure": 3,
}
STATUTORY_AREAS = {"childrens_statutory": ("childrens_social_care", 10), "adults_statutory": ("adult_social_care", 10)}
SERVICE_AREAS = [*CORPORATE_AREAS, "childrens_social_care", "adult_social_care"]  # 12
TEAMS = [*SERVICE_AREAS, "customer_relations"]
CHANNELS = ["web", "email", "phone", "letter", "in_person", "social_media"]
SUMMARIES = [
    "Pothole reported three times, not repaired", "Bin not collected for three weeks",
    "Damp and mould in the flat not dealt with", "Council Tax bill wrong after moving house",
    "Planning objection ignored", "Playground equipment broken for months", "Rude response at the library",
    "Noise from the neighbour's business", "Housing benefit payment stopped without notice",
    "Social worker did not return calls", "Care package reduced without assessment", "Leisure centre refund refused",
]
FIRST_NAMES = ["Sam", "Alex", "Priya", "Tom", "Aisha", "Grace", "Mohammed", "Olivia", "Jack", "Chloe", "Wei", "Ruth"]
LAST_NAMES = ["Resident", "Khan", "Smith", "Patel", "Jones", "Williams", "Brown", "Taylor", "Davies", "Evans"]
# (spec_id, name, form, deadline_step, lane) per role and stage.
TASKS = {
    "officer": {
        "stage1": [("Task_acknowledge", "Acknowledge complaint", "acknowledge.json", "acknowledgement",
                    "Customer relations"),
                   ("Task_stage1_response", "Stage 1 response", "stage1_response.json", "stage1_response", "Service")],
        "stage2": [("Task_acknowledge_stage2", "Acknowledge Stage 2 request", "acknowledge_stage2.json",
                    "stage2_acknowledgement", "Customer relations")],
        "stage3": [("Task_hold_panel", "Hold the Review Panel", "hold_panel.json", "stage3_panel", "Service")],
    },
    "complaints_manager": {
        "stage1": [("Task_stage1_response_overdue", "Overdue: Stage 1 response", "overdue.json", "stage1_response",
                    "Customer relations manager")],
        "stage2": [("Task_stage2_review", "Stage 2 review", "stage2_review.json", "stage2_response",
                    "Stage 2 reviewer"),
                   ("Task_appoint_stage2", "Appoint Investigating Officer and Independent Person",
                    "appoint_stage2.json", "stage2_response", "Complaints manager")],
        "stage3": [("Task_appoint_panel", "Appoint the Review Panel", "appoint_panel.json", "stage3_panel",
                    "Complaints manager")],
    },
    "senior_manager": {
        "stage1": [("Task_stage1_response_overdue", "Overdue: Stage 1 response", "overdue.json", "stage1_response",
                    "Senior manager")],
        "stage2": [("Task_adjudication", "Adjudication", "adjudication.json", "stage2_response", "Senior manager")],
        "stage3": [("Task_council_response", "Council's response to the panel", "council_response.json",
                    "stage3_council_response", "Senior manager")],
    },
}
EVENTS = [("task_created", "system"), ("deadline_set", "system"), ("task_claimed", None), ("note", None),
          ("reminder_due", "system"), ("email_sent", "system"), ("task_completed", None), ("stage_changed", None)]


# --------------------------------------------------------------------------- database

def make_app(url: str, workdir: Path) -> flask.Flask:
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "SQLALCHEMY_ECHO": False,
                      "SQLALCHEMY_RECORD_QUERIES": False, "SESSION_COOKIE_SECURE": False,
                      "WTF_CSRF_ENABLED": False, "UPLOAD_DIR": str(workdir / "uploads")})
    prepare_database(app)
    return app


def create_database() -> tuple[str, str]:
    name = f"complaints_bench_inbox_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return name, PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"


def drop_database(name: str) -> None:
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


# --------------------------------------------------------------------------- seeding

@dataclass
class Seeded:
    officer_id: int
    manager_id: int
    counts: dict[str, int] = field(default_factory=dict)
    officer_cases: list[str] = field(default_factory=list)  # highways references (the officer may see them)
    all_cases: list[str] = field(default_factory=list)
    seconds: float = 0.0


def _weighted(rng: random.Random, weights: dict):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _create_users(rng: random.Random, now: datetime) -> tuple[User, User, dict]:
    """The two who sign in (engine.users.create_user, with a password), then ~198 more by Core insert."""
    officer = users.create_user("bench.officer", roles=["officer"], teams=["highways"], password=PASSWORD,
                                email="bench.officer@council.example", display_name="Bench Officer")
    manager = users.create_user("bench.manager", roles=["complaints_manager"], teams=["customer_relations"],
                                password=PASSWORD, email="bench.manager@council.example",
                                display_name="Bench Manager")
    rows = []
    for team in TEAMS:
        for i in range(12 if team != "highways" else 11):  # 12 highways officers with bench.officer
            rows.append(("officer", team, f"{team}.officer{i + 1}"))
    rows += [("complaints_manager", "customer_relations", f"complaints.manager{i + 1}") for i in range(29)]
    rows += [("senior_manager", rng.choice(SERVICE_AREAS), f"senior.manager{i + 1}") for i in range(15)]
    db.session.execute(User.__table__.insert(), [
        {"username": u, "display_name": u.replace(".", " ").title(), "email": f"{u}@council.example",
         "password_hash": None, "roles": [role], "teams": [team], "active": True, "failed_sign_ins": 0,
         "created_at": now} for role, team, u in rows])
    db.session.commit()
    pools: dict = {}
    for user_id, roles, teams in db.session.execute(select(User.id, User.roles, User.teams)):
        role = roles[0]
        pools.setdefault(("officer", teams[0]) if role == "officer" else (role, None), []).append(user_id)
    return officer, manager, pools


def _insert(conn, table, rows: list[dict], batch: int) -> None:
    for start in range(0, len(rows), batch):
        conn.execute(table.insert(), rows[start:start + batch])


def seed(app: flask.Flask, n_cases: int, rng: random.Random, batch: int, verbose: bool = True) -> Seeded:
    started = time.perf_counter()
    now = clock.now()
    today = london_date(now)
    with app.app_context():
        officer, manager, pools = _create_users(rng, now)
        seeded = Seeded(officer.id, manager.id)
        versions = dict(db.session.execute(
            select(ProcessVersion.process_id, func.max(ProcessVersion.id)).group_by(ProcessVersion.process_id)
        ).all())
        corporate_version = versions["corporate_complaint"]
        childrens_version = versions.get("childrens_statutory_complaint", corporate_version)
        user_names = dict(db.session.execute(select(User.id, User.username)).all())
        db.session.remove()

        procedures = {"corporate": 80, "childrens_statutory": 10, "adults_statutory": 10}
        counts = dict.fromkeys(("cases", "process_instances", "deadlines", "human_tasks", "audit_events"), 0)
        for first in range(1, n_cases + 1, batch):
            ids = range(first, min(first + batch, n_cases + 1))
            instances, cases, deadlines, tasks, events = [], [], [], [], []
            for case_id in ids:
                procedure = _weighted(rng, procedures)
                if procedure == "corporate":
                    area = _weighted(rng, CORPORATE_AREAS)
                    stage = rng.choices(["stage1", "stage2"], weights=[80, 20])[0]
                    version_id = corporate_version
                else:
                    area = STATUTORY_AREAS[procedure][0]
                    stage = rng.choices(["stage1", "stage2", "stage3"], weights=[70, 20, 10])[0]
                    version_id = childrens_version
                received = today - timedelta(days=rng.randint(5, 120))
                opened_at = datetime(received.year, received.month, received.day, 9, tzinfo=timezone.utc) \
                    + timedelta(minutes=rng.randint(0, 8 * 60))
                reference = f"CMP-{received.year}-{case_id:06d}"
                name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
                summary = rng.choice(SUMMARIES)
                instances.append({
                    "id": case_id, "process_version_id": version_id, "state": "{}", "library_version": "3.2.0",
                    "serializer_version": "1.4", "status": "running", "lock_version": 1,
                    "created_at": opened_at, "updated_at": opened_at})
                cases.append({
                    "id": case_id, "reference": reference, "kind": "complaint", "procedure": procedure,
                    "stage": stage, "status": "open", "service_area": area, "channel": rng.choice(CHANNELS),
                    "summary": summary, "details": f"{summary}. Reported before, with no reply.",
                    "social_care": {"corporate": "none", "childrens_statutory": "children",
                                    "adults_statutory": "adults"}[procedure],
                    "complainant": {"name": name, "email": f"c{case_id}@example.org", "phone": "01632 960000"},
                    "complainant_name": name, "complainant_email": f"c{case_id}@example.org",
                    "on_behalf_of": None, "contractor": None, "received_on": received, "outcome": None,
                    "closed_on": None, "next_stage_request_by": None, "created_at": opened_at,
                    "process_instance_id": case_id})
                if area == "highways":
                    seeded.officer_cases.append(reference)
                seeded.all_cases.append(reference)
                steps = ["acknowledgement", "stage1_response"] + (["stage2_response"] if stage != "stage1" else []) \
                    + (["stage3_panel"] if stage == "stage3" else [])
                for i, step in enumerate(steps):
                    last = i == len(steps) - 1
                    due = received + timedelta(days=rng.randint(3, 40))
                    deadlines.append({
                        "case_id": case_id, "step": step, "due_on": due,
                        "completed_on": None if last else due - timedelta(days=rng.randint(0, 3)),
                        "basis": f"{rng.choice([5, 10, 20])} working days from {received.isoformat()} (received)",
                        "start_on": received, "working_days": 20, "extended_working_days": 0,
                        "extension_reason": None, "overdue": False})
                for _ in range(1 if rng.random() < 0.6 else 2):
                    role = _weighted(rng, {"officer": 60, "complaints_manager": 30, "senior_manager": 10})
                    spec_id, task_name, form, step, lane = rng.choice(TASKS[role][stage])
                    team = area if rng.random() < 0.7 else "customer_relations"
                    assignee = None
                    if rng.random() < 0.3:
                        assignee = rng.choice(pools[("officer", team) if role == "officer" else (role, None)])
                    created = opened_at + timedelta(minutes=rng.randint(1, 60 * 24 * 4))
                    tasks.append({
                        "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)), "case_id": case_id,
                        "instance_id": case_id, "process_version_id": version_id, "spec_id": spec_id,
                        "name": task_name, "lane": lane, "role": role, "team": team, "stage": stage,
                        "procedure": procedure, "service_area": area, "case_reference": reference,
                        "assignee_id": assignee, "excluded_user_id": None, "form": form, "deadline_step": step,
                        "due_on": None if rng.random() < 0.03 else today + timedelta(days=rng.randint(-30, 30)),
                        "created_at": min(created, now)})
                at = opened_at
                events.append({"case_id": case_id, "at": at, "actor": "customer_relations.officer1",
                               "event": "case_opened", "detail": f"complaint received by phone: {summary}"})
                for _ in range(rng.randint(5, 9)):
                    at += timedelta(minutes=rng.randint(5, 60 * 24))
                    kind, actor = rng.choice(EVENTS)
                    actor = actor or user_names[rng.choice(list(user_names))]
                    events.append({"case_id": case_id, "at": min(at, now), "actor": actor, "event": kind,
                                   "detail": f"{kind.replace('_', ' ').capitalize()} for {reference}"})
            with db.engine.begin() as conn:
                _insert(conn, ProcessInstance.__table__, instances, batch)
                _insert(conn, Case.__table__, cases, batch)
                _insert(conn, Deadline.__table__, deadlines, batch)
                _insert(conn, HumanTask.__table__, tasks, batch)
                _insert(conn, AuditEvent.__table__, events, batch)
            for key, rows in zip(counts, (cases, instances, deadlines, tasks, events)):
                counts[key] += len(rows)
            if verbose and (ids[-1] % 20000 == 0 or ids[-1] == n_cases):
                print(f"  seeded {ids[-1]:>7,} cases ({time.perf_counter() - started:5.1f} s)", flush=True)
        with db.engine.begin() as conn:
            for table in ("cases", "process_instances"):
                conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                  f"(SELECT max(id) FROM {table}))"))
        analyze_started = time.perf_counter()
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("ANALYZE"))
        if verbose:
            print(f"  ANALYZE {time.perf_counter() - analyze_started:.1f} s")
        counts["users"] = db.session.scalar(select(func.count()).select_from(User))
        db.session.remove()
    seeded.counts = counts
    seeded.seconds = time.perf_counter() - started
    return seeded


# --------------------------------------------------------------------------- timing

@dataclass
class Figures:
    user: str
    page: str
    times: list[float]  # seconds
    statements: list[int]
    status: int
    bytes: int
    matched: int | None = None  # inbox: the total the page reports

    @property
    def median_ms(self) -> float:
        return 1000 * statistics.median(self.times)

    @property
    def p95_ms(self) -> float:
        return 1000 * statistics.quantiles(self.times, n=20, method="inclusive")[-1]

    @property
    def statements_text(self) -> str:
        low, high = min(self.statements), max(self.statements)
        return str(low) if low == high else f"{low}-{high}"


class StatementCounter:
    def __init__(self, engine):
        self.count = 0
        event.listen(engine, "before_cursor_execute", self._count)

    def _count(self, *_args):
        self.count += 1


def sign_in(app: flask.Flask, username: str):
    client = app.test_client()
    response = client.post("/sign-in", data={"username": username, "password": PASSWORD})
    if response.status_code != 302:
        raise SystemExit(f"sign-in as {username} failed: HTTP {response.status_code}")
    return client


def time_page(fetch, counter: StatementCounter, n: int, warmup: int) -> tuple[list[float], list[int], int, int]:
    status = size = 0
    for i in range(warmup):
        fetch(i)
    times, statements = [], []
    for i in range(n):
        before = counter.count
        started = time.perf_counter()
        status, size = fetch(warmup + i)
        times.append(time.perf_counter() - started)
        statements.append(counter.count - before)
        if status != 200:
            raise SystemExit(f"HTTP {status}")
    return times, statements, status, size


def measure(app: flask.Flask, seeded: Seeded, n: int, warmup: int, rng: random.Random) -> tuple[list[Figures], str]:
    with app.app_context():
        counter = StatementCounter(db.engine)
    has_case_route = any(rule.rule == "/cases/<reference>" for rule in app.url_map.iter_rules())
    case_label = "case page" if has_case_route else "read_case()"
    results = []
    for label, username, refs in (("officer", "bench.officer", seeded.officer_cases),
                                  ("manager", "bench.manager", seeded.all_cases)):
        client = sign_in(app, username)
        for page, params in INBOX_PAGES.items():
            def fetch(_i, params=params):
                response = client.get("/tasks", query_string=params)
                return response.status_code, len(response.data)

            times, statements, status, size = time_page(fetch, counter, n, warmup)
            results.append(Figures(label, page, times, statements, status, size,
                                   _matched(app, username, params)))
            print(f"  {label:<8} {page:<14} median {results[-1].median_ms:6.1f} ms  p95 {results[-1].p95_ms:6.1f} ms"
                  f"  {results[-1].statements_text} statements", flush=True)
        sample = rng.sample(refs, min(len(refs), n + warmup))
        if has_case_route:
            def fetch(i):
                response = client.get(f"/cases/{sample[i % len(sample)]}")
                return response.status_code, len(response.data)
        else:
            from engine import cases

            def fetch(i, username=username):
                with app.app_context():
                    user = db.session.scalar(select(User).where(User.username == username))
                    view = cases.read_case(sample[i % len(sample)], user=user)
                    db.session.remove()
                return 200, len(repr(view))
        times, statements, status, size = time_page(fetch, counter, n, warmup)
        results.append(Figures(label, case_label, times, statements, status, size))
        print(f"  {label:<8} {case_label:<14} median {results[-1].median_ms:6.1f} ms  p95 {results[-1].p95_ms:6.1f} ms"
              f"  {results[-1].statements_text} statements", flush=True)
    return results, case_label


def _matched(app: flask.Flask, username: str, params: dict) -> int:
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == username))
        total = InboxQuery(user, view=params["view"], status=params.get("status")).run()["total"]
        db.session.remove()
    return total


# --------------------------------------------------------------------------- EXPLAIN

INDEX_NODE = re.compile(r"(Index Only Scan|Index Scan|Bitmap Index Scan)(?: Backward)?(?: using| on) (\w+)")
SEQ_NODE = re.compile(r"Seq Scan on (\w+)")


def explain(app: flask.Flask) -> list[dict]:
    """EXPLAIN ANALYZE the page and count queries of each inbox page, as InboxQuery.run builds them."""
    findings = []
    dialect = postgresql.dialect()
    with app.app_context():
        today = london_date(clock.now())
        for label, username in (("officer", "bench.officer"), ("manager", "bench.manager")):
            user = db.session.scalar(select(User).where(User.username == username))
            for page, params in INBOX_PAGES.items():
                query = InboxQuery(user, view=params["view"], status=params.get("status"),
                                   sort=params.get("sort", "due"), page=int(params.get("page", 1)))
                filtered = query._filtered(today)
                statements = {
                    "rows": filtered.order_by(*inbox.SORTS.get(query.sort, inbox.SORTS["due"]))
                    .limit(query.page_size).offset((max(query.page, 1) - 1) * query.page_size),
                    "count": select(func.count()).select_from(filtered.order_by(None).subquery()),
                }
                for kind, statement in statements.items():
                    compiled = statement.compile(dialect=dialect, compile_kwargs={"render_postcompile": True})
                    plan = [row[0] for row in db.session.connection().exec_driver_sql(
                        f"EXPLAIN (ANALYZE, BUFFERS) {compiled}", dict(compiled.params))]
                    plan_text = "\n".join(plan)
                    findings.append({
                        "user": label, "page": page, "kind": kind, "sql": str(compiled), "params": compiled.params,
                        "plan": plan_text,
                        "indexes": sorted({f"{m.group(1)} {m.group(2)}" for m in INDEX_NODE.finditer(plan_text)}),
                        "seq_scans": sorted(set(SEQ_NODE.findall(plan_text))),
                        "sort": re.findall(r"Sort Method: ([^\n]+)", plan_text),
                        "ms": float(re.search(r"Execution Time: ([\d.]+) ms", plan_text).group(1)),
                    })
            db.session.remove()
    return findings


def print_explain(findings: list[dict], full: bool) -> None:
    print("\nEXPLAIN (ANALYZE, BUFFERS) of the inbox queries (engine.inbox.InboxQuery)")
    for f in findings:
        uses = ", ".join(f["indexes"]) or "no index"
        seq = f"; SEQ SCAN on {', '.join(f['seq_scans'])}" if f["seq_scans"] else ""
        sort = f"; sort: {'; '.join(f['sort'])}" if f["sort"] else ""
        print(f"  {f['user']:<8} {f['page']:<14} {f['kind']:<6} {f['ms']:7.2f} ms  {uses}{seq}{sort}")
    if full:
        shown = set()
        for f in findings:
            key = (f["user"], f["page"], f["kind"])
            if key in shown:
                continue
            shown.add(key)
            print(f"\n--- {f['user']} / {f['page']} / {f['kind']}\n{f['sql']}\n{f['params']}\n{f['plan']}")


# --------------------------------------------------------------------------- report







def _version(dist: str) -> str:
    from importlib.metadata import version

    return version(dist)


def print_table(results: list[Figures]) -> bool:
    print(f"\n{'user':<9}{'page':<15}{'matched':>9}{'KiB':>7}{'median ms':>11}{'p95 ms':>9}{'statements':>12}")
    met = True
    for f in results:
        matched = f"{f.matched:,}" if f.matched is not None else "-"
        flag = "" if f.p95_ms < TARGET_P95_MS else "  > target"
        met &= f.p95_ms < TARGET_P95_MS
        print(f"{f.user:<9}{f.page:<15}{matched:>9}{f.bytes / 1024:>7.0f}{f.median_ms:>11.1f}{f.p95_ms:>9.1f}"
              f"{f.statements_text:>12}{flag}")
    print(f"\nTarget p95 < {TARGET_P95_MS:.0f} ms for both users: {'MET' if met else 'NOT MET'}")
    return met


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=100_000, help="cases to seed (default 100,000)")
    parser.add_argument("--n", type=int, default=200, help="timed requests per page and user (default 200)")
    parser.add_argument("--warmup", type=int, default=20, help="untimed requests first (default 20)")
    parser.add_argument("--batch", type=int, default=5000, help="rows per INSERT call (default 5,000)")
    parser.add_argument("--seed", type=int, default=20261122, help="random seed for the data")
    parser.add_argument("--quick", action="store_true", help="a fast check: 5,000 cases, n=30, warm-up 5")
    parser.add_argument("--keep", action="store_true", help="do not drop the database at the end")
    parser.add_argument("--plans", action="store_true", help="print the full EXPLAIN plans and SQL")
    args = parser.parse_args(argv)
    if args.quick:
        args.cases, args.n, args.warmup = 5000, 30, 5
    return args


def main(argv=None) -> None:
    args = parse_args(argv)
    print(f"Inbox benchmark: {args.cases:,} cases, n={args.n}, warm-up={args.warmup}, seed={args.seed}")
    print_machine({"flask": _version("flask")})
    rng = random.Random(args.seed)
    name, url = create_database()
    print(f"database    {name}")
    try:
        with tempfile.TemporaryDirectory(prefix="bench-inbox-") as folder:
            app = make_app(url, Path(folder))
            try:
                print("\nSeeding")
                seeded = seed(app, args.cases, rng, args.batch)
                print(f"  {', '.join(f'{v:,} {k}' for k, v in seeded.counts.items())} in {seeded.seconds:.1f} s "
                      f"(incl. ANALYZE)")
                print("\nTiming (server-side, Flask test client), the code as it is")
                results, _ = measure(app, seeded, args.n, args.warmup, rng)
                findings = explain(app)
                print_explain(findings, args.plans)
                print_table(results)
            finally:
                with app.app_context():
                    db.session.remove()
                    db.engine.dispose()
    finally:
        if args.keep:
            print(f"\nkept database {name}: {url}")
        else:
            drop_database(name)


if __name__ == "__main__":
    main()
