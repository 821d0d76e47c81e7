"""Benchmark: a backlog of due timers drained by one and by two Celery workers on PostgreSQL.

What it measures
    Timers fired per second after an outage: 10,000 timers already due (5,000
    corporate complaints received on Friday 2025-12-19, each with its acknowledgement
    reminder and escalation timer past due), drained by real `celery --app tasks worker
    --pool solo --concurrency 1` processes plus one `celery --app tasks beat`
    (TIMER_SWEEP_SECONDS=1, TIMER_QUEUE_TTL_SECONDS=30), on Redis and a throwaway
    PostgreSQL database, as the project runs in production.

    For each worker count (default 1 and 2):
      - a fresh PostgreSQL database holding the backlog (the backlog is built once by
        opening the complaints with engine.cases.open_case, clock frozen at 2025-12-19,
        in one app context, then copied with CREATE DATABASE ... TEMPLATE for each run,
        so every run starts from the same untouched rows; creation is not timed);
      - a flushed dedicated Redis database (default redis://127.0.0.1:6379/10);
      - the workers and beat are started together; the number of fired timers
        (timers.fired_at IS NOT NULL) is polled every 0.5 s;
      - start-up = worker start -> first timer fired; drain = first fired -> all fired;
        timers/s = timers / drain;
      - afterwards: exactly one `timer_fired` audit row per timer (no duplicates),
        nothing left unfired, and the worker logs scanned for errors.

    The emails the timers queue are part of the load: without SMTP_HOST every
    notification is marked not_sent by the send_notification task, as beat's
    sweep_pending_emails hands them to the same workers.

Why a same-run baseline
    The machines are shared and noisy. The same run also fires a fresh backlog
    in-process with engine.timers.fire_due_timers(now) (one sweeper, no Celery, no
    Redis), so the cost of the Celery path is visible as a ratio.

Usage
    .venv/bin/python bench/timers.py                          # 10,000 timers, 1 and 2 workers
    .venv/bin/python bench/timers.py --timers 1000 --workers 2 --baseline-timers 200
"""
from __future__ import annotations

import argparse
import atexit
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from machine import PG_ADMIN_URL, print_machine  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402

from engine import clock, timers  # noqa: E402
from engine.models import db  # noqa: E402
from tests.factories import make_user, open_complaint  # noqa: E402
from web import create_app  # noqa: E402
from web.setup import prepare_database  # noqa: E402

REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/10")
CELERY = str(Path(sys.executable).with_name("celery"))
RECEIVED = date(2025, 12, 19)   # a Friday before Christmas: reminder and escalation long past due
TIMERS_PER_COMPLAINT = 2        # the acknowledgement reminder and its escalation
POLL_SECONDS = 0.5

_children: list[subprocess.Popen] = []


# --------------------------------------------------------------------------- databases

def _admin():
    return create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")


def _url(name: str) -> str:
    return PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"


def _drop(name: str) -> None:
    admin = _admin()
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@contextmanager
def throwaway_database(template: str | None = None):
    """Yield the name of a new database (a copy of `template` if given); drop it at the end."""
    name = f"complaints_bench_{uuid.uuid4().hex[:10]}"
    admin = _admin()
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else "")))
    admin.dispose()
    try:
        yield name
    finally:
        _drop(name)


def make_app(name: str, workdir: Path):
    app = create_app({"SQLALCHEMY_DATABASE_URI": _url(name), "SECRET_KEY": "bench", "SQLALCHEMY_ECHO": False,
                      "SQLALCHEMY_RECORD_QUERIES": False, "SESSION_COOKIE_SECURE": False,
                      "UPLOAD_DIR": str(workdir / "uploads")})
    prepare_database(app)
    return app


