"""Benchmark: one corporate complaint lifecycle, raw in memory vs persisted on SQLite and PostgreSQL.

What it measures
    One full lifecycle of processes/corporate_complaint.bpmn:
    open case -> acknowledge -> Stage 1 response -> Stage 2 request (a message)
    -> acknowledge Stage 2 -> Stage 2 review -> closed (4 user tasks, 1 message).
    Optionally ("timer" variant) the Stage 2 window timer closes the case
    instead: open -> acknowledge -> Stage 1 response -> timer fires -> closed.

    It is run three ways in the same process, one after the other:
      raw       the parsed diagram run straight through in memory with the engine's
                SpiffWorkflow helpers (engine.spiff: start_workflow, complete_user_task,
                send_message / advance), the same restricted script engine and
                diagram API, no database. This is the baseline.
      sqlite    the persisted engine through its service functions (engine.cases.open_case,
                engine.human_tasks.complete_task, engine.cases.escalate_case,
                engine.timers.fire_due_timers) on a temporary SQLite file.
      postgres  the same on a throwaway PostgreSQL database (created, then dropped).

    The clock is frozen (engine.clock.frozen_at) at the plausible dates the tests use,
    so deadlines and the timer behave identically on every run.

Why a same-run baseline
    The machines this runs on are shared and noisy: absolute figures move by tens of
    per cent from one run to the next. The ratio persisted/raw, measured minutes apart
    in one process, is the figure to compare against the project's target
    (persisted no slower than 4x raw on SQLite). Even that ratio moves by about
    ten per cent between runs, so:
      --paired   alternates one raw and one persisted lifecycle, so drift in the
                 machine's speed hits both alike (raw then runs with caches the
                 persisted lifecycle has used: a little slower than raw alone);
      --rounds R repeats the measurement and prints the median ratio.

Usage
    .venv/bin/python bench/lifecycle.py              # N=200 lifecycles per way
    .venv/bin/python bench/lifecycle.py --quick      # N=10, a smoke check
    .venv/bin/python bench/lifecycle.py --n 500 --no-timer --ways raw,sqlite
    .venv/bin/python bench/lifecycle.py --paired --ways sqlite     # raw and SQLite alternately
    .venv/bin/python bench/lifecycle.py --paired --rounds 5 --ways sqlite --no-timer  # median of 5 rounds
    .venv/bin/python bench/lifecycle.py --profile sqlite --n 100   # cProfile one way
"""
from __future__ import annotations

import argparse
import cProfile
import pstats
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from machine import PG_ADMIN_URL, print_machine  # noqa: E402
import sqlalchemy  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402

from engine import cases, clock, human_tasks, spiff, timers  # noqa: E402
from engine.diagram_api import StepEffects, collecting  # noqa: E402
from engine.models import db  # noqa: E402
from tests.factories import (  # noqa: E402
    acknowledge, acknowledge_stage2, at, intake, make_user, stage1_response, stage2_review,
)
from web import create_app  # noqa: E402
from web.setup import prepare_database  # noqa: E402

BPMN = ROOT / "processes" / "corporate_complaint.bpmn"
WAYS = ("raw", "sqlite", "postgres")
VARIANTS = ("stage2", "timer")

# The dates of one lifecycle (tests/engine/test_corporate_procedure.py).
RECEIVED = date(2025, 12, 19)       # a Friday before Christmas
ACKNOWLEDGED = date(2025, 12, 22)
STAGE1_ANSWERED = date(2026, 1, 7)
STAGE2_ASKED = date(2026, 1, 20)
STAGE2_ACKNOWLEDGED = date(2026, 1, 21)
STAGE2_ANSWERED = date(2026, 2, 10)
WINDOW_CLOSED = at(date(2026, 2, 5), 9)  # the day after the 20 working-day Stage 2 window


# --------------------------------------------------------------------------- raw, in memory

