"""A complainant may withdraw at any point; the case stops and says so."""
from datetime import date

import pytest

from engine import cases, clock
from engine.errors import Conflict, ValidationFailed
from tests.factories import at, make_user, open_complaint


def test_withdrawing_a_corporate_complaint_stops_it_and_records_the_reason(app):
    officer = make_user(username="cr.w", teams=["customer_relations"])
    ref = open_complaint(officer, on=date(2025, 12, 19))["reference"]
    with clock.frozen_at(at(date(2025, 12, 22))):
        case = cases.withdraw_case(ref, "Resolved informally by phone", actor=officer)
    assert (case["status"], case["stage"], case["open_tasks"]) == ("withdrawn", "closed", [])
    assert any(h["event"] == "withdrawn" and "informally" in h["detail"] for h in case["history"])
    with pytest.raises(Conflict):
        cases.withdraw_case(ref, "Again", actor=officer)


def test_a_withdrawal_needs_a_reason(app):
    officer = make_user(username="cr.w2", teams=["customer_relations"])
    ref = open_complaint(officer, on=date(2025, 12, 19))["reference"]
    with pytest.raises(ValidationFailed):
        cases.withdraw_case(ref, "  ", actor=officer)
