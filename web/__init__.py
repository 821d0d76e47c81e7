"""The Flask application: officers' pages on the GOV.UK Design System, and the JSON API."""
from __future__ import annotations

import secrets
from datetime import timedelta
from pathlib import Path

from flask import Flask, request
from flask.json.provider import DefaultJSONProvider
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_wtf.csrf import CSRFProtect
from jinja2 import ChoiceLoader, PackageLoader, PrefixLoader

from engine.models import db

from . import config

migrate = Migrate()
csrf = CSRFProtect()
login_manager = LoginManager()
MIGRATIONS_DIR = str(Path(__file__).resolve().parent.parent / "migrations")


class StrictJSONProvider(DefaultJSONProvider):
    """Request bodies are read as JSON proper: NaN and Infinity (which Python's json module accepts) are refused."""

    def loads(self, s, **kwargs):
        return super().loads(s, parse_constant=_refuse_constant, **kwargs)


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not JSON")


def create_app(overrides: dict | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True, static_url_path="/static")
    app.json = StrictJSONProvider(app)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.update(config.from_environment(app.instance_path))
    app.config.update(overrides or {})
    if not app.config["SECRET_KEY"]:
        # Good enough for a demo on one machine; production sets SECRET_KEY (README).
        app.config["SECRET_KEY"] = secrets.token_hex(32)
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        PERMANENT_SESSION_LIFETIME=timedelta(minutes=app.config["SESSION_MINUTES"]),
        MAX_CONTENT_LENGTH=app.config["MAX_UPLOAD_BYTES"] + 1024 * 1024,
    )
    _init_database(app)
    _init_templates(app)
    _init_security(app)
    _register_blueprints(app)
    return app


def _init_database(app: Flask) -> None:
    db.init_app(app)
    migrate.init_app(app, db, directory=MIGRATIONS_DIR)
    with app.app_context():
        from sqlalchemy import event

        from engine.models import tune_sqlite

        if db.engine.dialect.name == "sqlite":
            event.listen(db.engine, "connect", tune_sqlite)


def _init_templates(app: Flask) -> None:
    app.jinja_loader = ChoiceLoader([
        PackageLoader("web"),
        PrefixLoader({"govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja")}),
    ])
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    from . import template_helpers

    template_helpers.register(app)


def _init_security(app: Flask) -> None:
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.sign_in"
    login_manager.login_message = None

    @login_manager.user_loader
    def load_user(user_id):
        from engine.users import get_user_by_id

        return get_user_by_id(int(user_id))

    @app.after_request
    def security_headers(response):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if not request.path.startswith("/static/"):
            response.headers.setdefault("Cache-Control", "no-store")
        return response


def _register_blueprints(app: Flask) -> None:
    from .api import api
    from .api.errors import error_response
    from .auth import auth
    from .pages import pages
    from .public import public

    csrf.exempt(api)  # the API authenticates each request by bearer token, not by cookie
    app.register_blueprint(api)
    app.register_blueprint(auth)
    app.register_blueprint(pages)
    app.register_blueprint(public)
    app.view_functions["static"].access_rule = "public"

    @app.errorhandler(404)
    @app.errorhandler(405)
    def _not_found(err):
        if request.path.startswith("/api/"):
            return error_response(err.code, err.description)
        from flask import render_template

        return render_template("error.html", code=err.code, title=err.name), err.code
