"""Forms of the policy pages: supplying one missing fact, and the library's filters."""

from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from portal.orgs.models import Enterprise, Industry, Unit

from .models import PolicyStatus, Topic

YES_NO = [("yes", _("Yes")), ("no", _("No"))]


class FactForm(forms.Form):
    """One missing fact; its fields depend on the fact's key (see policies.conditions)."""

    def __init__(self, *args, key: str, label: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.key = key
        kind = key.partition(":")[0]
        if key == "registered_capital":
            self.fields["value"] = forms.DecimalField(label=label, min_value=0, max_digits=14,
                                                      decimal_places=2)
        elif key == "founded_on":
            self.fields["value"] = forms.DateField(
                label=label, widget=forms.DateInput(attrs={"type": "date"}))
        elif key == "ownership":
            self.fields["value"] = forms.ChoiceField(
                label=label, choices=Enterprise._meta.get_field("ownership").choices)
        elif key == "industry_division":
            self.fields["value"] = forms.CharField(
                label=label, max_length=2,
                validators=[RegexValidator(r"^\d{2}$", _("A division is two digits, e.g. 39."))])
        elif key in ("street", "park"):
            self.fields["value"] = forms.CharField(label=label, max_length=100)
        elif kind == "qualification":
            self.fields["holds"] = forms.ChoiceField(label=label, choices=YES_NO,
                                                     widget=forms.RadioSelect)
            self.fields["certificate"] = forms.FileField(
                label=_("Certificate (PDF or image)"), required=False,
                help_text=_("Needed when you hold the qualification."))
        else:
            self.fields["holds"] = forms.ChoiceField(label=label, choices=YES_NO,
                                                     widget=forms.RadioSelect)

    def clean(self):
        data = super().clean()
        if (self.key.startswith("qualification:") and data.get("holds") == "yes"
                and not data.get("certificate")):
            self.add_error("certificate", _("Attach the certificate of the qualification."))
        return data


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Words"), required=False, max_length=100)
    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=[("", _("Any"))] + [
                                   c for c in PolicyStatus.choices if c[0] != "draft"])
    unit = forms.ModelChoiceField(label=_("Issuing unit"), required=False,
                                  queryset=Unit.objects.filter(is_active=True),
                                  to_field_name="code")
    topic = forms.ModelChoiceField(label=_("Topic"), required=False,
                                   queryset=Topic.objects.all(), to_field_name="code")
    industry = forms.ModelChoiceField(label=_("Industry"), required=False,
                                      queryset=Industry.objects.all())
    issued_from = forms.DateField(label=_("Issued from"), required=False,
                                  widget=forms.DateInput(attrs={"type": "date"}))
    issued_to = forms.DateField(label=_("Issued until"), required=False,
                                widget=forms.DateInput(attrs={"type": "date"}))
