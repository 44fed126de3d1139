from django import forms
from django.utils.translation import gettext_lazy as _

from .services import Anchor


class VerifyForm(forms.Form):
    start_seq = forms.IntegerField(
        label=_("Start at entry"), required=False, min_value=1,
        help_text=_("Leave empty to verify the whole chain from its first entry."),
    )
    anchor = forms.CharField(
        label=_("Published head"), required=False, max_length=100,
        help_text=_("Optional: the head published earlier (entry number:hash), to detect "
                    "entries deleted from the end or a rewritten chain."),
    )

    def clean_anchor(self) -> Anchor | None:
        text = self.cleaned_data["anchor"].strip()
        return Anchor.parse(text) if text else None