class RawLifecycle:
    """The diagram parsed once, then run in memory as engine.instances would, minus the database."""

    def __init__(self):
        self.spec, self.subprocess_specs = spiff.build_specs(
            BPMN.read_bytes(), BPMN.name, {}, "corporate_complaint")
        self.known: dict = {}

    @contextmanager
    def _step(self, instant: datetime):
        # As engine.instances.step: the diagram sees the deadlines set so far and records changes.
        effects = StepEffects(known_deadlines=dict(self.known))
        with clock.frozen_at(instant), collecting(effects):
            yield
        self.known.update(effects.deadlines)

    def _complete(self, workflow, data: dict, on: date) -> None:
        [view] = spiff.ready_user_tasks(workflow)
        with self._step(at(on)):
            spiff.complete_user_task(workflow, spiff.find_ready_user_task(workflow, view.id), data)

    def _open_and_answer_stage1(self):
        self.known = {}
        case = {"case_reference": "CMP-2025-000001", "received_on": RECEIVED.isoformat(),
                "service_area": "highways", "summary": "Pothole reported three times, not repaired",
                "details": "", "complainant_name": "Sam Resident", "kind": "complaint"}
        with self._step(at(RECEIVED)):
            workflow = spiff.start_workflow(self.spec, self.subprocess_specs, case)
        self._complete(workflow, acknowledge(ACKNOWLEDGED.isoformat()), ACKNOWLEDGED)
        self._complete(workflow, stage1_response(STAGE1_ANSWERED.isoformat()), STAGE1_ANSWERED)
        return workflow

    def stage2(self) -> None:
        workflow = self._open_and_answer_stage1()
        with self._step(at(STAGE2_ASKED)):
            spiff.send_message(workflow, "stage2_requested",
                               {"requested_on": STAGE2_ASKED.isoformat(), "reason": "The repair was poor"})
        self._complete(workflow, acknowledge_stage2(STAGE2_ACKNOWLEDGED.isoformat()), STAGE2_ACKNOWLEDGED)
        self._complete(workflow, stage2_review(STAGE2_ANSWERED.isoformat()), STAGE2_ANSWERED)
        assert spiff.is_completed(workflow)

    def timer(self) -> None:
        workflow = self._open_and_answer_stage1()
        with self._step(WINDOW_CLOSED):
            spiff.advance(workflow)
        assert spiff.is_completed(workflow)


# --------------------------------------------------------------------------- persisted

class PersistedLifecycle:
    """The same lifecycle through the engine's service functions, one transaction per call."""

    def __init__(self):
        # Call inside the app context the lifecycles run in: the users stay bound to its session.
        self.cr = make_user(username="cr.officer", teams=["customer_relations"])
        self.highways = make_user(username="highways.officer", teams=["highways"])
        self.reviewer = make_user(username="cr.reviewer", teams=["customer_relations"])

    @staticmethod
    def _complete(case: dict, data: dict, user, on: date) -> dict:
        [task] = case["open_tasks"]
        with clock.frozen_at(at(on)):
            return human_tasks.complete_task(task["id"], data, user=user)

    def _open_and_answer_stage1(self) -> dict:
        with clock.frozen_at(at(RECEIVED)):
            case = cases.open_case(intake(received_on=RECEIVED.isoformat()), actor=self.cr)
        case = self._complete(case, acknowledge(ACKNOWLEDGED.isoformat()), self.cr, ACKNOWLEDGED)
        return self._complete(case, stage1_response(STAGE1_ANSWERED.isoformat()), self.highways, STAGE1_ANSWERED)

    def stage2(self) -> None:
        case = self._open_and_answer_stage1()
        with clock.frozen_at(at(STAGE2_ASKED)):
            case = cases.escalate_case(case["reference"], "The repair was poor", actor=self.cr)
        case = self._complete(case, acknowledge_stage2(STAGE2_ACKNOWLEDGED.isoformat()), self.cr,
                              STAGE2_ACKNOWLEDGED)
        case = self._complete(case, stage2_review(STAGE2_ANSWERED.isoformat()), self.reviewer, STAGE2_ANSWERED)
        assert case["status"] == "closed", case["status"]

    def timer(self) -> None:
        reference = self._open_and_answer_stage1()["reference"]
        assert timers.fire_due_timers(WINDOW_CLOSED).fired == 1
        case = cases.read_case(reference, user=self.cr)
        assert case["status"] == "closed", case["status"]


