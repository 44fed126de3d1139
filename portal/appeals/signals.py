"""The empty appeal form is kept rendered (templates/appeals/new.html, "appeal_form_fields"):
drop it when what it shows changes (the categories, the units, the attachment limits)."""

from django.conf import settings
from django.core.cache import caches
from django.core.cache.utils import make_template_fragment_key

FORM_FRAGMENT = "appeal_form_fields"


def forget_form(sender, **kwargs):
    caches["fragments"].delete_many([make_template_fragment_key(FORM_FRAGMENT, [code])
                                     for code, _name in settings.LANGUAGES])


def connect() -> None:
    from django.db.models.signals import post_delete, post_save

    from portal.cases.models import Category, EngineSettings
    from portal.orgs.models import Unit

    for model in (Category, Unit, EngineSettings):
        for name, signal in (("saved", post_save), ("deleted", post_delete)):
            signal.connect(forget_form, sender=model,
                           dispatch_uid=f"appeals-forget-form-{model.__name__}-{name}")
