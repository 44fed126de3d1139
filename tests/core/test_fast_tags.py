"""The `fast` tags print what `{% url %}` and `|date` print, and fall back to them when unsure."""

import datetime

import pytest
from django.template import Context, Template
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from portal.core.templatetags.fast import fast_reverse


def render(source: str, **context) -> str:
    return Template("{% load fast %}" + source).render(Context(context))


def test_link_is_reverse_for_integer_arguments_and_no_arguments():
    assert render("{% link 'cases:detail' 42 %}") == reverse("cases:detail", args=[42])
    assert render("{% link 'cases:attachment' 7 99 %}") == reverse("cases:attachment",
                                                                   args=[7, 99])
    assert render("{% link 'core:home' %}") == reverse("core:home")


@pytest.mark.parametrize("bad", [True, -3, "7x"])
def test_what_is_not_a_plain_integer_goes_to_reverse_and_is_refused_as_reverse_refuses(bad):
    with pytest.raises(NoReverseMatch):
        fast_reverse("cases:detail", bad)


def test_the_script_prefix_is_kept(settings):
    from django.urls import set_script_prefix

    set_script_prefix("/portal/")
    try:
        assert fast_reverse("cases:detail", 5) == "/portal/cases/5/"
    finally:
        set_script_prefix("/")
    assert fast_reverse("cases:detail", 5) == "/cases/5/"


def test_dates_print_as_the_date_filter_prints_them():
    moment = timezone.make_aware(datetime.datetime(2026, 3, 2, 23, 30, 5), datetime.UTC)
    day = datetime.date(2026, 3, 2)
    for value in (moment, day, moment.replace(tzinfo=None), None, "", "2026-03-02"):
        assert render("{{ v|ymd }}", v=value) == render('{{ v|date:"Y-m-d" }}', v=value)
    for value in (moment, moment.replace(tzinfo=None), None, "", "2026-03-02"):
        assert render("{{ v|ymd_hm }}", v=value) == render('{{ v|date:"Y-m-d H:i" }}', v=value)
    assert render("{{ v|ymd }}", v=moment) == "2026-03-03"  # Asia/Shanghai, the next day
    assert render("{{ v|iso }}", v=moment) == render("{{ v|date:'c' }}", v=moment)
    assert render("{{ v|iso }}", v="x") == ""
