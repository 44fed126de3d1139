"""Dates follow each language's conventions from one place (FORMAT_MODULE_PATH = portal.formats),
printed by Django's own `|date`; URLs by Django's own `{% url %}`, keyword arguments included."""

import datetime

import pytest
from django.template import engines
from django.urls import reverse
from django.utils import translation

# 06:05 UTC is 14:05 in Asia/Shanghai; a single-digit minute and a month past September
MOMENT = datetime.datetime(2026, 11, 26, 6, 5, tzinfo=datetime.UTC)


def render(source: str, language: str, **context) -> str:
    with translation.override(language):
        return engines["django"].from_string(source).render(context)


@pytest.mark.parametrize(("language", "expected", "a_day"), [
    ("zh-hans", ["2026年11月26日", "2026年11月26日 14:05", "2026-11-26", "2026-11-26 14:05"],
     "2027-01-04"),
    ("zh-hant", ["2026年11月26日", "2026年11月26日 14:05", "2026-11-26", "2026-11-26 14:05"],
     "2027-01-04"),
    ("en", ["26 November 2026", "26 November 2026, 14:05", "26 Nov 2026", "26 Nov 2026 14:05"],
     "4 Jan 2027"),
])
def test_each_language_prints_dates_its_own_way(language, expected, a_day):
    names = ["DATE_FORMAT", "DATETIME_FORMAT", "SHORT_DATE_FORMAT", "SHORT_DATETIME_FORMAT"]
    printed = [render(f'{{{{ v|date:"{name}" }}}}', language, v=MOMENT) for name in names]
    assert printed == expected
    assert render('{{ v|date:"SHORT_DATE_FORMAT" }}', language,
                  v=datetime.date(2027, 1, 4)) == a_day
    # the machine-readable form, for <time datetime>, is the same in every language
    assert render('{{ v|date:"c" }}', language, v=MOMENT) == "2026-11-26T14:05:00+08:00"


def test_a_value_that_is_not_a_date_prints_nothing():
    assert render('[{{ v|date:"SHORT_DATE_FORMAT" }}]', "en", v="") == "[]"
    assert render('[{{ v|date:"SHORT_DATE_FORMAT" }}]', "en", v=None) == "[]"


def test_a_url_with_a_keyword_argument_and_one_with_a_positional_one():
    assert render("{% url 'notifications:open' pk=42 %}", "en") == "/inbox/42/"
    assert render("{% url 'notifications:open' 42 %}", "en") == reverse(
        "notifications:open", kwargs={"pk": 42})
