from django import forms
from django.utils.translation import gettext_lazy as _

from portal.cases.forms import MultipleFileField, ServiceErrorsMixin

from .models import Commitment


class DisputeForm(ServiceErrorsMixin, forms.Form):
    reason = forms.CharField(
        label=_("Why do you dispute it?"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
        help_text=_(
            "Say what was promised and what happened instead; the unit and the department read it."
        ),
        error_messages={
            "required": _("Say why you dispute the fulfilment, so the unit can act on it.")
        },
    )


class FulfilmentForm(ServiceErrorsMixin, forms.Form):
    """The official's evidence of fulfilment (admin)."""

    note = forms.CharField(
        label=_("What was done"),
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": _("Say what was done to keep this commitment.")},
    )
    fulfilled_on = forms.DateField(
        label=_("Fulfilled on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Leave empty for today."),
    )
    files = MultipleFileField(label=_("Evidence files"))


class CommitmentAdminForm(forms.ModelForm):
    """The enterprise party is named by its unified social credit code, as printed on the
    agreement: officials cannot browse the enterprise register (it is not theirs to read)."""

    enterprise_code = forms.CharField(
        label=_("Enterprise party's unified social credit code"),
        required=False,
        max_length=18,
        help_text=_(
            "Required for an agreement; leave empty for a public service commitment or a "
            "support policy open to every enterprise."
        ),
    )

    class Meta:
        model = Commitment
        fields = ["kind", "title", "document_number", "policy", "unit", "summary", "signed_on"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.enterprise_id:
            self.initial["enterprise_code"] = self.instance.enterprise.credit_code

    def clean(self):
        from portal.orgs.models import Enterprise
        from portal.orgs.validators import normalize_credit_code

        from .constants import CommitmentKind

        data = super().clean()
        code = normalize_credit_code(data.get("enterprise_code"))
        enterprise = None
        if code:
            enterprise = Enterprise.objects.filter(credit_code=code).first()
            if enterprise is None:
                self.add_error(
                    "enterprise_code",
                    _(
                        "No enterprise with this unified social "
                        "credit code is registered on the portal."
                    ),
                )
                return data
        kind = data.get("kind")
        self._clean_policy(data, kind)
        if kind == CommitmentKind.AGREEMENT and enterprise is None:
            self.add_error(
                "enterprise_code", _("An agreement names the enterprise it is made with.")
            )
        if kind == CommitmentKind.PUBLIC_SERVICE and enterprise is not None:
            self.add_error(
                "enterprise_code",
                _(
                    "A public service commitment is made to every "
                    "enterprise: leave the enterprise empty."
                ),
            )
        self.instance.enterprise = enterprise
        return data

    def _clean_policy(self, data, kind) -> None:
        """A policy only for a support policy commitment; its document number is the policy's
        (filled in when left empty, refused when it names another)."""
        from .constants import CommitmentKind

        policy = data.get("policy")
        if policy is None:
            return
        if kind != CommitmentKind.SUPPORT_POLICY:
            self.add_error(
                "policy",
                _(
                    "Only a support policy commitment names a policy: leave "
                    "it empty, or choose the kind “Support policy”."
                ),
            )
            return
        number = (data.get("document_number") or "").strip()
        if not number:
            data["document_number"] = policy.document_number
        elif policy.document_number and number != policy.document_number:
            self.add_error(
                "document_number",
                _(
                    "The chosen policy's document number is “%(number)s”: correct this one or "
                    "choose the policy it names."
                )
                % {"number": policy.document_number},
            )
