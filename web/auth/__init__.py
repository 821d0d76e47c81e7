"""Sign in and sign out."""
from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, session, url_for
from flask_login import login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField

from engine import users

from ..access import public, signed_in

auth = Blueprint("auth", __name__)


class SignInForm(FlaskForm):
    username = StringField("Username")
    password = PasswordField("Password")


@auth.route("/sign-in", methods=["GET", "POST"])
@public
def sign_in():
    form = SignInForm()
    errors = {}
    if form.validate_on_submit():
        try:
            user = users.sign_in(form.username.data or "", form.password.data or "")
        except users.SignInRefused as refused:
            errors = {"username": str(refused)}
        else:
            session.clear()  # a fresh session on sign-in: no fixation
            session.permanent = True
            login_user(user)
            return redirect(_safe_next(request.args.get("next")))
    elif request.method == "POST":
        errors = {"username": "Your session expired. Sign in again"}
    return render_template("sign_in.html", form=form, errors=errors, title="Sign in"), (400 if errors else 200)


def _safe_next(target: str | None) -> str:
    # Only same-site paths, so a link cannot send someone elsewhere after signing in.
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return url_for("pages.inbox")


@auth.post("/sign-out")
@signed_in
def sign_out():
    logout_user()
    session.clear()
    return redirect(url_for("auth.sign_in"))
