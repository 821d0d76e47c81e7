"""Contacts are people: each case is linked to the person who made it, matched on email, phone or name
and address, and duplicates are merged by hand."""
from __future__ import annotations

import pytest

from engine import contacts
from engine.errors import NotFound, ValidationFailed
from engine.models import Case, Contact, db
from tests.factories import make_user, open_complaint

pytestmark = pytest.mark.usefixtures("app")


@pytest.fixture
def cr():
    return make_user(username="cr.officer")


def contact_of(reference: str) -> Contact:
    case = db.session.query(Case).filter_by(reference=reference).one()
    return db.session.get(Contact, case.contact_id)


def log(actor, **person) -> str:
    return open_complaint(actor, complainant=person)["reference"]


def test_a_person_is_matched_on_email_phone_or_name_and_address(cr):
    first = log(cr, name="Sam Resident", email="Sam@Example.org")
    by_email = log(cr, name="Samuel Resident", email=" sam@example.org ")
    assert contact_of(by_email).id == contact_of(first).id

    with_phone = log(cr, name="Sam Resident", email="sam@example.org", phone="01632 960000")
    by_phone = log(cr, name="Mr S Resident", phone="+44 1632 960000")
    assert contact_of(with_phone).id == contact_of(by_phone).id == contact_of(first).id
    assert contact_of(first).phone == "01632 960000"  # a detail given later is added to the record

    at_home = log(cr, name="Jo Parent", address="1 Mill Lane, Townham, TN1 1AA")
    same_home = log(cr, name="jo  parent", address="1 mill lane townham TN11AA")
    assert contact_of(at_home).id == contact_of(same_home).id
    assert contact_of(at_home).id != contact_of(first).id


def test_a_name_alone_never_matches(cr):
    one = log(cr, name="Alex Smith")
    two = log(cr, name="Alex Smith")
    assert contact_of(one).id != contact_of(two).id


def test_the_history_says_how_the_case_was_linked(cr):
    reference = log(cr, name="Sam Resident", email="sam@example.org")
    second = open_complaint(cr, complainant={"name": "Sam Resident", "email": "sam@example.org"})
    events = {h["event"]: h["detail"] for h in second["history"]}
    assert events["contact_matched"] == "Linked to the contact record of Sam Resident (matched on email)"
    assert reference != second["reference"]


def test_a_contact_record_lists_the_persons_cases_the_user_may_see(cr):
    highways = log(cr, name="Sam Resident", email="sam@example.org")
    open_complaint(cr, service_area="waste", complainant={"name": "Sam Resident", "email": "sam@example.org"})
    contact_id = contact_of(highways).id
    record = contacts.contact_record(contact_id, user=cr)
    assert len(record["cases"]) == 2
    assert any(h["event"] == "case_opened" for h in record["history"])
    waste_officer = make_user(username="waste.officer", teams=["waste"])
    assert [c["service_area"] for c in contacts.contact_record(contact_id, user=waste_officer)["cases"]] == ["waste"]
    parks_officer = make_user(username="parks.officer", teams=["parks"])
    with pytest.raises(NotFound):
        contacts.contact_record(contact_id, user=parks_officer)


def test_duplicates_are_merged_by_hand_with_a_reason(cr):
    one = log(cr, name="Sam Resident", email="sam@example.org")
    two = log(cr, name="Samantha Resident", email="sam.r@example.net")
    keep, merge = contact_of(one).id, contact_of(two).id
    with pytest.raises(ValidationFailed):
        contacts.merge_contacts(keep, merge, "", actor=cr)
    highways = make_user(username="highways.officer", teams=["highways"])
    with pytest.raises(NotFound):
        contacts.merge_contacts(keep, merge, "Same person", actor=highways)
    contacts.merge_contacts(keep, merge, "Same person: she confirmed both addresses by phone", actor=cr)
    assert contact_of(two).id == keep
    assert contacts.contact_record(merge, user=cr)["merged_into"] == keep
    # New contact from the merged record's details now finds the kept person.
    three = log(cr, name="Sam R", email="sam.r@example.net")
    assert contact_of(three).id == keep
    assert "contact_merged" in [h["event"] for h in contacts.contact_record(keep, user=cr)["history"]]