def make_app(url: str, workdir: Path):
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "SQLALCHEMY_ECHO": False,
                      "SQLALCHEMY_RECORD_QUERIES": False, "SESSION_COOKIE_SECURE": False,
                      "UPLOAD_DIR": str(workdir / "uploads")})
    prepare_database(app)
    return app


@contextmanager
def sqlite_app():
    with tempfile.TemporaryDirectory(prefix="bench-lifecycle-") as folder:
        app = make_app(f"sqlite:///{Path(folder) / 'bench.sqlite3'}", Path(folder))
        try:
            yield app
        finally:
            _dispose(app)


@contextmanager
def postgres_app():
    name = f"complaints_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        with tempfile.TemporaryDirectory(prefix="bench-lifecycle-") as folder:
            app = make_app(PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}", Path(folder))
            try:
                yield app
            finally:
                _dispose(app)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _dispose(app) -> None:
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


# --------------------------------------------------------------------------- timing

@dataclass
class Figures:
    way: str
    variant: str
    times: list[float]  # seconds, one per lifecycle

    @property
    def per_second(self) -> float:
        return len(self.times) / sum(self.times)

    @property
    def mean_ms(self) -> float:
        return 1000 * statistics.fmean(self.times)

    @property
    def median_ms(self) -> float:
        return 1000 * statistics.median(self.times)


def time_lifecycles(run, n: int, warmup: int) -> list[float]:
    """Warm up (caches, spec parsing, connection pool), then time each of n lifecycles."""
    for _ in range(warmup):
        run()
    times = []
    for _ in range(n):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return times


@contextmanager
def runner_for(way: str):
    """Yield an object with .stage2() and .timer(), inside an app context for persisted ways."""
    if way == "raw":
        yield RawLifecycle()
        return
    with (sqlite_app() if way == "sqlite" else postgres_app()) as app, app.app_context():
        yield PersistedLifecycle()
        db.session.remove()


def measure(way: str, variants, n: int, warmup: int, profile_to: Path | None) -> list[Figures]:
    results = []
    with runner_for(way) as runner:
        for variant in variants:
            run = getattr(runner, variant)
            if profile_to is None:
                results.append(Figures(way, variant, time_lifecycles(run, n, warmup)))
                continue
            time_lifecycles(run, 0, warmup)
            profiler = cProfile.Profile()
            profiler.enable()
            times = time_lifecycles(run, n, 0)
            profiler.disable()
            profiler.dump_stats(profile_to.with_suffix(f".{variant}.prof"))
            results.append(Figures(way, variant, times))
            print_profile(profiler, f"{way} / {variant}")
    return results


def measure_paired(way: str, variants, n: int, warmup: int) -> list[Figures]:
    """One raw lifecycle, then one persisted, alternately: drift on a noisy machine hits both alike."""
    results = []
    raw = RawLifecycle()
    with runner_for(way) as persisted:
        for variant in variants:
            pair = (getattr(raw, variant), getattr(persisted, variant))
            for _ in range(warmup):
                pair[0](), pair[1]()
            times = ([], [])
            for _ in range(n):
                for run, kept in zip(pair, times):
                    started = time.perf_counter()
                    run()
                    kept.append(time.perf_counter() - started)
            results += [Figures(f"raw/{way}", variant, times[0]), Figures(way, variant, times[1])]
    return results


def print_profile(profiler: cProfile.Profile, label: str, top: int = 30) -> None:
    for order in ("cumulative", "tottime"):
        print(f"\n=== cProfile {label}, sorted by {order} (top {top}) ===")
        pstats.Stats(profiler, stream=sys.stdout).strip_dirs().sort_stats(order).print_stats(top)


# --------------------------------------------------------------------------- report

