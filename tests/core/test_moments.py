"""{% time_element %} prints what the `date` filters printed before it, in each language."""

import datetime

import pytest
from django.template import engines
from django.utils import translation

FILTERS = engines["django"].from_string(
    '<time datetime="{{ v|date:"c" }}">{{ v|date:"SHORT_DATETIME_FORMAT" }}</time>')
TAG = engines["django"].from_string(
    '{% load moments %}{% time_element v "SHORT_DATETIME_FORMAT" %}')


@pytest.mark.parametrize("language", ["zh-hans", "zh-hant", "en"])
def test_the_tag_prints_what_the_filters_printed(language):
    moment = datetime.datetime(2026, 3, 9, 17, 5, 4, 120, tzinfo=datetime.UTC)
    with translation.override(language):
        printed = TAG.render({"v": moment})
        assert printed == FILTERS.render({"v": moment})
    assert 'datetime="2026-03-10T01:05:04.000120+08:00"' in printed  # the district's time zone


def test_no_moment_prints_nothing():
    assert TAG.render({"v": None}) == ""
