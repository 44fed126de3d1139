"""Form parts every kind's pages and the admin share: several files in one input, the
attachment help, choices of categories and units, and putting a service's refusal back on a
form (`add_service_errors`). Kinds build their own forms from these."""

from django import forms
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from .models import EngineSettings


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; returns a list (empty when none was chosen)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            files = [f for f in data if f]
        else:
            files = [data] if data else []
        if self.required and not files:
            raise ValidationError(self.error_messages["required"], code="required")
        # What each file really is, and whether it is too large or empty, the engine's
        # attachment check decides (attachments.py), with a message naming the file.
        return files


def attachments_help() -> str:
    settings = EngineSettings.load()
    return _("PDF, PNG, JPEG, Word (.docx), Excel (.xlsx) or plain text; up to %(n)d files of "
             "at most %(size)s each. Files are checked by their content, not their name.") % {
        "n": settings.attachment_max_count, "size": filesizeformat(settings.attachment_max_bytes)}


class CategoryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        if obj.parent_id:
            return f"{obj.parent.name} / {obj.name}"
        return obj.name


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.display_name


class ServiceErrorsMixin:
    """Put a service's ValidationError on the form: its field keys onto fields, the rest on top."""

    # service field name -> form field name
    service_fields: dict[str, str] = {}

    def add_service_errors(self, exc: ValidationError) -> None:
        if not hasattr(exc, "error_dict"):
            self.add_error(None, exc.messages)
            return
        for key, messages in exc.message_dict.items():
            field = self.service_fields.get(key, key)
            self.add_error(field if field in self.fields else None, messages)


