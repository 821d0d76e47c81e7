"""Administration: what needs an administrator's attention."""
from flask import render_template

from engine import timers

from ..access import admin_only
from . import pages


@pages.get("/admin/timers")
@admin_only
def failed_timers():
    return render_template("admin_timers.html", title="Timers that failed to fire",
                           timers=timers.failed_timer_views())
