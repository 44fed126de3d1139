"""Commitments (履约): what the government promised, clause by clause, and the evidence it kept
its word. Writes go through services.py; reads through selectors.py."""

import os
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .constants import Answer, Cause, ClauseStatus, CommitmentKind


class Commitment(models.Model):
    """An agreement with an enterprise, a support policy or a public service commitment."""

    kind = models.CharField(_("kind"), max_length=20, choices=CommitmentKind.choices)
    title = models.CharField(_("title"), max_length=200)
    document_number = models.CharField(
        _("document number (文号)"),
        max_length=100,
        blank=True,
        help_text=_("The agreement's number or the support policy's document number, as printed."),
    )
    # A support policy's commitment rests on a policy of the library (the text above stays as
    # printed: a policy not in the library, e.g. a province's, is named by it alone). Never a
    # draft: its page is not public. PROTECT: a promise on record keeps what it rested on.
    policy = models.ForeignKey(
        "policies.Policy",
        verbose_name=_("policy"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="commitments",
        limit_choices_to=~Q(status="draft"),
        help_text=_(
            "The support policy in the policy library this commitment carries out, if "
            "it is there; otherwise give its document number above."
        ),
    )
    unit = models.ForeignKey(
        "orgs.Unit",
        verbose_name=_("responsible unit"),
        on_delete=models.PROTECT,
        related_name="commitments",
    )
    enterprise = models.ForeignKey(
        "orgs.Enterprise",
        verbose_name=_("enterprise party"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="commitments",
        help_text=_(
            "The enterprise the agreement is made with. Leave empty for a public "
            "service commitment or a support policy open to every enterprise."
        ),
    )
    summary = models.TextField(_("summary"), blank=True)
    signed_on = models.DateField(_("signed or issued on"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        # The list page and API are read a page at a time, newest first (keyset).
        indexes = [models.Index(fields=["-created_at", "-id"], name="commitment_newest")]
        verbose_name = _("commitment")
        verbose_name_plural = _("commitments")
        permissions = [
            ("record_fulfilment", _("Can record the fulfilment of one's own unit's commitments")),
        ]
        constraints = [
            # An agreement is made with one enterprise; a public service commitment with nobody.
            models.CheckConstraint(
                condition=~Q(kind=CommitmentKind.AGREEMENT) | Q(enterprise__isnull=False),
                name="commitment_agreement_has_enterprise",
                violation_error_message=_("An agreement names the enterprise it is made with."),
            ),
            models.CheckConstraint(
                condition=~Q(kind=CommitmentKind.PUBLIC_SERVICE) | Q(enterprise__isnull=True),
                name="commitment_public_service_has_no_enterprise",
                violation_error_message=_(
                    "A public service commitment is made to every "
                    "enterprise: leave the enterprise empty."
                ),
            ),
            models.CheckConstraint(
                condition=Q(kind=CommitmentKind.SUPPORT_POLICY) | Q(policy__isnull=True),
                name="commitment_policy_only_for_support_policy",
                violation_error_message=_("Only a support policy commitment names a policy."),
            ),
        ]

    def __str__(self):
        return f"{self.document_number} {self.title}".strip()


class Clause(models.Model):
    """One promised item (承诺事项) with its due date. It is the detail table of its supervision
    case (kind "commitment"), opened the first time the clause goes to supervision."""

    commitment = models.ForeignKey(
        Commitment, verbose_name=_("commitment"), on_delete=models.CASCADE, related_name="clauses"
    )
    number = models.PositiveSmallIntegerField(_("number"), default=1)
    text = models.TextField(_("what was promised (承诺事项)"))
    due_date = models.DateField(_("due by"))
    # The due date moved past holidays to the first working day (portal.workdays), stored when
    # the clause is saved so the rate page can count in SQL; empty means the due date itself.
    falls_due_on = models.DateField(_("falls due on"), null=True, blank=True, editable=False)
    status = models.CharField(
        _("status"), max_length=20, choices=ClauseStatus.choices, default=ClauseStatus.PENDING
    )
    fulfilled_on = models.DateField(_("fulfilled on"), null=True, blank=True)
    case = models.OneToOneField(
        "cases.Case",
        verbose_name=_("supervision case"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="commitment_clause",
    )

    class Meta:
        ordering = ["commitment_id", "number", "id"]
        verbose_name = _("clause")
        verbose_name_plural = _("clauses")
        constraints = [
            models.UniqueConstraint(
                fields=["commitment", "number"],
                name="clause_number_once_per_commitment",
                violation_error_message=_("Each clause needs its own number."),
            ),
        ]
        indexes = [
            # The handled-clauses API: one status, soonest due first.
            models.Index(fields=["status", "due_date"], name="clause_status_due"),
            # The overdue scan: pending clauses past the day they fall due (due_date where
            # falls_due_on was never stored). Partial: kept clauses, most of them in time, are
            # not in it.
            models.Index(
                fields=["falls_due_on", "due_date"],
                condition=Q(status=ClauseStatus.PENDING),
                name="clause_pending_falls_due",
            ),
        ]

    def __str__(self):
        return f"{self.commitment.title} · {self.number}"


class Fulfilment(models.Model):
    """Evidence that a clause was kept, recorded by an official of the responsible unit, and
    the enterprise's answer to it. Rows are appended; only the answer is filled in later."""

    clause = models.ForeignKey(
        Clause, verbose_name=_("clause"), on_delete=models.CASCADE, related_name="fulfilments"
    )
    note = models.TextField(_("what was done"))
    fulfilled_on = models.DateField(_("fulfilled on"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    answer = models.CharField(
        _("enterprise's answer"), max_length=10, choices=Answer.choices, blank=True
    )
    answer_reason = models.TextField(_("reason"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("answered by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    class Meta:
        ordering = ["-recorded_at", "-id"]
        verbose_name = _("fulfilment")
        verbose_name_plural = _("fulfilments")
        constraints = [
            models.CheckConstraint(
                condition=~Q(answer=Answer.DISPUTED) | ~Q(answer_reason=""),
                name="fulfilment_dispute_has_reason",
            ),
        ]

    def __str__(self):
        return f"{self.clause} · {self.fulfilled_on}"


class PublicDispute(models.Model):
    """An enterprise's dispute of a fulfilment of a commitment made to every enterprise (no
    enterprise party): at most one per enterprise and fulfilment. The clause counts as disputed
    (and goes to supervision) only once enough distinct enterprises dispute the same fulfilment
    (settings.COMMITMENTS_PUBLIC_DISPUTES_TO_DISPUTE; docs/adr/0014)."""

    fulfilment = models.ForeignKey(
        Fulfilment,
        verbose_name=_("fulfilment"),
        on_delete=models.CASCADE,
        related_name="public_disputes",
    )
    enterprise = models.ForeignKey(
        "orgs.Enterprise", verbose_name=_("enterprise"), on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(_("reason"))
    disputed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("disputed by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    disputed_at = models.DateTimeField(_("disputed at"), default=timezone.now)

    class Meta:
        ordering = ["disputed_at", "id"]
        verbose_name = _("dispute of a public commitment")
        verbose_name_plural = _("disputes of public commitments")
        constraints = [
            models.UniqueConstraint(
                fields=["fulfilment", "enterprise"], name="public_dispute_once_per_enterprise"
            ),
            models.CheckConstraint(condition=~Q(reason=""), name="public_dispute_has_reason"),
        ]

    def __str__(self):
        return f"{self.fulfilment} · {self.enterprise}"


def _evidence_path(instance, filename):
    # Never the uploaded name: a random one with the extension of the detected content.
    ext = os.path.splitext(filename)[1].lower()
    return timezone.localtime().strftime(f"commitments/%Y/%m/{uuid.uuid4().hex}{ext}")


class EvidenceFile(models.Model):
    """A file of a fulfilment, checked by its content (portal/cases/attachments.py)."""

    fulfilment = models.ForeignKey(
        Fulfilment, verbose_name=_("fulfilment"), on_delete=models.CASCADE, related_name="files"
    )
    file = models.FileField(_("file"), upload_to=_evidence_path, max_length=255)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(max_length=64)

    class Meta:
        ordering = ["id"]
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")

    def __str__(self):
        return self.original_name


class ClauseSupervision(models.Model):
    """That a clause went to supervision (督办) for a cause: at most one row per clause and
    cause, written in the transaction that opens the engine's item."""

    clause = models.ForeignKey(
        Clause, verbose_name=_("clause"), on_delete=models.CASCADE, related_name="supervisions"
    )
    cause = models.CharField(_("cause"), max_length=10, choices=Cause.choices)
    item = models.OneToOneField(
        "cases.SupervisionItem",
        verbose_name=_("supervision item"),
        on_delete=models.PROTECT,
        related_name="commitment_cause",
    )
    created_at = models.DateTimeField(_("opened at"), default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("clause supervision")
        verbose_name_plural = _("clause supervisions")
        constraints = [
            models.UniqueConstraint(
                fields=["clause", "cause"], name="clause_supervised_once_per_cause"
            ),
        ]

    def __str__(self):
        return f"{self.clause} · {self.get_cause_display()}"
