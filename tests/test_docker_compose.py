"""docker-compose.yml runs web, worker, beat, Redis and PostgreSQL, each with what it needs."""
import json
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from jsonschema import Draft7Validator

ROOT = Path(__file__).resolve().parents[1]


def load_compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_compose_file_matches_the_compose_specification():
    schema = json.loads((ROOT / "tests" / "fixtures" / "compose_spec.json").read_text())
    errors = [e.message for e in Draft7Validator(schema).iter_errors(load_compose())]
    assert errors == []


def test_every_service_is_there_with_a_health_check_or_a_healthy_dependency():
    services = load_compose()["services"]
    assert set(services) == {"web", "worker", "beat", "redis", "postgres"}
    for name in ("web", "worker", "redis", "postgres"):
        assert "healthcheck" in services[name], name
    for name in ("web", "worker", "beat"):
        env = services[name]["environment"]
        assert {"DATABASE_URL", "REDIS_URL", "SECRET_KEY", "SMTP_HOST"} <= set(env), name
        assert services[name]["depends_on"]["postgres"]["condition"] == "service_healthy"
        assert services[name]["depends_on"]["redis"]["condition"] == "service_healthy"
    assert services["worker"]["command"][:4] == ["celery", "--app", "tasks", "worker"]
    assert services["beat"]["command"][:4] == ["celery", "--app", "tasks", "beat"]


def test_docker_compose_config_accepts_it_where_docker_compose_is_installed():
    docker = shutil.which("docker")
    has_compose = docker and subprocess.run([docker, "compose", "version"], capture_output=True).returncode == 0
    if not has_compose:
        pytest.skip("docker compose is not installed here; the schema test above is the check")
    result = subprocess.run([docker, "compose", "config", "--quiet"], cwd=ROOT, capture_output=True, text=True,
                            env={"SECRET_KEY": "test", "PATH": "/usr/bin:/bin"})
    assert result.returncode == 0, result.stderr
