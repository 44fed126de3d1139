"""Forms of the routing admin: a rule (keywords typed as one list) and the "try the rules" page."""

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from portal.appeals.constants import AppealType
from portal.cases.models import Category
from portal.orgs.models import Industry, Unit

from .models import RoutingRule

# Chinese and Latin list separators people type between keywords.
_SEPARATORS = re.compile(r"[\s,，、;；]+")


class KeywordsField(forms.CharField):
    """Keywords typed on one line or several, separated by commas, 、, semicolons or spaces."""

    widget = forms.Textarea(attrs={"rows": 3})

    def prepare_value(self, value):
        if isinstance(value, list | tuple):
            return "、".join(value)
        return value

    def to_python(self, value):
        value = super().to_python(value)
        return [k for k in _SEPARATORS.split(value or "") if k]


class RoutingRuleForm(forms.ModelForm):
    keywords = KeywordsField(
        label=_("keywords"), required=False,
        help_text=RoutingRule._meta.get_field("keywords").help_text,
    )

    class Meta:
        model = RoutingRule
        fields = ["name", "priority", "is_enabled", "unit", "category", "appeal_type",
                  "industry", "keywords", "note"]


class TryRulesForm(forms.Form):
    """A text as an enterprise might write it, to see which rule (or the model) routes it."""

    title = forms.CharField(label=_("title"), max_length=200)
    description = forms.CharField(label=_("description"), max_length=5000, required=False,
                                  widget=forms.Textarea(attrs={"rows": 5}))
    category = forms.ModelChoiceField(label=_("category"), required=False,
                                      queryset=Category.objects.select_related("parent"))
    appeal_type = forms.ChoiceField(label=_("type of appeal"), required=False,
                                    choices=[("", "---------"), *AppealType.choices])
    industry = forms.ModelChoiceField(label=_("industry section of the enterprise"),
                                      required=False, queryset=Industry.objects.all())
    subject_unit = forms.ModelChoiceField(
        label=_("unit the appeal is about"), required=False,
        queryset=Unit.objects.filter(is_active=True),
        help_text=_("Never suggested: the next rule or the model's next unit is taken."),
    )
