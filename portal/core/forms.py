"""How every form on the portal is drawn: one form renderer (settings.FORM_RENDERER).

Enterprise pages, account pages (allauth's `fields` element renders `{{ form }}`), the admin's
widgets and the apps still to come all go through it, so each gets without code of its own:

- an error summary at the top of a form that failed (templates/forms/error_summary.html): a
  heading and every problem as a link to its field; static/js/forms.js moves focus to it;
- each field's message beside the field, with the id (`<auto_id>_error`) that Django's
  `aria-describedby` on the widget names (templates/forms/field.html);
- "Enter …" / "Choose …" instead of Django's "This field is required." when a form did not
  say what to do itself (PortalBoundField.errors).

GOV.UK design system's error summary and error message patterns; GB/T 37668 §6.4 (input
assistance).
"""

from django import forms
from django.forms.boundfield import BoundField
from django.forms.renderers import TemplatesSetting
from django.forms.utils import ErrorList
from django.utils.translation import gettext as _

_CHOOSING_WIDGETS = (forms.Select, forms.RadioSelect, forms.CheckboxSelectMultiple,
                     forms.SelectMultiple)


def _label_in_sentence(label: str) -> str:
    """The field's label as it reads inside a sentence: no trailing colon or question mark,
    and in English a lower-case first letter unless the word is an acronym (TOTP, URL)."""
    text = str(label).strip().rstrip(":：?？")
    if len(text) > 1 and text[0].isupper() and not text[1].isupper():
        text = text[0].lower() + text[1:]
    return text


def required_message(field: forms.Field, label: str) -> str:
    """Return what the person must do to fill `field` in, in the active language."""
    widget = field.widget
    label = _label_in_sentence(label)
    if isinstance(widget, forms.CheckboxInput):
        return _("Tick “%(label)s” to go on") % {"label": label}
    if isinstance(widget, forms.FileInput):
        return _("Choose a file for %(label)s") % {"label": label}
    if isinstance(widget, _CHOOSING_WIDGETS) or isinstance(field, forms.ChoiceField):
        return _("Choose %(label)s") % {"label": label}
    return _("Enter %(label)s") % {"label": label}


class PortalBoundField(BoundField):
    """A bound field whose generic "This field is required." says what to do instead, and which
    knows where the error summary's link should take the reader."""

    @property
    def errors(self) -> ErrorList:
        errors = super().errors
        generic = str(forms.Field.default_error_messages["required"])
        if not errors or not self.label or generic not in errors:
            return errors
        messages = [required_message(self.field, self.label) if message == generic else message
                    for message in errors]
        return self.form.error_class(messages, renderer=self.form.renderer,
                                     field_id=self.auto_id or None)

    @property
    def anchor_id(self) -> str:
        """The id of the element a link to this field should reach: the input itself, or the
        first radio button or checkbox of a group (whose label has no single target)."""
        target = self.id_for_label
        if target:
            return target
        if not self.auto_id:
            return ""
        subwidgets = self.subwidgets
        return subwidgets[0].id_for_label if subwidgets else self.auto_id


class PortalFormRenderer(TemplatesSetting):
    """Django's templates from the project's TEMPLATES (so templates/forms/ overrides them)."""

    form_template_name = "forms/form.html"
    field_template_name = "forms/field.html"
    bound_field_class = PortalBoundField
