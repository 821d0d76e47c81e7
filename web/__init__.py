"""The Flask application: JSON API now, officers' pages to come."""
from __future__ import annotations

import secrets
from pathlib import Path

from flask import Flask
from flask_migrate import Migrate

from engine.models import db

from . import config

migrate = Migrate()
MIGRATIONS_DIR = str(Path(__file__).resolve().parent.parent / "migrations")


def create_app(overrides: dict | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.update(config.from_environment(app.instance_path))
    app.config.update(overrides or {})
    if not app.config["SECRET_KEY"]:
        # Good enough for a demo on one machine; production sets SECRET_KEY (README).
        app.config["SECRET_KEY"] = secrets.token_hex(32)
    db.init_app(app)
    with app.app_context():
        from sqlalchemy import event

        from engine.models import tune_sqlite

        if db.engine.dialect.name == "sqlite":
            event.listen(db.engine, "connect", tune_sqlite)
    migrate.init_app(app, db, directory=MIGRATIONS_DIR)
    from .api import api
    from .api.errors import error_response

    app.register_blueprint(api)

    @app.get("/")
    def index():
        # The officers' pages arrive with the inbox issue; until then, point people at the API.
        return (
            "<!doctype html><html lang=en><title>Complaints service</title><main>"
            "<h1>Complaints service</h1><p>The JSON API is described at "
            '<a href="/api/openapi.json">/api/openapi.json</a>.</p></main></html>'
        )

    index.access_rule = "public"

    @app.errorhandler(404)
    @app.errorhandler(405)
    def _not_found(err):
        # Unknown /api/ URLs answer in JSON like the rest of the API.
        from flask import request

        if request.path.startswith("/api/"):
            return error_response(err.code, err.description)
        return err

    return app
