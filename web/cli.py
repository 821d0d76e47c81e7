"""The `complaints` command line of ../shared/api-contract.md."""
from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path

import click

from engine import registry, timers, users
from engine.errors import DeploymentRefused, EngineError
from engine.models import db

from . import create_app
from .setup import prepare_database


@click.group()
@click.pass_context
def main(ctx):
    """Council complaints handling."""
    ctx.obj = create_app()


def _in_app(ctx):
    return ctx.obj.app_context()


@main.group("users")
def users_group():
    """Create users and API tokens."""


@users_group.command("create")
@click.argument("name")
@click.option("--role", "roles", multiple=True, required=True, type=click.Choice(users.ROLES))
@click.option("--team", "teams", multiple=True)
@click.option("--password")
@click.option("--email")
@click.pass_context
def users_create(ctx, name, roles, teams, password, email):
    """Create a user (repeat --role and --team as needed)."""
    prepare_database(ctx.obj)
    with _in_app(ctx):
        try:
            user = users.create_user(name, roles=list(roles), teams=list(teams), password=password, email=email)
        except EngineError as err:
            raise click.ClickException(_describe(err)) from None
        click.echo(f"Created {user.username} with roles {', '.join(user.roles)}")


@users_group.command("token")
@click.argument("name")
@click.pass_context
def users_token(ctx, name):
    """Print a new API token for NAME (the last line of output)."""
    with _in_app(ctx):
        try:
            token = users.issue_token(name)
        except EngineError as err:
            raise click.ClickException(str(err)) from None
    click.echo(token)


@main.group("processes")
def processes_group():
    """Deploy and list process models."""


@processes_group.command("deploy")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--by", "deployed_by", default="cli", help="Who is deploying (recorded with the version)")
@click.pass_context
def processes_deploy(ctx, files, deployed_by):
    """Deploy BPMN/DMN files as new versions; refuse them all if any is broken."""
    prepare_database(ctx.obj)
    with _in_app(ctx):
        try:
            result = registry.deploy_paths(list(files), deployed_by)
            db.session.commit()
        except DeploymentRefused as err:
            db.session.rollback()
            click.echo("Nothing was deployed:", err=True)
            for reason in err.reasons:
                click.echo(f"  - {reason}", err=True)
            sys.exit(1)
        for warning in result.warnings:
            click.echo(f"warning: {warning}", err=True)
        for version in result.deployed:
            click.echo(f"deployed {version.process_id} version {version.version} ({version.file_name})")
        for version in result.unchanged:
            click.echo(f"unchanged {version.process_id} version {version.version} ({version.file_name})")


@processes_group.command("list")
@click.pass_context
def processes_list(ctx):
    """List deployed process models and their versions."""
    prepare_database(ctx.obj)
    with _in_app(ctx):
        for version in registry.all_versions():
            click.echo(
                f"{version.process_id}\tv{version.version}\t{version.kind}\t{version.file_name}\t"
                f"{version.content_hash[:12]}\t{version.deployed_at.isoformat()}\t{version.deployed_by}"
            )


@main.group("timers")
def timers_group():
    """Fire due timers."""


@timers_group.command("fire")
@click.option("--now", "instant", help="ISO 8601 instant with offset (default: now)")
@click.pass_context
def timers_fire(ctx, instant):
    """Fire every timer due at INSTANT once; print how many fired."""
    now = None
    if instant:
        try:
            now = datetime.fromisoformat(instant)
        except ValueError:
            raise click.BadParameter("use an ISO 8601 instant such as 2026-01-07T09:30:00+00:00") from None
        if now.tzinfo is None:
            raise click.BadParameter("give the instant an offset, e.g. +00:00")
    with _in_app(ctx):
        result = timers.fire_due_timers(now)
    click.echo(f"{result.fired} timers fired" + (f", {result.failed} failed" if result.failed else ""))


@main.command("serve")
@click.option("--host", default="127.0.0.1")
@click.option("--port", default=5000, type=int)
@click.pass_context
def serve(ctx, host, port):
    """Run the web app; without REDIS_URL, sweep timers in-process too."""
    from .serving import run

    prepare_database(ctx.obj)
    run(ctx.obj, host, port)


@main.command("demo")
@click.option("--host", default="127.0.0.1")
@click.option("--port", default=5000, type=int)
@click.pass_context
def demo(ctx, host, port):
    """Prepare the database, seed demo users and cases, print the logins and serve."""
    from .demo import seed_demo
    from .serving import run

    prepare_database(ctx.obj)
    with _in_app(ctx):
        logins = seed_demo()
    click.echo(f"\nComplaints service running at http://{host}:{port}/")
    click.echo("Demo logins (password, then an API token for the JSON API):")
    for username, password, token, roles in logins:
        click.echo(f"  {username:<22} {password:<18} {roles}\n      token: {token}")
    run(ctx.obj, host, port)


def _describe(err: EngineError) -> str:
    errors = getattr(err, "errors", None)
    return "; ".join(errors.values()) if errors else str(err)
