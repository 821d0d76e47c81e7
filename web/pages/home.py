"""The start page and the accessibility statement."""
from flask import redirect, render_template, url_for
from flask_login import current_user

from ..access import public
from . import pages


@pages.get("/")
@public
def home():
    if current_user.is_authenticated:
        return redirect(url_for("pages.inbox"))
    return redirect(url_for("auth.sign_in"))


@pages.get("/accessibility")
@public
def accessibility():
    return render_template("accessibility.html", title="Accessibility statement")
