"""The README's run command seeds demo users and cases once, and signing in with the printed logins works."""
from engine.models import Case, Restriction, db
from tests.web.officer_client import page_client_for, signed_in
from web.demo import DEMO_PASSWORD, seed_demo


def test_demo_seed_is_idempotent_and_its_logins_work(sqlite_only_app):
    first = seed_demo()
    second = seed_demo()
    assert [login[0] for login in first] == [login[0] for login in second]
    procedures = sorted({c.procedure for c in db.session.query(Case)})
    assert procedures == ["adults_statutory", "childrens_statutory", "corporate", "none"]
    assert db.session.query(Case).count() == 9
    assert [r.contact.name for r in db.session.query(Restriction).filter_by(status="active")] == ["Pat Persistent"]
    client = signed_in(page_client_for(sqlite_only_app), "cr.officer", DEMO_PASSWORD)
    inbox = client.get("/tasks?view=team").get_data(as_text=True)
    assert "Acknowledge complaint" in inbox and "Check the procedure" in inbox