def print_table(results: list[Figures], paired: bool = False) -> None:
    raw = {f.variant: f for f in results if f.way == "raw"}
    print(f"\n{'way':<12}{'variant':<9}{'n':>6}{'lifecycles/s':>14}{'ms/lifecycle':>14}"
          f"{'median ms':>11}{'x raw':>8}")
    for f in results:
        # Paired: each persisted way against the raw lifecycles interleaved with it.
        base = ({(g.way, g.variant): g for g in results}.get((f"raw/{f.way}", f.variant)) if paired
                else raw.get(f.variant))
        ratio = f"{f.mean_ms / base.mean_ms:.1f}" if base else "-"
        print(f"{f.way:<12}{f.variant:<9}{len(f.times):>6}{f.per_second:>14.1f}{f.mean_ms:>14.2f}"
              f"{f.median_ms:>11.2f}{ratio:>8}")


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=200, help="timed lifecycles per way and variant (default 200)")
    parser.add_argument("--warmup", type=int, default=None, help="untimed lifecycles first (default n/10, 2..20)")
    parser.add_argument("--quick", action="store_true", help="a fast check: n=10, warm-up 2")
    parser.add_argument("--ways", default=",".join(WAYS), help="comma-separated subset of raw,sqlite,postgres")
    parser.add_argument("--no-timer", action="store_true", help="skip the variant closed by the Stage 2 timer")
    parser.add_argument("--paired", action="store_true",
                        help="alternate one raw and one persisted lifecycle, and compare each way with its own raw")
    parser.add_argument("--rounds", type=int, default=1,
                        help="repeat the whole measurement, then print each round's ratio and their median")
    parser.add_argument("--profile", choices=WAYS, help="run only this way under cProfile and print hot spots")
    args = parser.parse_args(argv)
    if args.quick:
        args.n = 10
    if args.warmup is None:
        args.warmup = 2 if args.quick else max(2, min(20, args.n // 10))
    args.ways = [args.profile] if args.profile else [w.strip() for w in args.ways.split(",") if w.strip()]
    unknown = set(args.ways) - set(WAYS)
    if unknown:
        parser.error(f"unknown way(s): {', '.join(sorted(unknown))}")
    args.variants = ("stage2",) if args.no_timer else VARIANTS
    return args


def ratios(results: list[Figures], paired: bool) -> dict[tuple[str, str], float]:
    """persisted / raw (mean time) for each persisted way and variant, as print_table shows them."""
    found = {}
    for f in results:
        if f.way.startswith("raw"):
            continue
        base = next((g for g in results if g.variant == f.variant
                     and g.way == (f"raw/{f.way}" if paired else "raw")), None)
        if base is not None:
            found[(f.way, f.variant)] = f.mean_ms / base.mean_ms
    return found


def measure_all(args: argparse.Namespace) -> list[Figures]:
    results: list[Figures] = []
    for way in args.ways:
        profile_to = Path(tempfile.gettempdir()) / f"bench-lifecycle-{way}" if args.profile else None
        try:
            if args.paired and way != "raw" and not args.profile:
                results += measure_paired(way, args.variants, args.n, args.warmup)
            elif not args.paired:
                results += measure(way, args.variants, args.n, args.warmup, profile_to)
        except sqlalchemy.exc.OperationalError as err:
            if way != "postgres":
                raise
            print(f"\npostgres skipped: {str(err).splitlines()[0]}")
    return results


def main(argv=None) -> None:
    args = parse_args(argv)
    print(f"Corporate complaint lifecycle benchmark: n={args.n}, warm-up={args.warmup}, "
          f"ways={','.join(args.ways)}, variants={','.join(args.variants)}, rounds={args.rounds}"
          f"{', paired' if args.paired else ''}")
    print_machine({"spiff": f"SpiffWorkflow {spiff.LIBRARY_VERSION}", "sqlite": sqlite3.sqlite_version})
    paired = args.paired and not args.profile
    by_round: list[dict[tuple[str, str], float]] = []
    for number in range(1, args.rounds + 1):
        if args.rounds > 1:
            print(f"\n--- round {number} of {args.rounds}")
        results = measure_all(args)
        print_table(results, paired=paired)
        by_round.append(ratios(results, paired))
    if args.rounds > 1:
        # One round's ratio moves with the machine's noise; the median of several is the figure to quote.
        print(f"\n{'way':<12}{'variant':<9}  persisted / raw by round{'':<14}median")
        for key in by_round[0]:
            values = [r[key] for r in by_round if key in r]
            print(f"{key[0]:<12}{key[1]:<9}  {', '.join(f'{v:.2f}' for v in values):<36}  "
                  f"{statistics.median(values):.2f}")


if __name__ == "__main__":
    main()
