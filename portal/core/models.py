"""Helpers for the apps' models (the core app has no tables of its own)."""

from functools import cache

from django.utils.encoding import force_str


@cache
def _labels_of(field) -> dict:
    return dict(field.flatchoices)


class ChoiceLabelsMixin:
    """`get_<field>_display()` from a dict built once per field.

    Django's version builds the dict of every choice on each call and hashes each lazy label on
    the way (make_hashable), which translates it: a timeline translated every action's label
    for each of its steps (docs/performance.md, fix 6). Here the labels stay lazy in the dict
    and only the one shown is translated, in the request's language.
    """

    def _get_FIELD_display(self, field):
        value = getattr(self, field.attname)
        try:
            label = _labels_of(field).get(value, value)
        except TypeError:  # an unhashable value (a list, a dict): Django's own way
            return super()._get_FIELD_display(field)
        return force_str(label, strings_only=True)
