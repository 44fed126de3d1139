"""Complaints and reports (投诉举报): the detail of the engine's case, and the sealed reporter.

The person who reported lives only in `Reporter` (and their notices in `ReporterNotice`): the
case, its events, files, ledger entries and notifications never name them (ADR 0005, "Sealed
parties"; ADR 0011). Only the complaint desk (`cases.view_sealed_identity`) reads these tables,
or someone whose identity request a different supervisor approved, for a limited time.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .constants import (
    Finding,
    IdentityRequestStatus,
    Misconduct,
    PublicationKind,
    PublicationStatus,
    Triage,
)


class Complaint(models.Model):
    """A report of conduct that harms the business environment (Art. 7 ¶1).

    Its title, facts, misconduct type (the case's subtype), status and clocks are the case's.
    """

    case = models.OneToOneField("cases.Case", verbose_name=_("case"), primary_key=True,
                                on_delete=models.PROTECT, related_name="complaint")
    accused_unit = models.ForeignKey("orgs.Unit", verbose_name=_("unit complained about"),
                                     on_delete=models.PROTECT, related_name="complaints_against")
    official_name = models.CharField(_("official complained about"), max_length=100, blank=True)
    occurred_on = models.DateField(_("when it happened"), null=True, blank=True)
    place = models.CharField(_("where it happened"), max_length=200, blank=True)
    # Filed under the reporter's name (signed in); only named reports can be rewarded.
    named = models.BooleanField(_("named report"), default=False)
    triage = models.CharField(_("triage"), max_length=20, choices=Triage.choices,
                              default=Triage.PENDING)
    triage_reason = models.TextField(_("reason of the triage decision"), blank=True)
    triaged_at = models.DateTimeField(_("triaged at"), null=True, blank=True)
    # The earliest report of the same matter: it keeps precedence (and any reward).
    duplicate_of = models.ForeignKey("self", verbose_name=_("duplicate of"), null=True,
                                     blank=True, on_delete=models.PROTECT,
                                     related_name="duplicates")
    # A report of retaliation links the closed report whose reporter suffered it.
    retaliation_for = models.ForeignKey("self", verbose_name=_("retaliation for reporting"),
                                        null=True, blank=True, on_delete=models.PROTECT,
                                        related_name="retaliations")
    finding = models.CharField(_("finding"), max_length=20, choices=Finding.choices, blank=True)
    finding_reasoning = models.TextField(_("reasoning of the finding"), blank=True)
    found_at = models.DateTimeField(_("finding recorded at"), null=True, blank=True)
    created_at = models.DateTimeField(_("filed at"), default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("complaint or report")
        verbose_name_plural = _("complaints and reports")
        permissions = [
            ("triage_complaint", _("Can triage and assign complaints and reports")),
            ("decide_identity_request",
             _("Can approve or refuse requests to see who reported")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(finding="") | ~Q(finding_reasoning=""),
                name="complaint_finding_has_reasoning"),
            models.CheckConstraint(
                condition=Q(duplicate_of__isnull=True) | ~Q(duplicate_of=F("case")),
                name="complaint_not_duplicate_of_itself"),
        ]

    def __str__(self):
        return self.case.reference

    @property
    def reference(self) -> str:
        return self.case.reference

    @property
    def misconduct(self) -> str:
        return self.case.subtype

    def get_misconduct_display(self) -> str:
        try:
            return str(Misconduct(self.case.subtype).label)
        except ValueError:
            return self.case.subtype


class Reporter(models.Model):
    """Who reported (sealed). Named: the account and the details given; anonymous: only the
    slow hash of the receipt code (Django's password hasher), never the code itself."""

    complaint = models.OneToOneField(Complaint, verbose_name=_("report"), primary_key=True,
                                     on_delete=models.PROTECT, related_name="reporter")
    # No reverse accessor: nothing reached from a user leads to their reports.
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("account"), null=True,
                             blank=True, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("name"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    enterprise_name = models.CharField(_("enterprise"), max_length=200, blank=True)
    credit_code = models.CharField(_("unified social credit code"), max_length=18, blank=True)
    receipt_hash = models.CharField(_("receipt code (hashed)"), max_length=256, blank=True,
                                    editable=False)

    class Meta:
        verbose_name = _("reporter (sealed)")
        verbose_name_plural = _("reporters (sealed)")
        constraints = [
            models.CheckConstraint(condition=Q(user__isnull=False) | ~Q(receipt_hash=""),
                                   name="reporter_named_or_receipt"),
        ]

    def __str__(self):
        return str(_("Reporter of %(ref)s") % {"ref": self.complaint_id})


class ReporterNotice(models.Model):
    """What the reporter was told (sealed): read on the follow-up page by receipt code, or on
    "My reports" by a named reporter. Stored in every language, as told."""

    complaint = models.ForeignKey(Complaint, verbose_name=_("report"), on_delete=models.PROTECT,
                                  related_name="notices")
    subject = models.JSONField(_("subject"), default=dict)
    body = models.TextField(_("text"), blank=True)
    created_at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notice to the reporter")
        verbose_name_plural = _("notices to the reporter")

    def __str__(self):
        return self.subject_text

    @property
    def subject_text(self) -> str:
        from django.utils.translation import get_language

        lang = (get_language() or "zh-hans").lower()
        return self.subject.get(lang) or self.subject.get("zh-hans") or ""


class IdentityRequest(models.Model):
    """Someone outside the desk asks to know who reported, with a reason; a supervisor who is
    not the asker decides; an approval shows the identity to the asker alone, until expiry."""

    complaint = models.ForeignKey(Complaint, verbose_name=_("report"), on_delete=models.PROTECT,
                                  related_name="identity_requests")
    asker = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("asked by"),
                              on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(_("why the identity is needed"))
    status = models.CharField(_("status"), max_length=10, choices=IdentityRequestStatus.choices,
                              default=IdentityRequestStatus.PENDING)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("decided by"),
                                   null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    decision_reason = models.TextField(_("reason of the decision"), blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("identity visible until"), null=True, blank=True)
    created_at = models.DateTimeField(_("asked at"), default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("identity request")
        verbose_name_plural = _("identity requests")
        constraints = [
            models.CheckConstraint(condition=Q(decided_by__isnull=True)
                                   | ~Q(decided_by=F("asker")),
                                   name="identity_request_not_decided_by_asker"),
        ]

    def __str__(self):
        return str(_("Identity request %(pk)s on %(ref)s")
                   % {"pk": self.pk, "ref": self.complaint_id})

    def is_open_to(self, user, *, now=None) -> bool:
        now = now or timezone.now()
        return (self.status == IdentityRequestStatus.APPROVED and self.asker_id == user.pk
                and self.expires_at is not None and now < self.expires_at)


class IdentityViewing(models.Model):
    """Each time an approved asker looked at the identity (kept, and on the ledger)."""

    request = models.ForeignKey(IdentityRequest, verbose_name=_("identity request"),
                                on_delete=models.PROTECT, related_name="viewings")
    viewed_at = models.DateTimeField(_("viewed at"), default=timezone.now)

    class Meta:
        ordering = ["-viewed_at"]
        verbose_name = _("viewing of an identity")
        verbose_name_plural = _("viewings of identities")

    def __str__(self):
        return f"{self.request_id} @ {self.viewed_at:%Y-%m-%d %H:%M}"


class PublishedCase(models.Model):
    """A de-identified case the department publishes (Art. 6(2)): a negative one from a verified
    finding, or an excellent one; drafted by one person, approved by another before it shows."""

    kind = models.CharField(_("kind"), max_length=10, choices=PublicationKind.choices)
    complaint = models.ForeignKey(Complaint, verbose_name=_("from the report"), null=True,
                                  blank=True, on_delete=models.PROTECT,
                                  related_name="publications")
    unit = models.ForeignKey("orgs.Unit", verbose_name=_("unit"), on_delete=models.PROTECT,
                             related_name="published_cases")
    misconduct = models.CharField(_("misconduct"), max_length=20, choices=Misconduct.choices,
                                  blank=True)
    year = models.PositiveSmallIntegerField(_("year"))
    title = models.CharField(_("title (Simplified Chinese)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=300)
    text = models.TextField(_("text (Simplified Chinese)"), max_length=5000)
    text_en = models.TextField(_("text (English)"), max_length=8000)
    status = models.CharField(_("status"), max_length=10, choices=PublicationStatus.choices,
                              default=PublicationStatus.DRAFT)
    drafted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("drafted by"),
                                   on_delete=models.PROTECT, related_name="+")
    drafted_at = models.DateTimeField(_("drafted at"), default=timezone.now)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("approved by"),
                                    null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    class Meta:
        ordering = ["-published_at", "-id"]
        verbose_name = _("published case")
        verbose_name_plural = _("published cases")
        permissions = [("publish_case", _("Can draft and approve published cases"))]
        constraints = [
            models.CheckConstraint(condition=Q(approved_by__isnull=True)
                                   | ~Q(approved_by=F("drafted_by")),
                                   name="published_case_approved_by_another"),
        ]
        indexes = [models.Index(fields=["status", "year", "kind"], name="published_case_filter")]

    def __str__(self):
        return self.title

    @property
    def display_title(self) -> str:
        from portal.orgs.models import pick_language

        return pick_language(self.title, "", self.title_en)

    @property
    def display_text(self) -> str:
        from portal.orgs.models import pick_language

        return pick_language(self.text, "", self.text_en)
