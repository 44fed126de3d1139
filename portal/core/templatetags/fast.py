"""Template helpers for the pages that print many rows, where Django's general tags cost most
of a page's time (docs/performance.md, issue 4).

    {% load fast %}
    {% link 'cases:detail' case.pk %}      as {% url %}, the pattern reversed once per process
    {{ case.due_date|ymd }}                as |date:"Y-m-d"   (local date of a datetime)
    {{ event.created_at|ymd_hm }}          as |date:"Y-m-d H:i"
    {{ event.created_at|iso }}             as |date:"c"       (for <time datetime>)

`{% url %}` resolves the URL pattern on each call (≈ 20 µs); `|date` builds a formatter and
reads the locale's formats (≈ 20 µs). These fixed formats need neither: they print the same
digits in every language.
"""

import datetime
from functools import lru_cache

from django import template
from django.conf import settings
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils import timezone

register = template.Library()

# Stand-ins for the arguments while reversing: digits, so that <int:…> converters accept them.
_SENTINELS = ("9081726354", "9182736455", "9283746556")


@lru_cache(maxsize=512)
def _url_parts(name: str, arity: int, prefix: str, urlconf: str) -> tuple[str, ...]:
    """Return the reversed URL of `name` cut at its `arity` arguments: n + 1 literal parts."""
    url = reverse(name, args=_SENTINELS[:arity], urlconf=urlconf)
    parts = [url]
    for sentinel in _SENTINELS[:arity]:
        head, found, tail = parts.pop().partition(sentinel)
        if not found:  # the argument was transformed on the way: not a plain int pattern
            raise ValueError(name)
        parts += [head, tail]
    return tuple(parts)


def fast_reverse(name: str, *args) -> str:
    """`reverse(name, args=args)` for URLs whose arguments are integers (primary keys); any
    other argument (a bool, a negative number, a string) goes to `reverse` itself."""
    if len(args) > len(_SENTINELS) or not all(type(a) is int and a >= 0 for a in args):
        return reverse(name, args=args)
    try:
        parts = _url_parts(name, len(args), get_script_prefix(),
                           get_urlconf() or settings.ROOT_URLCONF)
    except (ValueError, NoReverseMatch):  # a pattern that takes no 10-digit integer there
        return reverse(name, args=args)
    out = [parts[0]]
    for arg, literal in zip(args, parts[1:], strict=True):
        out += [str(arg), literal]
    return "".join(out)


@register.simple_tag
def link(name, *args):
    return fast_reverse(name, *args)


def _local(value):
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        return timezone.localtime(value)
    return value


def _moment(value) -> bool:
    return isinstance(value, datetime.date)  # dates and datetimes; "" for anything else, as |date


@register.filter
def ymd(value) -> str:
    return _local(value).strftime("%Y-%m-%d") if _moment(value) else ""


@register.filter
def ymd_hm(value) -> str:
    return _local(value).strftime("%Y-%m-%d %H:%M") if _moment(value) else ""


@register.filter
def iso(value) -> str:
    return _local(value).isoformat() if _moment(value) else ""
