"""Routing: the department's rules (first match wins) and the learned models.

Rows change only through `portal.routing.services`.
"""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.appeals.constants import AppealType

from . import text
from .constants import Classifier

MAX_KEYWORDS = 50


class RoutingRule(models.Model):
    """Conditions on a case → the unit that should handle it (派单 suggestion).

    Every condition that is set must hold; empty ones match anything. Keywords match if any
    one of them is found as whole words in the title or description (see text.py). Enabled
    rules are tried by priority (lowest number first, then oldest); the first match wins.
    """

    name = models.CharField(_("name"), max_length=100,
                            help_text=_("Shown to the dispatcher, e.g. “社保”."))
    priority = models.PositiveIntegerField(
        _("priority"), default=100, validators=[MaxValueValidator(1_000_000)],
        help_text=_("Rules are tried from the lowest number up; the first that matches wins."),
    )
    is_enabled = models.BooleanField(_("enabled"), default=True)
    unit = models.ForeignKey(
        "orgs.Unit", verbose_name=_("route to unit"), on_delete=models.PROTECT,
        related_name="routing_rules",
    )
    category = models.ForeignKey(
        "cases.Category", verbose_name=_("category"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="routing_rules",
        help_text=_("Matches this category and its sub-categories. Leave empty for any."),
    )
    appeal_type = models.CharField(_("type of appeal"), max_length=20,
                                   choices=AppealType.choices, blank=True,
                                   help_text=_("Leave empty for any type."))
    industry = models.ForeignKey(
        "orgs.Industry", verbose_name=_("industry section of the enterprise"), null=True,
        blank=True, on_delete=models.PROTECT, related_name="routing_rules",
        help_text=_("Leave empty for any industry."),
    )
    keywords = ArrayField(
        models.CharField(max_length=31), verbose_name=_("keywords"), default=list, blank=True,
        help_text=_("Any one of these words in the title or description. Whole words only: "
                    "社保 does not match 社保局; end a keyword with * to match words starting "
                    "with it (社保* matches 社保局 and 社保卡). Leave empty for any text."),
    )
    note = models.TextField(_("note"), blank=True, max_length=2000)
    # Raised by every save, so each process sees that its cached rules are out of date.
    revision = models.PositiveIntegerField(_("revision"), default=0, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("last changed"), default=timezone.now, editable=False)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("last changed by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+", editable=False,
    )

    class Meta:
        ordering = ["priority", "id"]
        verbose_name = _("routing rule")
        verbose_name_plural = _("routing rules")
        indexes = [models.Index(fields=["priority", "id"], name="routing_rule_enabled_order",
                                condition=models.Q(is_enabled=True))]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(category__isnull=False) | ~models.Q(appeal_type="")
                           | models.Q(industry__isnull=False) | ~models.Q(keywords=[])),
                name="routing_rule_has_a_condition",
                violation_error_message=_("A rule needs at least one condition."),
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        errors = {}
        self.name = (self.name or "").strip()
        cleaned, bad = [], []
        for raw in self.keywords or []:
            keyword = text.clean_keyword(raw)
            if not keyword:
                bad.append(raw)
            elif keyword not in cleaned:
                cleaned.append(keyword)
        self.keywords = cleaned
        if bad:
            errors["keywords"] = _("These keywords have no letters or characters to look "
                                   "for: %(bad)s") % {"bad": ", ".join(repr(b) for b in bad)}
        elif len(cleaned) > MAX_KEYWORDS:
            errors["keywords"] = _("A rule takes at most %(n)d keywords.") % {"n": MAX_KEYWORDS}
        elif any(len(k.rstrip(text.PREFIX_MARK)) > 30 for k in cleaned):
            errors["keywords"] = _("A keyword has at most 30 characters.")
        if not (self.category_id or self.appeal_type or self.industry_id or cleaned or bad):
            errors["__all__"] = _("A rule needs at least one condition: a category, a type of "
                                  "appeal, an industry or keywords.")
        if self.unit_id and not self.unit.is_active and self.is_enabled:
            errors["unit"] = _("%(unit)s is no longer active: choose another unit or disable "
                               "the rule.") % {"unit": self.unit}
        if errors:
            raise ValidationError(errors)


class RoutingModel(models.Model):
    """A trained classifier (TF-IDF of jieba words → unit), serialized, with how well it did.

    Every web process loads the row with the highest version on first use and caches it until
    a higher version appears. The blob is signed with the site's secret key and loaded only
    when the signature and the scikit-learn version match (see learning.py).
    """

    version = models.PositiveIntegerField(_("version"), unique=True)
    trained_at = models.DateTimeField(_("trained at"), default=timezone.now)
    classifier = models.CharField(_("classifier"), max_length=30, choices=Classifier.choices)
    sample_count = models.PositiveIntegerField(_("past assignments learned from"))
    unit_count = models.PositiveIntegerField(_("units it can suggest"))
    units_left_out = models.PositiveIntegerField(
        _("units left out (too few cases)"), default=0,
    )
    test_count = models.PositiveIntegerField(_("held-out cases"))
    accuracy = models.FloatField(
        _("accuracy on held-out cases"), validators=[MinValueValidator(0), MaxValueValidator(1)],
    )
    # The last routing step (CaseEvent id) the training saw: nothing newer, nothing to learn.
    last_event_id = models.BigIntegerField(_("last timeline step seen"), default=0)
    library_version = models.CharField(_("scikit-learn version"), max_length=20)
    blob = models.BinaryField(_("serialized pipeline"), editable=False)
    signature = models.CharField(_("signature"), max_length=64, editable=False)
    size_bytes = models.PositiveIntegerField(_("size (bytes)"))
    training_seconds = models.FloatField(_("training time (s)"), default=0)

    class Meta:
        ordering = ["-version"]
        verbose_name = _("routing model")
        verbose_name_plural = _("routing models")
        permissions = [
            ("retrain_routingmodel", _("Can start a retrain of the routing suggestions")),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(accuracy__gte=0, accuracy__lte=1),
                                   name="routing_model_accuracy_0_to_1"),
        ]

    def __str__(self):
        return _("Routing model v%(version)s") % {"version": self.version}
