"""Organisations: units of government (区属单位 / 驻区单位) and enterprises.

Industry associations and chambers of commerce (行业协会商会) are enterprises of their own
kind, since they take part in consultations (Art. 3 ¶2) like enterprises do.
"""

import functools

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from .validators import validate_credit_code


@functools.cache
def _s2hk():
    import opencc

    return opencc.OpenCC("s2hk")


@functools.lru_cache(maxsize=4096)
def to_traditional(text: str) -> str:
    """Return `text` in Traditional characters, converted as the translation catalogue's zh-hant
    is (OpenCC, Simplified to Traditional, Hong Kong variant; `manage.py translations`)."""
    return _s2hk().convert(text) if text else text


def pick_language(zh_hans: str, zh_hant: str, en: str) -> str:
    """Return the text for the active language: English where there is an English text, else
    Simplified Chinese; for Traditional readers the Traditional text, or the Simplified one
    converted when none was entered."""
    lang = (get_language() or "zh-hans").lower()
    if lang.startswith("en"):
        return en or zh_hans
    if lang in ("zh-hant", "zh-tw", "zh-hk", "zh-mo"):
        return zh_hant or to_traditional(zh_hans)
    return zh_hans


class Industry(models.Model):
    """A section of GB/T 4754-2017 (国民经济行业分类) with the divisions it covers."""

    section = models.CharField(_("section"), max_length=1, primary_key=True)
    division_from = models.PositiveSmallIntegerField(_("first division"))
    division_to = models.PositiveSmallIntegerField(_("last division"))
    name_zh_hans = models.CharField(_("name (Simplified Chinese)"), max_length=100)
    name_zh_hant = models.CharField(_("name (Traditional Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=200)

    class Meta:
        ordering = ["section"]
        verbose_name = _("industry section")
        verbose_name_plural = _("industry sections")

    def __str__(self):
        return f"{self.section} {self.name}"

    @property
    def name(self) -> str:
        return pick_language(self.name_zh_hans, self.name_zh_hant, self.name_en)

    def covers_division(self, division: str) -> bool:
        return division.isdigit() and self.division_from <= int(division) <= self.division_to


class Qualification(models.Model):
    """A recognised status an enterprise may hold (高新技术企业, 专精特新, ...)."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name_zh_hans = models.CharField(_("name (Simplified Chinese)"), max_length=100)
    name_zh_hant = models.CharField(_("name (Traditional Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=200)

    class Meta:
        ordering = ["code"]
        verbose_name = _("qualification")
        verbose_name_plural = _("qualifications")

    def __str__(self):
        return self.name

    @property
    def name(self) -> str:
        return pick_language(self.name_zh_hans, self.name_zh_hant, self.name_en)


class Unit(models.Model):
    """A unit of government that answers to enterprises."""

    class Kind(models.TextChoices):
        DEPARTMENT = "department", _("Business environment reform department")
        DISTRICT = "district", _("District unit (区属单位)")
        STATIONED = "stationed", _("Stationed unit (驻区单位)")
        STREET = "street", _("Street or town (街镇)")

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=100, unique=True)
    name_zh_hant = models.CharField(
        _("name in Traditional Chinese"), max_length=100, blank=True,
        help_text=_("Leave empty to show the name converted to Traditional characters; fill in "
                    "only where the conversion is wrong."),
    )
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.DISTRICT)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent unit"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="children",
    )
    contact_name = models.CharField(_("contact person"), max_length=50, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=30, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        permissions = [
            ("handle_unit_cases", _("Can handle the cases of one's own unit")),
            ("supervise_all_units", _("Can see and supervise the work of every unit")),
        ]

    def __str__(self):
        return self.display_name

    @property
    def display_name(self) -> str:
        """The name in the reader's language (pages, admin, API, e-mails)."""
        return pick_language(self.name, self.name_zh_hant, self.name_en)

    @property
    def traditional_name(self) -> str:
        return self.name_zh_hant or to_traditional(self.name)


class Enterprise(models.Model):
    class Kind(models.TextChoices):
        ENTERPRISE = "enterprise", _("Enterprise")
        ASSOCIATION = "association", _("Industry association (行业协会)")
        CHAMBER = "chamber", _("Chamber of commerce (商会)")

    class Size(models.TextChoices):
        LARGE = "large", _("Large")
        MEDIUM = "medium", _("Medium")
        SMALL = "small", _("Small")
        MICRO = "micro", _("Micro")

    credit_code = models.CharField(
        _("unified social credit code"), max_length=18, unique=True,
        validators=[validate_credit_code],
        help_text=_("18 characters, as printed on the business licence (统一社会信用代码)."),
        error_messages={"unique": _("An enterprise with this unified social credit code is "
                                    "already registered. Ask its administrator to let you join.")},
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.ENTERPRISE)
    industry = models.ForeignKey(
        Industry, verbose_name=_("industry section"), on_delete=models.PROTECT,
        related_name="enterprises",
    )
    industry_division = models.CharField(
        _("industry division"), max_length=2, blank=True,
        validators=[RegexValidator(r"^\d{2}$", _("A division is two digits, e.g. 39."))],
        help_text=_("Two-digit division code of GB/T 4754-2017, e.g. 39."),
    )
    size = models.CharField(_("size class"), max_length=10, choices=Size.choices, default=Size.SMALL)
    registered_capital = models.DecimalField(
        _("registered capital (10,000 yuan)"), max_digits=14, decimal_places=2,
        null=True, blank=True, validators=[MinValueValidator(0)],
    )
    founded_on = models.DateField(_("founding date"), null=True, blank=True)
    address = models.CharField(_("address"), max_length=255, blank=True)
    # Facts policy conditions ask about (policies app); empty means "not known yet".
    street = models.CharField(_("street or town (街镇)"), max_length=50, blank=True)
    park = models.CharField(_("industrial park (园区)"), max_length=100, blank=True)
    ownership = models.CharField(_("ownership"), max_length=20, blank=True,
                                 choices=[("state", _("State-owned")), ("private", _("Private")),
                                          ("foreign", _("Foreign-invested")),
                                          ("collective", _("Collective"))])
    OWNERSHIPS = ("state", "private", "foreign", "collective")
    tags = ArrayField(models.CharField(max_length=30), verbose_name=_("tags"), default=list, blank=True)
    qualifications = models.ManyToManyField(
        Qualification, verbose_name=_("qualifications"), blank=True, related_name="enterprises",
    )
    created_at = models.DateTimeField(_("registered at"), auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("enterprise")
        verbose_name_plural = _("enterprises")
        permissions = [
            ("act_for_enterprise", _("Can file and follow matters for one's own enterprise")),
            ("manage_enterprise_members", _("Can approve colleagues who ask to join")),
        ]
        indexes = [
            models.Index(fields=["industry", "industry_division"]),
            # The admin's list in its order (a page of 300,000 without sorting them all).
            models.Index(fields=["name", "id"], name="enterprise_by_name"),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        from django.core.exceptions import ValidationError

        super().clean()
        self.credit_code = (self.credit_code or "").strip().upper()
        if self.industry_division and self.industry_id:
            if not self.industry.covers_division(self.industry_division):
                raise ValidationError({"industry_division": _(
                    "Division %(d)s is not in section %(s)s (divisions %(a)02d–%(b)02d)."
                ) % {"d": self.industry_division, "s": self.industry.section,
                     "a": self.industry.division_from, "b": self.industry.division_to}})


class JoinRequest(models.Model):
    """A person asking to act for an enterprise; its administrator decides."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for approval")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("applicant"), on_delete=models.CASCADE,
        related_name="join_requests",
    )
    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("enterprise"), on_delete=models.CASCADE,
        related_name="join_requests",
    )
    message = models.CharField(_("message to the administrator"), max_length=500, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("decided by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    created_at = models.DateTimeField(_("asked at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("request to join")
        verbose_name_plural = _("requests to join")
        constraints = [
            models.UniqueConstraint(
                fields=["user"], condition=models.Q(status="pending"),
                name="one_pending_join_request_per_user",
            )
        ]

    def __str__(self):
        return f"{self.user} → {self.enterprise}"
