"""A moment as pages print it: `<time datetime="ISO 8601">as the language writes it</time>`.

    {% load moments %}{% time_element event.created_at "SHORT_DATETIME_FORMAT" %}

The same as `<time datetime="{{ v|date:"c" }}">{{ v|date:"SHORT_DATETIME_FORMAT" }}</time>`, in
the current time zone as the `date` filter, with the ISO text taken from the value itself: a
case's timeline prints one for every step, and the filter's "c" format was a twentieth of a
first view's template (docs/performance.md, issue 11).
"""

from django import template
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.timezone import template_localtime

register = template.Library()


@register.simple_tag
def time_element(value, format_name: str = "DATETIME_FORMAT") -> str:
    """`value` (a datetime) in a <time> element; nothing for no value."""
    if not value:
        return ""
    value = template_localtime(value)
    return format_html('<time datetime="{}">{}</time>', value.isoformat(),
                       date_format(value, format_name))
