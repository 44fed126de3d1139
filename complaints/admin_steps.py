"""A read-only admin change page that offers the forms of the steps the viewer may take now;
each form calls one service, whose refusal is shown on it. Used by complaints and rewards."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect

CHANGE_FORM = "complaints/admin/change_form.html"


class StepFormsAdmin(admin.ModelAdmin):
    """A read-only change page with the forms of the steps the viewer may take now."""

    change_form_template = CHANGE_FORM
    form_classes: dict = {}

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def action_forms(self, request, obj) -> list[str]:
        return []

    def perform(self, request, obj, name, data) -> str:
        raise NotImplementedError

    def panels(self, request, obj) -> dict:
        return {}

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, object_id)
        if obj is None:
            return super().change_view(request, object_id, form_url, extra_context)
        allowed = self.action_forms(request, obj)
        forms = {name: self.form_classes[name](prefix=name) for name in allowed}
        if request.method == "POST":
            name = request.POST.get("_step", "")
            if name not in allowed:
                raise PermissionDenied
            form = forms[name] = self.form_classes[name](request.POST, request.FILES, prefix=name)
            if form.is_valid():
                try:
                    done = self.perform(request, obj, name, form.cleaned_data)
                except PermissionDenied as exc:
                    messages.error(request, str(exc))
                except ValidationError as exc:
                    form.add_service_errors(exc)
                else:
                    messages.success(request, done)
                    return redirect(request.path)
            request.method = "GET"  # show the page again, read-only, with the form's errors
        context = {**(extra_context or {}), "step_forms": forms,
                   **self.panels(request, obj)}
        return super().change_view(request, object_id, form_url, context)
