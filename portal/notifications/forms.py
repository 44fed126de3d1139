from django import forms
from django.utils.translation import gettext_lazy as _


class PreferencesForm(forms.Form):
    email_notifications = forms.BooleanField(
        label=_("Also send me each notification by e-mail"), required=False,
        help_text=_("Every notification is always kept in your inbox on this site."),
    )
