"""What every benchmark prints about the machine it ran on, and the PostgreSQL server it used."""
from __future__ import annotations

import os
import platform
from datetime import datetime, timezone
from pathlib import Path

PG_ADMIN_URL = os.environ.get("BENCH_POSTGRES_ADMIN_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def postgres_version() -> str:
    from sqlalchemy import create_engine, text

    try:
        admin = create_engine(PG_ADMIN_URL)
        with admin.connect() as conn:
            version = conn.execute(text("SHOW server_version")).scalar()
        admin.dispose()
        return version
    except Exception as err:  # noqa: BLE001 - reported, not fatal
        return f"unavailable ({type(err).__name__})"


def print_machine(software: dict[str, str]) -> None:
    """Print date, CPU, cores, load and Python, then each `software` name and version."""
    import sqlalchemy

    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    print(f"date        {datetime.now(timezone.utc).astimezone().isoformat(timespec='seconds')}")
    print(f"cpu         {cpu_model()}")
    print(f"cores       {os.cpu_count()} ({usable} usable)")
    print(f"load avg    {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"python      {platform.python_version()} ({platform.python_implementation()})")
    for name, version in {**software, "sqlalchemy": sqlalchemy.__version__,
                          "postgresql": postgres_version()}.items():
        print(f"{name:<11} {version}")