def _dispose(app) -> None:
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def build_backlog(name: str, n_timers: int, workdir: Path) -> int:
    """Open n_timers/2 complaints received on 2025-12-19 in database `name`; return the due timers."""
    app = make_app(name, workdir)
    try:
        with app.app_context():
            officer = make_user(username="cr.officer", teams=["customer_relations"])
            complaints = -(-n_timers // TIMERS_PER_COMPLAINT)
            started = time.perf_counter()
            for i in range(1, complaints + 1):
                open_complaint(officer, on=RECEIVED)
                if i % 1000 == 0 or i == complaints:
                    print(f"  opened {i}/{complaints} complaints ({time.perf_counter() - started:.0f} s)", flush=True)
            db.session.remove()
    finally:
        _dispose(app)
    return count_due(name)


def _scalar(name: str, sql: str, **params):
    engine = create_engine(_url(name))
    try:
        with engine.connect() as conn:
            return conn.execute(text(sql), params).scalar()
    finally:
        engine.dispose()


def count_due(name: str) -> int:
    return _scalar(name, "SELECT count(*) FROM timers WHERE fired_at IS NULL AND cancelled_at IS NULL "
                         "AND due_at <= :now", now=datetime.now(timezone.utc).replace(tzinfo=None))


# --------------------------------------------------------------------------- processes

def _stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
    except ProcessLookupError:
        pass


def stop_children() -> None:
    while _children:
        _stop(_children.pop())


def _on_signal(signum, _frame):
    raise SystemExit(128 + signum)  # unwinds through the finally blocks that stop the workers


def start_celery(args: list[str], env: dict, log: Path) -> subprocess.Popen:
    with open(log, "w") as out:
        process = subprocess.Popen([CELERY, "--app", "tasks", *args], cwd=ROOT, env=env, stdout=out,
                                   stderr=subprocess.STDOUT, start_new_session=True)
    _children.append(process)
    return process


def flush_redis() -> None:
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    client.flushdb()
    client.close()


# --------------------------------------------------------------------------- one Celery run

@dataclass
class Run:
    workers: int
    timers: int
    startup: float | None = None      # worker start -> first timer fired
    drain: float | None = None        # first fired -> all fired
    fired: int = 0
    audit_rows: int = 0
    duplicate_rows: int = 0
    longest_stall: float = 0.0        # longest time with no progress during the drain
    tasks: dict = field(default_factory=dict)
    problems: list = field(default_factory=list)
    logs: Path | None = None

    @property
    def per_second(self) -> float:
        return self.timers / self.drain if self.drain else 0.0


TASK_LINE = re.compile(r"Task (complaints\.\w+)\[[^\]]+\] succeeded in ([\d.e-]+)s: (.*)$")


def read_worker_logs(logdir: Path, run: Run) -> None:
    """Tally the tasks the workers ran and the time they spent inside them; note errors."""
    tasks: dict[str, dict] = {}
    for log in sorted(logdir.glob("*.log")):
        for line in log.read_text(errors="replace").splitlines():
            match = TASK_LINE.search(line)
            if match:
                name, seconds, result = match.group(1).split(".", 1)[1], float(match.group(2)), match.group(3)
                tally = tasks.setdefault(name, {"n": 0, "seconds": 0.0, "no_op": 0})
                tally["n"] += 1
                tally["seconds"] += seconds
                tally["no_op"] += result.strip() in ("(0, 0)", "[0, 0]", "'gone'")
            elif re.search(r"\b(ERROR|CRITICAL)\b|Traceback|raised unexpected", line):
                run.problems.append(f"{log.name}: {line.strip()[:200]}")
    run.tasks = tasks


def celery_run(template: str, n_timers: int, workers: int, timeout: float, stall_limit: float,
               keep_logs: bool) -> Run:
    run = Run(workers, n_timers)
    logdir = Path(tempfile.mkdtemp(prefix=f"bench-timers-{workers}w-"))
    run.logs = logdir
    with throwaway_database(template) as name:
        app = make_app(name, logdir)  # create_app + prepare_database on the copy: a no-op upgrade
        _dispose(app)
        flush_redis()
        env = {**os.environ, "DATABASE_URL": _url(name), "REDIS_URL": REDIS_URL, "TIMER_SWEEP_SECONDS": "1",
               "TIMER_QUEUE_TTL_SECONDS": "30", "SECRET_KEY": "bench"}
        env.pop("SMTP_HOST", None)
        poll = create_engine(_url(name), isolation_level="AUTOCOMMIT")
        try:
            started = time.monotonic()
            for n in range(1, workers + 1):
                start_celery(["worker", "--loglevel", "INFO", "--pool", "solo", "--concurrency", "1",
                              "--hostname", f"w{n}@%h", "--without-gossip", "--without-mingle"],
                             env, logdir / f"worker{n}.log")
            start_celery(["beat", "--loglevel", "INFO", "--schedule", str(logdir / "beat-schedule")],
                         env, logdir / "beat.log")
            first = None
            last_count, last_progress = 0, started
            next_report = started + 30
            with poll.connect() as conn:
                while True:
                    time.sleep(POLL_SECONDS)
                    fired = conn.execute(text("SELECT count(*) FROM timers WHERE fired_at IS NOT NULL")).scalar()
                    now = time.monotonic()
                    if fired and first is None:
                        first = now
                        run.startup = first - started
                    if fired != last_count:
                        if first is not None and last_count:
                            run.longest_stall = max(run.longest_stall, now - last_progress)
                        last_count, last_progress = fired, now
                    if fired >= n_timers:
                        run.drain = now - first
                        break
                    dead = [p for p in _children if p.poll() is not None]
                    if dead:
                        run.problems.append(f"a celery process exited with {dead[0].returncode}")
                        break
                    if now - started > timeout or now - last_progress > stall_limit:
                        run.problems.append(f"gave up at {fired}/{n_timers} fired after {now - started:.0f} s "
                                            f"({now - last_progress:.0f} s without progress)")
                        break
                    if now >= next_report:
                        print(f"  {now - started:5.0f} s: {fired} fired", flush=True)
                        next_report += 30
                run.fired = fired
            if run.drain is not None:
                time.sleep(3)  # a few more beat sweeps: nothing may fire twice
        finally:
            stop_children()
            poll.dispose()
            flush_redis()
        run.fired = _scalar(name, "SELECT count(*) FROM timers WHERE fired_at IS NOT NULL")
        run.audit_rows = _scalar(name, "SELECT count(*) FROM audit_events WHERE event = 'timer_fired'")
        run.duplicate_rows = _scalar(name, "SELECT coalesce(sum(n - 1), 0) FROM (SELECT count(*) AS n "
                                           "FROM audit_events WHERE event = 'timer_fired' "
                                           "GROUP BY case_id, detail HAVING count(*) > 1) AS d")
        failed = _scalar(name, "SELECT count(*) FROM timers WHERE attempts > 0")
        if failed:
            run.problems.append(f"{failed} timers recorded a failed attempt")
        if run.audit_rows != n_timers or run.fired != n_timers:
            run.problems.append(f"expected {n_timers} fired timers and timer_fired rows, "
                                f"got {run.fired} and {run.audit_rows}")
    read_worker_logs(logdir, run)
    if not keep_logs and not run.problems:
        shutil.rmtree(logdir, ignore_errors=True)
        run.logs = None
    return run


# --------------------------------------------------------------------------- in-process baseline

@dataclass
class Baseline:
    timers: int
    seconds: float
    fired: int
    failed: int

    @property
    def per_second(self) -> float:
        return self.fired / self.seconds


def baseline_run(name: str) -> Baseline:
    """engine.timers.fire_due_timers(now) in this process on the backlog in database `name`."""
    with tempfile.TemporaryDirectory(prefix="bench-timers-") as folder:
        due = count_due(name)
        app = make_app(name, Path(folder))
        try:
            with app.app_context():
                now = clock.now()
                started = time.perf_counter()
                result = timers.fire_due_timers(now)
                seconds = time.perf_counter() - started
                db.session.remove()
        finally:
            _dispose(app)
        return Baseline(due, seconds, result.fired, result.failed)


# --------------------------------------------------------------------------- report







def _fmt(value: float | None, spec: str) -> str:
    return "-" if value is None else format(value, spec)


def print_results(runs: list[Run], baseline: Baseline | None) -> None:
    print(f"\n{'workers':>7}{'timers':>8}{'start-up s':>12}{'drain s':>9}{'timers/s':>10}"
          f"{'audit rows':>12}{'duplicates':>12}{'longest stall s':>17}")
    for r in runs:
        print(f"{r.workers:>7}{r.timers:>8}{_fmt(r.startup, '.1f'):>12}{_fmt(r.drain, '.1f'):>9}"
              f"{_fmt(r.per_second if r.drain else None, '.1f'):>10}{r.audit_rows:>12}{r.duplicate_rows:>12}"
              f"{r.longest_stall:>17.1f}")
    if baseline:
        print(f"\nbaseline: engine.timers.fire_due_timers(now) in-process, one sweeper, no Celery: "
              f"{baseline.fired} of {baseline.timers} due timers fired ({baseline.failed} failed) in "
              f"{baseline.seconds:.1f} s = {baseline.per_second:.1f} timers/s")
        for r in runs:
            if r.drain:
                print(f"  {r.workers} worker(s): {r.per_second / baseline.per_second:.2f}x the in-process rate")
    for r in runs:
        print(f"\n{r.workers} worker(s): tasks run (from the worker logs)")
        for name, t in sorted(r.tasks.items()):
            print(f"  {name:<22}{t['n']:>7} runs, {t['no_op']:>6} with nothing to do, "
                  f"{t['seconds']:8.1f} s inside tasks ({1000 * t['seconds'] / t['n']:.1f} ms each)")
        busy = sum(t["seconds"] for t in r.tasks.values())
        if r.drain:
            print(f"  worker time inside tasks: {busy:.1f} s of {r.workers} x {r.startup + r.drain:.1f} s wall")
        if r.problems:
            print(f"  problems ({len(r.problems)}), logs kept in {r.logs}:")
            for line in r.problems[:15]:
                print(f"    {line}")
        elif r.logs:
            print(f"  logs: {r.logs}")


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--timers", type=int, default=10000, help="due timers in the backlog (default 10000)")
    parser.add_argument("--workers", default="1,2", help="comma-separated worker counts (default 1,2)")
    parser.add_argument("--baseline-timers", type=int, default=2000,
                        help="due timers for the in-process baseline (default 2000; 0 to skip)")
    parser.add_argument("--timeout", type=float, default=3600, help="give up a run after this many seconds")
    parser.add_argument("--stall", type=float, default=180,
                        help="give up a run after this many seconds without a timer firing (default 180)")
    parser.add_argument("--keep-logs", action="store_true", help="keep the worker and beat logs of every run")
    args = parser.parse_args(argv)
    args.workers = [int(w) for w in args.workers.split(",") if w.strip()]
    if args.timers % TIMERS_PER_COMPLAINT or args.baseline_timers % TIMERS_PER_COMPLAINT:
        parser.error(f"timer counts must be multiples of {TIMERS_PER_COMPLAINT} (one complaint = 2 timers)")
    return args


def main(argv=None) -> None:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGHUP, _on_signal)
    atexit.register(stop_children)
    print(f"Timer backlog benchmark: {args.timers} due timers, workers={','.join(map(str, args.workers))}, "
          f"baseline {args.baseline_timers} timers in-process")
    print_machine(_software())
    runs: list[Run] = []
    baseline = None
    with tempfile.TemporaryDirectory(prefix="bench-timers-") as folder:
        try:
            if args.baseline_timers:
                with throwaway_database() as small:
                    print(f"\nbuilding the baseline backlog ({args.baseline_timers} timers)...", flush=True)
                    due = build_backlog(small, args.baseline_timers, Path(folder))
                    if due != args.baseline_timers:
                        print(f"  note: {due} timers due, not {args.baseline_timers}")
                    print("firing it in-process...", flush=True)
                    baseline = baseline_run(small)
                    print(f"  {baseline.fired} fired in {baseline.seconds:.1f} s", flush=True)
            with throwaway_database() as template:
                print(f"\nbuilding the backlog ({args.timers} timers)...", flush=True)
                due = build_backlog(template, args.timers, Path(folder))
                if due != args.timers:
                    print(f"  note: {due} timers due, not {args.timers}; measuring against {due}")
                for workers in args.workers:
                    print(f"\n{workers} worker(s) + beat draining {due} timers...", flush=True)
                    run = celery_run(template, due, workers, args.timeout, args.stall, args.keep_logs)
                    runs.append(run)
                    print(f"  start-up {_fmt(run.startup, '.1f')} s, drain {_fmt(run.drain, '.1f')} s"
                          + (f", {len(run.problems)} problem(s)" if run.problems else ""), flush=True)
        finally:
            stop_children()
    print_results(runs, baseline)
    print(f"\nfinished {datetime.now(timezone.utc).astimezone().isoformat(timespec='seconds')}")


if __name__ == "__main__":
    main()


def _software() -> dict[str, str]:
    import celery
    import redis

    try:
        redis_version = redis.Redis.from_url(REDIS_URL).info("server")["redis_version"]
    except Exception as err:  # noqa: BLE001 - reported, not fatal
        redis_version = f"unavailable ({type(err).__name__})"
    return {"celery": celery.__version__, "redis": redis_version}

