import unicodedata
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hatangso.collection.validation import ValueProblem, parse_number
from hatangso.utilities.errors import UserError
from hatangso.utilities.numbers import format_date, format_number
from hatangso.utilities.periods import parse_period
from hatangso.utilities.text import clean_text, looks_like_formula, match_key, strip_accents


def test_vietnamese_number_and_date_formats():
    assert format_number(1234.5) == "1.234,5"
    assert format_number(96.234, 1) == "96,2"
    assert format_number(14600, 0) == "14.600"
    assert format_number(None) == "—"
    assert format_date(date(2024, 11, 30)) == "30/11/2024"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1.234,5", "1234.5"),
        ("1234,5", "1234.5"),
        ("1234.5", "1234.5"),
        ("1.234", "1234"),
        ("1,234.5", "1234.5"),
        ("12.345.678", "12345678"),
        ("95%", "95"),
        (" 7 ", "7"),
        ("-3", "-3"),
    ],
)
def test_numbers_as_offices_write_them(text, expected):
    assert parse_number(text) == Decimal(expected)


@pytest.mark.parametrize("text", ["abc", "1,2,3.4.5", "nan", "inf", ""])
def test_not_numbers(text):
    with pytest.raises(ValueProblem):
        parse_number(text)


@given(st.integers(min_value=0, max_value=10**12))
def test_formatted_whole_numbers_read_back(number):
    assert parse_number(format_number(number, 0)) == number


def test_text_normalisation():
    nfd = unicodedata.normalize("NFD", "Phường  Hương\nVăn ")
    assert clean_text(nfd) == "Phường Hương Văn"
    assert match_key(nfd) == match_key("phường hương văn")
    assert strip_accents("Đường Hương Trà") == "duong huong tra"
    assert [looks_like_formula(v) for v in ("=SUM(A1)", "+1+1", "@x", "-5", "-1,5", "12")] == [
        True,
        True,
        True,
        False,
        False,
        False,
    ]


@pytest.mark.parametrize(
    ("code", "start", "end", "kind"),
    [
        ("2024", date(2024, 1, 1), date(2024, 12, 31), "yearly"),
        ("2024Q3", date(2024, 7, 1), date(2024, 9, 30), "quarterly"),
        ("2024q1", date(2024, 1, 1), date(2024, 3, 31), "quarterly"),
        ("202402", date(2024, 2, 1), date(2024, 2, 29), "monthly"),
    ],
)
def test_periods(code, start, end, kind):
    period = parse_period(code)
    assert (period.start, period.end, period.kind) == (start, end, kind)
    assert parse_period("2024").contains(period)


@pytest.mark.parametrize("code", ["2024X", "202413", "2024Q5", "24", "", None])
def test_bad_periods(code):
    with pytest.raises(UserError):
        parse_period(code)


@given(st.text(alphabet=st.sampled_from("aZ09 _-.,\t\n\r\x0b\x0c\x1c\u00a0ăƯ\u0301"), max_size=12))
def test_clean_text_fast_path_cleans_as_the_full_path(text):
    full = " ".join(unicodedata.normalize("NFC", text).split())  # what the regex path does
    assert clean_text(text) == full.strip()
