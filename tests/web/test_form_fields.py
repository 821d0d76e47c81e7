"""Browser strings become JSON values: a number field takes a finite number or says what is wrong."""
from __future__ import annotations

import pytest
from werkzeug.datastructures import MultiDict

from web import form_fields

SCHEMA = {"properties": {"amount": {"title": "Amount paid", "type": "number"},
                         "visits": {"title": "Visits", "type": "integer"}}}


def test_a_number_field_reads_decimals_and_an_integer_field_whole_numbers():
    data, errors = form_fields.parse(SCHEMA, MultiDict({"amount": " 12.50 ", "visits": "3"}))
    assert (data, errors) == ({"amount": 12.5, "visits": 3}, {})


@pytest.mark.parametrize("typed", ["nan", "NaN", "inf", "-Infinity", "twelve"])
def test_not_a_number_infinity_and_words_are_refused_with_the_fields_label(typed):
    data, errors = form_fields.parse(SCHEMA, MultiDict({"amount": typed}))
    assert data == {}
    assert errors == {"amount": "Amount paid must be a number"}
