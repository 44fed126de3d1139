from allauth.account.forms import SignupForm
from django import forms
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from .models import Enterprise, Industry, JoinRequest
from .services import enterprise_register, join_request_submit
from .validators import normalize_credit_code, validate_credit_code


class EnterpriseSignupForm(SignupForm):
    """Sign up a person together with their enterprise: register it, or ask to join it."""

    REGISTER, JOIN = "register", "join"

    full_name = forms.CharField(label=_("Full name"), max_length=100,
                                error_messages={"required": _("Enter your full name")})
    phone = forms.CharField(label=_("Mobile phone"), max_length=30, required=False)
    action = forms.ChoiceField(
        label=_("Your enterprise"), widget=forms.RadioSelect, initial=REGISTER,
        error_messages={"required": _("Choose whether you register your enterprise or join "
                                      "one that is already registered")},
        choices=[(REGISTER, _("Register my enterprise (I will be its administrator)")),
                 (JOIN, _("Join an enterprise that is already registered"))],
    )
    credit_code = forms.CharField(
        label=_("Unified social credit code"), max_length=18, min_length=18,
        help_text=_("18 characters, as printed on the business licence (统一社会信用代码)."),
        validators=[validate_credit_code],
        error_messages={"required": _("Enter the unified social credit code of your enterprise")},
        widget=forms.TextInput(attrs={"autocapitalize": "characters", "spellcheck": "false",
                                      "autocomplete": "off"}),
    )
    enterprise_name = forms.CharField(label=_("Enterprise name"), max_length=200, required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=Enterprise.Kind.choices, required=False,
                             initial=Enterprise.Kind.ENTERPRISE)
    industry = forms.ModelChoiceField(label=_("Industry section"), queryset=Industry.objects.all(),
                                      required=False, empty_label=_("Choose…"))
    industry_division = forms.CharField(
        label=_("Industry division"), max_length=2, required=False,
        help_text=_("Two-digit division code of GB/T 4754-2017, e.g. 39."))
    size = forms.ChoiceField(label=_("Size class"), choices=Enterprise.Size.choices, required=False,
                             initial=Enterprise.Size.SMALL)
    address = forms.CharField(label=_("Address"), max_length=255, required=False)
    join_message = forms.CharField(label=_("Message to the administrator"), max_length=500,
                                   required=False, widget=forms.Textarea(attrs={"rows": 2}))

    # The page's order (templates/account/signup.html), which the error summary follows.
    field_order = ["full_name", "email", "phone", "password1", "password2", "action",
                   "credit_code", "enterprise_name", "kind", "industry", "industry_division",
                   "size", "address", "join_message"]

    def clean_credit_code(self):
        return normalize_credit_code(self.cleaned_data["credit_code"])

    def clean(self):
        cleaned = super().clean()
        code = cleaned.get("credit_code")
        action = cleaned.get("action")
        if action == self.REGISTER:
            # Said at once, with the other missing fields, not only after the code is right.
            if not cleaned.get("enterprise_name") and "enterprise_name" not in self.errors:
                self.add_error("enterprise_name", _("Enter the name of your enterprise"))
            if not cleaned.get("industry") and "industry" not in self.errors:
                self.add_error("industry", _("Choose the industry section of your enterprise"))
        if not code or not action:
            return cleaned
        existing = Enterprise.objects.filter(credit_code=code).first()
        if action == self.REGISTER:
            if existing:
                self.add_error("credit_code", _(
                    "An enterprise with this unified social credit code is already registered. "
                    "Choose “Join an enterprise that is already registered” to ask its "
                    "administrator to let you in."))
            self._check_enterprise(cleaned)
        else:
            if not existing:
                self.add_error("credit_code", _(
                    "No enterprise with this unified social credit code is registered yet. "
                    "Choose “Register my enterprise” instead."))
            self.enterprise = existing
        return cleaned

    def _check_enterprise(self, cleaned):
        """Validate the enterprise as the model would, so that nothing is half-saved later."""
        if self.errors:
            return
        candidate = Enterprise(
            credit_code=cleaned["credit_code"], name=cleaned["enterprise_name"],
            kind=cleaned.get("kind") or Enterprise.Kind.ENTERPRISE, industry=cleaned["industry"],
            industry_division=cleaned.get("industry_division") or "",
            size=cleaned.get("size") or Enterprise.Size.SMALL, address=cleaned.get("address") or "",
        )
        try:
            candidate.full_clean(validate_unique=False)
        except forms.ValidationError as exc:
            for field, messages in exc.message_dict.items():
                target = {"name": "enterprise_name"}.get(field, field)
                for message in messages:
                    self.add_error(target if target in self.fields else None, message)

    def save(self, request):
        # The person and their enterprise (or join request) are saved together or not at all.
        with transaction.atomic():
            return super().save(request)

    def signup(self, request, user):
        data = self.cleaned_data
        user.full_name = data["full_name"]
        user.phone = data.get("phone", "")
        user.save(update_fields=["full_name", "phone"])
        if data["action"] == self.REGISTER:
            enterprise_register(
                user=user, credit_code=data["credit_code"], name=data["enterprise_name"],
                kind=data.get("kind") or Enterprise.Kind.ENTERPRISE, industry=data["industry"],
                industry_division=data.get("industry_division") or "",
                size=data.get("size") or Enterprise.Size.SMALL, address=data.get("address") or "",
            )
        else:
            join_request_submit(user=user, enterprise=self.enterprise,
                                message=data.get("join_message") or "")


class JoinDecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", _("Approve")), ("reject", _("Reject"))])


class EnterpriseProfileForm(forms.ModelForm):
    class Meta:
        model = Enterprise
        fields = ["name", "kind", "industry", "industry_division", "size", "registered_capital",
                  "founded_on", "address", "qualifications"]
        widgets = {
            "founded_on": forms.DateInput(attrs={"type": "date"}),
            "qualifications": forms.CheckboxSelectMultiple,
        }


__all__ = ["EnterpriseSignupForm", "JoinDecisionForm", "EnterpriseProfileForm", "JoinRequest"]
