"""Two people completing the same task at the same moment: one wins, the other gets a conflict."""
import threading
from datetime import date

from engine import clock, human_tasks, spiff
from engine.errors import Conflict
from engine.models import db
from tests.factories import acknowledge, at, make_user, open_complaint, open_task


def test_two_people_completing_the_same_task_at_once(app, monkeypatch):
    first = make_user(username="first", teams=["customer_relations"])
    second = make_user(username="second", teams=["customer_relations"])
    ref = open_complaint(first, on=date(2025, 12, 19))["reference"]
    task_id = open_task(ref, "Acknowledge complaint").id
    users = {"first": first.id, "second": second.id}
    db.session.remove()

    # Hold both requests after they have loaded the workflow, so their steps overlap.
    # (On PostgreSQL the second waits on the instance's row lock instead; the barrier then times out.)
    barrier = threading.Barrier(2, timeout=3)
    real_complete = spiff.complete_user_task

    def overlapping_complete(*args, **kwargs):
        try:
            barrier.wait()
        except threading.BrokenBarrierError:
            pass
        return real_complete(*args, **kwargs)

    monkeypatch.setattr(spiff, "complete_user_task", overlapping_complete)
    outcomes = {}

    def attempt(name):
        with app.app_context():
            user = db.session.get(type(first), users[name])
            try:
                with clock.frozen_at(at(date(2025, 12, 22))):
                    human_tasks.complete_task(task_id, acknowledge("2025-12-22"), user=user)
                outcomes[name] = "completed"
            except Conflict as err:
                outcomes[name] = f"conflict: {err}"
            finally:
                db.session.remove()

    threads = [threading.Thread(target=attempt, args=(name,)) for name in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(o.split(":")[0] for o in outcomes.values()) == ["completed", "conflict"], outcomes
    from engine import cases

    history = cases.read_case(ref, user=first)["history"]
    assert [h["event"] for h in history].count("task_completed") == 1

