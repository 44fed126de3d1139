"""Routing in the admin, for department staff only: rules, a page to try them, the models.

Every write goes through services; every permission through permissions.py.
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.core.admin import ReadOnlyAdminMixin

from . import permissions, selectors, services
from .forms import RoutingRuleForm, TryRulesForm
from .models import RoutingModel, RoutingRule


@admin.register(RoutingRule)
class RoutingRuleAdmin(admin.ModelAdmin):
    form = RoutingRuleForm
    change_list_template = "routing/admin/routingrule_change_list.html"
    list_display = ["priority", "name", "unit", "category", "appeal_type", "industry",
                    "keywords_display", "is_enabled", "updated_at"]
    list_display_links = ["name"]
    list_filter = ["is_enabled", "appeal_type", "unit", "category"]
    search_fields = ["name", "note", "unit__name"]
    readonly_fields = ["created_at", "updated_at", "updated_by"]
    autocomplete_fields = ["unit"]
    actions = ["enable_rules", "disable_rules"]
    fieldsets = [
        (None, {"fields": ["name", "priority", "is_enabled", "unit"]}),
        (gettext_lazy("Conditions (all that are set must hold)"),
         {"fields": ["category", "appeal_type", "industry", "keywords"]}),
        (None, {"fields": ["note", "created_at", "updated_at", "updated_by"]}),
    ]

    @admin.display(description=gettext_lazy("keywords"))
    def keywords_display(self, obj):
        return "、".join(obj.keywords)

    def get_queryset(self, request):
        if not permissions.can_rules(request.user, "view"):
            return RoutingRule.objects.none()
        return selectors.rule_list()

    def has_module_permission(self, request):
        return permissions.can_rules(request.user, "view")

    def has_view_permission(self, request, obj=None):
        return permissions.can_rules(request.user, "view")

    def has_add_permission(self, request):
        return permissions.can_rules(request.user, "add")

    def has_change_permission(self, request, obj=None):
        return permissions.can_rules(request.user, "change")

    def has_delete_permission(self, request, obj=None):
        return permissions.can_rules(request.user, "delete")

    def save_model(self, request, obj, form, change):
        services.routing_rule_save(rule=obj, actor=request.user)

    def delete_model(self, request, obj):
        services.routing_rule_delete(rule=obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        for rule in queryset:
            services.routing_rule_delete(rule=rule, actor=request.user)

    def _set_enabled(self, request, queryset, enabled: bool) -> int:
        changed, refused = 0, []
        for rule in queryset:
            if rule.is_enabled == enabled:
                continue
            rule.is_enabled = enabled
            try:
                services.routing_rule_save(rule=rule, actor=request.user)
                changed += 1
            except ValidationError as exc:
                refused.append(f"{rule.name}: {' '.join(exc.messages)}")
        for message in refused:
            self.message_user(request, message, messages.ERROR)
        return changed

    @admin.action(description=gettext_lazy("Enable the selected rules"),
                  permissions=["change"])
    def enable_rules(self, request, queryset):
        n = self._set_enabled(request, queryset, True)
        self.message_user(request, _("%(n)d rule(s) enabled.") % {"n": n}, messages.SUCCESS)

    @admin.action(description=gettext_lazy("Disable the selected rules"),
                  permissions=["change"])
    def disable_rules(self, request, queryset):
        n = self._set_enabled(request, queryset, False)
        self.message_user(request, _("%(n)d rule(s) disabled.") % {"n": n}, messages.SUCCESS)

    def get_urls(self):
        return [
            path("try/", self.admin_site.admin_view(self.try_view),
                 name="routing_routingrule_try"),
            *super().get_urls(),
        ]

    def try_view(self, request):
        """Check a text against every enabled rule and show what routing would suggest."""
        if not permissions.can_rules(request.user, "view"):
            raise PermissionDenied
        form = TryRulesForm(request.POST or None)
        trial = None
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            trial = services.routing_rules_try(
                title=data["title"], description=data["description"],
                category=data["category"], appeal_type=data["appeal_type"] or None,
                industry=data["industry"], subject_unit=data["subject_unit"])
        context = {
            **self.admin_site.each_context(request),
            "title": _("Try the routing rules"),
            "opts": self.model._meta,
            "form": form,
            "trial": trial,
        }
        return TemplateResponse(request, "routing/admin/try_rules.html", context)


@admin.register(RoutingModel)
class RoutingModelAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The learned models: read-only, with a button to retrain now."""

    change_list_template = "routing/admin/routingmodel_change_list.html"
    list_display = ["version", "trained_at", "classifier", "sample_count", "unit_count",
                    "units_left_out", "accuracy_display", "test_count", "training_seconds",
                    "size_bytes"]
    fields = ["version", "trained_at", "classifier", "sample_count", "unit_count",
              "units_left_out", "test_count", "accuracy", "last_event_id", "library_version",
              "size_bytes", "training_seconds"]
    readonly_fields = fields

    @admin.display(description=gettext_lazy("accuracy on held-out cases"),
                   ordering="accuracy")
    def accuracy_display(self, obj):
        return f"{obj.accuracy:.1%}"

    def get_queryset(self, request):
        if not permissions.can_view_models(request.user):
            return RoutingModel.objects.none()
        return selectors.model_list()

    def has_module_permission(self, request):
        return permissions.can_view_models(request.user)

    def has_view_permission(self, request, obj=None):
        return permissions.can_view_models(request.user)


    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}),
                         "can_retrain": permissions.can_retrain(request.user)}
        return super().changelist_view(request, extra_context=extra_context)

    def get_urls(self):
        return [
            path("retrain/", self.admin_site.admin_view(self.retrain_view),
                 name="routing_routingmodel_retrain"),
            *super().get_urls(),
        ]

    def retrain_view(self, request):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        services.routing_retrain_request(actor=request.user)
        self.message_user(request, _("A retrain was queued; the new model appears here when "
                                     "it is done."),
                          messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:routing_routingmodel_changelist"))
