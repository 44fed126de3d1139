"""The officials' admin of policies: a unit official drafts its own unit's policies (clauses,
guide, conditions, test cases) and publishes them (the action "Publish", through
services.policy_publish); the department sees every unit's."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from portal.core.admin import ReadOnlyAdminMixin

from . import conditions as cond
from . import services
from .models import (
    Grant,
    Guide,
    Policy,
    PolicyAttachment,
    PolicyClause,
    PolicyTestCase,
    PolicyVersion,
    Topic,
)


class PolicyAdminForm(forms.ModelForm):
    class Meta:
        model = Policy
        fields = [
            "title",
            "document_number",
            "unit",
            "summary",
            "issued_on",
            "effective_on",
            "expires_on",
            "topics",
            "industries",
            "conditions",
            "granted_without_application",
        ]

    def clean_conditions(self):
        tree = self.cleaned_data.get("conditions") or {}
        errors = cond.validate_tree(tree)
        if errors:
            raise ValidationError(errors)
        return tree


class TestCaseForm(forms.ModelForm):
    class Meta:
        model = PolicyTestCase
        fields = ["name", "profile", "expected"]

    def clean_profile(self):
        profile = self.cleaned_data.get("profile") or {}
        if not isinstance(profile, dict):
            raise ValidationError(_("The profile is an object of facts."))
        try:
            cond.Profile.from_json(profile)
        except (ValueError, TypeError, ArithmeticError) as exc:
            raise ValidationError(_("The profile cannot be read: %(e)s") % {"e": exc}) from exc
        return profile


class UptakeImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Spreadsheet: Excel workbook (.xlsx) or CSV UTF-8"),
        help_text=gettext_lazy(
            "The first sheet; columns: credit_code, kind (applied or granted), date "
            "(YYYY-MM-DD), amount."
        ),
    )

    def clean_file(self):
        from .uptake import MAX_BYTES

        file = self.cleaned_data["file"]
        if file.size > MAX_BYTES:  # refused before it is read into memory
            raise ValidationError(
                _("The file is larger than %(mb)s MB: import it in parts.")
                % {"mb": f"{MAX_BYTES / 1024 / 1024:g}"}
            )
        return file


class ClauseInline(admin.StackedInline):
    model = PolicyClause
    extra = 1


class GuideInline(admin.StackedInline):
    model = Guide
    extra = 1
    max_num = 1


class TestCaseInline(admin.StackedInline):
    model = PolicyTestCase
    form = TestCaseForm
    extra = 1


class AttachmentInline(admin.StackedInline):
    model = PolicyAttachment
    extra = 0


@admin.register(Policy)
class PolicyAdmin(admin.ModelAdmin):
    form = PolicyAdminForm
    list_display = ["title", "document_number", "unit", "status", "version", "expires_on"]
    list_filter = ["status"]
    search_fields = ["title", "document_number"]
    readonly_fields = ["status", "version", "superseded_by", "uptake_link"]
    inlines = [ClauseInline, GuideInline, TestCaseInline, AttachmentInline]
    actions = ["publish"]

    def get_queryset(self, request):
        qs = super().get_queryset(request).select_related("unit")
        if request.user.is_superuser or request.user.has_perm("orgs.supervise_all_units"):
            return qs
        return qs.filter(unit_id=request.user.unit_id)

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if not request.user.is_superuser and "unit" in form.base_fields:
            field = form.base_fields["unit"]
            field.queryset = field.queryset.filter(pk=request.user.unit_id)
            field.initial, field.empty_label = request.user.unit_id, None
        return form

    @admin.display(description=gettext_lazy("Uptake"))
    def uptake_link(self, obj):
        from django.urls import reverse
        from django.utils.html import format_html

        if obj is None or obj.pk is None:
            return "-"
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:policies_policy_uptake", args=[obj.pk]),
            _("Figures and spreadsheet import"),
        )

    def get_urls(self):
        from django.urls import path

        return [
            path(
                "<int:pk>/uptake/",
                self.admin_site.admin_view(self.uptake_view),
                name="policies_policy_uptake",
            ),
            *super().get_urls(),
        ]

    def uptake_view(self, request, pk):
        """Uptake of one policy: the figures, and a spreadsheet (.xlsx or CSV) import with a
        preview."""
        from django.http import Http404
        from django.template.response import TemplateResponse

        from .uptake import uptake_import, uptake_summary

        policy = self.get_queryset(request).filter(pk=pk).first()
        if policy is None or not self.has_change_permission(request, policy):
            raise Http404
        result = None
        form = UptakeImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            result = uptake_import(
                policy=policy,
                data=form.cleaned_data["file"].read(),
                name=form.cleaned_data["file"].name,
                by=request.user,
                save="_import" in request.POST,
            )
            if result.saved:
                self.message_user(
                    request,
                    ngettext("%(n)s row imported.", "%(n)s rows imported.", result.saved)
                    % {"n": result.saved},
                    messages.SUCCESS,
                )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "policy": policy,
            "form": form,
            "result": result,
            "summary": uptake_summary(policy=policy),
            "title": _("Uptake: %(p)s") % {"p": policy.title},
        }
        return TemplateResponse(request, "admin/policies/uptake.html", context)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        services.policy_index(policy=form.instance)

    @admin.action(
        description=gettext_lazy(
            "Publish (runs the test cases, then tells the enterprises concerned)"
        ),
        permissions=["publish"],
    )
    def publish(self, request, queryset):
        for policy in queryset:
            try:
                version = services.policy_publish(policy=policy, by=request.user)
            except (ValidationError, PermissionDenied) as exc:
                text = " ".join(getattr(exc, "messages", [str(exc)]))
                self.message_user(
                    request,
                    _("“%(p)s” was not published: %(e)s") % {"p": policy.title, "e": text},
                    messages.ERROR,
                )
            else:
                self.message_user(
                    request,
                    ngettext(
                        "“%(p)s” is in force (version %(v)s); %(n)s enterprise is being told.",
                        "“%(p)s” is in force (version %(v)s); %(n)s enterprises are being told.",
                        version.matched,
                    )
                    % {"p": policy.title, "v": version.number, "n": version.matched},
                    messages.SUCCESS,
                )

    def has_publish_permission(self, request):
        return request.user.has_perm("policies.publish_policy")


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]


@admin.register(PolicyVersion)
class PolicyVersionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["policy", "number", "published_at", "matched"]


class GrantActionForm(ActionForm):
    reason = forms.CharField(
        label=gettext_lazy("Reason (to remove)"), required=False, max_length=300
    )


@admin.register(Grant)
class GrantAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """免申即享: the proposed list; the unit confirms or removes entries (with a reason)."""

    list_display = ["enterprise", "version", "status", "reason", "decided_at"]
    list_filter = ["status"]
    list_select_related = ["enterprise", "version__policy"]
    action_form = GrantActionForm
    actions = ["confirm", "remove"]

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if request.user.is_superuser or request.user.has_perm("orgs.supervise_all_units"):
            return qs
        return qs.filter(version__policy__unit_id=request.user.unit_id)

    def _decide(self, request, queryset, confirm):
        try:
            n = services.grants_decide(
                grants=list(queryset),
                by=request.user,
                confirm=confirm,
                reason=request.POST.get("reason", ""),
            )
        except (ValidationError, PermissionDenied) as exc:
            self.message_user(
                request, " ".join(getattr(exc, "messages", [str(exc)])), messages.ERROR
            )
        else:
            self.message_user(
                request,
                ngettext(
                    "%(n)s enterprise decided and told.", "%(n)s enterprises decided and told.", n
                )
                % {"n": n},
                messages.SUCCESS,
            )

    @admin.action(
        description=gettext_lazy("Grant to the selected enterprises"), permissions=["view"]
    )
    def confirm(self, request, queryset):
        self._decide(request, queryset, True)

    @admin.action(
        description=gettext_lazy("Remove the selected enterprises (give the reason)"),
        permissions=["view"],
    )
    def remove(self, request, queryset):
        self._decide(request, queryset, False)
