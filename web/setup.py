"""Bring a database up to date: run the migrations and deploy the diagrams in processes/."""
from __future__ import annotations

from pathlib import Path

from flask import Flask
from flask_migrate import upgrade

from engine import registry
from engine.models import db


def prepare_database(app: Flask) -> registry.DeployResult:
    with app.app_context():
        upgrade(directory=app.extensions["migrate"].directory)
        result = registry.deploy_directory(Path(app.config["PROCESSES_DIR"]))
        db.session.commit()
        return result
