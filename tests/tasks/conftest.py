"""Real Redis, real Celery worker and beat processes, the local PostgreSQL, and an SMTP server on loopback."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import _clean, service_missing

ROOT = Path(__file__).resolve().parents[2]
CELERY = str(Path(sys.executable).with_name("celery"))
REDIS_TEST_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/9")


@pytest.fixture(scope="session")
def redis_url():
    import redis

    client = redis.Redis.from_url(REDIS_TEST_URL)
    try:
        client.ping()
    except redis.RedisError as err:
        service_missing("Redis at 127.0.0.1:6379", err)
    return REDIS_TEST_URL


@pytest.fixture
def pg_app(postgres_app, redis_url):
    """The app on PostgreSQL with empty tables and an empty Redis database."""
    import redis

    from engine.models import db

    redis.Redis.from_url(redis_url).flushdb()
    _clean(postgres_app)
    with postgres_app.app_context():
        yield postgres_app
        db.session.remove()


class CeleryProcesses:
    """Start and stop `celery --app tasks worker|beat` subprocesses against the test database."""

    def __init__(self, database_url: str, redis_url: str, tmp_path: Path, extra_env: dict | None = None):
        self.env = {
            **os.environ, "DATABASE_URL": database_url, "REDIS_URL": redis_url, "TIMER_SWEEP_SECONDS": "1",
            "TIMER_QUEUE_TTL_SECONDS": "5", "SECRET_KEY": "test", **(extra_env or {}),
        }
        if "SMTP_HOST" not in (extra_env or {}):
            self.env.pop("SMTP_HOST", None)
        self.tmp_path = tmp_path
        self.processes: list[subprocess.Popen] = []

    def _start(self, args: list[str], name: str) -> subprocess.Popen:
        log = open(self.tmp_path / f"{name}.log", "w")
        process = subprocess.Popen([CELERY, "--app", "tasks", *args], cwd=ROOT, env=self.env, stdout=log,
                                   stderr=subprocess.STDOUT, start_new_session=True)
        self.processes.append(process)
        return process

    def worker(self, name: str, pool: str = "solo") -> subprocess.Popen:
        return self._start(["worker", "--loglevel", "INFO", "--pool", pool, "--concurrency", "1",
                            "--hostname", f"{name}@%h", "--without-gossip", "--without-mingle"], name)

    def beat(self) -> subprocess.Popen:
        return self._start(["beat", "--loglevel", "INFO", "--schedule", str(self.tmp_path / "beat-schedule")],
                           "beat")

    def kill(self, process: subprocess.Popen) -> None:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)

    def stop_all(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)

    def logs(self) -> str:
        return "\n".join(p.read_text()[-3000:] for p in self.tmp_path.glob("*.log"))


@pytest.fixture
def celery_processes(pg_app, postgres_url, redis_url, tmp_path):
    made = []

    def start(extra_env: dict | None = None) -> CeleryProcesses:
        processes = CeleryProcesses(postgres_url, redis_url, tmp_path, extra_env)
        made.append(processes)
        return processes

    yield start
    for processes in made:
        processes.stop_all()


def wait_until(condition, timeout: float, what: str, logs=lambda: ""):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.25)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}\n{logs()}")


@pytest.fixture
def smtp_server():
    """A real SMTP server on loopback that keeps every message it receives."""
    from aiosmtpd.controller import Controller

    class Keep:
        def __init__(self):
            self.messages = []

        async def handle_DATA(self, server, session, envelope):
            self.messages.append(envelope)
            return "250 Message accepted for delivery"

    handler = Keep()
    handler.port = _free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=handler.port)
    controller.start()
    yield handler
    controller.stop()


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
