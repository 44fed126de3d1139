"""The case engine (appeals, complaints, assignments, opinions): one `Case` table for all kinds.

Other apps add their own detail table with a one-to-one to `Case` (see
docs/adr/0005-case-engine.md). Rows change only through `portal.cases.services`; the
timeline (`CaseEvent`) is append-only, enforced by a database trigger.
"""

import os
import uuid

import pgtrigger
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.core.cache import caches
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from portal.core.models import ChoiceLabelsMixin
from portal.orgs.models import pick_language

from .constants import (
    HANDLING_STATUSES,
    OPEN_STATUSES,
    Action,
    ReminderMark,
    Stage,
    Status,
    SupervisionSource,
    SupervisionStatus,
)
from .kinds import (
    GOVERNMENT,
    Audience,
    Side,
    kind_choices,
    kind_spec,
    subtype_choices,
    supervision_source_choices,
)


class AudienceField(models.PositiveSmallIntegerField):
    """Who may see a row: a bit mask of kinds.Audience. Filter with `audience__sees=mask`."""


@AudienceField.register_lookup
class Sees(models.Lookup):
    """`audience__sees=mask`: the row is seen by at least one of the audiences in `mask`."""

    lookup_name = "sees"

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"({lhs} & {rhs}) <> 0", [*lhs_params, *rhs_params]


class Category(models.Model):
    """A topic of appeals (税费, 用地, 融资, ...), edited by the department; one level of children."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name_zh_hans = models.CharField(_("name (Simplified Chinese)"), max_length=100)
    name_zh_hant = models.CharField(_("name (Traditional Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=200)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent category"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="children",
    )
    position = models.PositiveSmallIntegerField(_("position in lists"), default=0)
    is_active = models.BooleanField(
        _("active"), default=True,
        help_text=_("Inactive categories stay on old cases but cannot be chosen for new ones."),
    )

    class Meta:
        ordering = ["position", "code"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self):
        return self.name

    @property
    def name(self) -> str:
        return pick_language(self.name_zh_hans, self.name_zh_hant, self.name_en)

    def clean(self):
        super().clean()
        if self.parent_id and (self.parent_id == self.pk or self.parent.parent_id):
            raise ValidationError({"parent": _(
                "Categories have one level of sub-categories: choose a top-level parent."
            )})


# The department's configuration (engine settings, deadline rules), read on every step, is kept
# in each process's memory this long; a save in the admin drops it at once in that process.
CONFIG_MEMO_SECONDS = 10
SETTINGS_MEMO_KEY = "cases:engine-settings"
DEADLINE_RULES_MEMO_KEY = "cases:deadline-rules"
DEPARTMENT_MEMO_KEY = "cases:department-staff"  # services._steps.department_staff
REFERENCE_MEMO_PREFIX = "cases:ref:"  # selectors.with_reference_rows: a category, a unit


class DeadlineRule(models.Model):
    """How many working days a stage may take; the most specific matching rule wins.

    A rule naming a category beats one naming its parent, which beats one naming none; among
    those, one naming the appeal type beats one for any type.
    """

    kind = models.CharField(_("kind of case"), max_length=20, choices=kind_choices)
    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices,
                             default=Stage.HANDLING)
    subtype = models.CharField(_("type"), max_length=20, choices=subtype_choices,
                               blank=True, help_text=_("Leave empty for any type."))
    category = models.ForeignKey(
        Category, verbose_name=_("category"), null=True, blank=True, on_delete=models.CASCADE,
        related_name="deadline_rules", help_text=_("Leave empty for any category."),
    )
    working_days = models.PositiveSmallIntegerField(
        _("working days"), validators=[MinValueValidator(1), MaxValueValidator(250)],
    )

    class Meta:
        ordering = ["kind", "stage", "subtype", "category__code"]
        verbose_name = _("deadline rule")
        verbose_name_plural = _("deadline rules")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "stage", "subtype", "category"], nulls_distinct=False,
                name="deadline_rule_unique",
                violation_error_message=_("A rule for this kind, stage, type and category "
                                          "already exists; change that one instead."),
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} / {self.get_stage_display()}: {self.working_days}"


class EngineSettings(models.Model):
    """The department's knobs for the engine: one row (pk=1), defaults from DESIGN §9."""

    early_reminder_percent = models.PositiveSmallIntegerField(
        _("early reminder at this percentage of the time used"), default=80,
        validators=[MinValueValidator(1), MaxValueValidator(99)],
    )
    late_reminder_multiple = models.PositiveSmallIntegerField(
        _("late reminder at this multiple of the time"), default=3,
        validators=[MinValueValidator(2), MaxValueValidator(10)],
    )
    auto_close_after_working_days = models.PositiveSmallIntegerField(
        _("close answered cases not rated within (working days)"), default=5,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
    )
    returns_before_supervision = models.PositiveSmallIntegerField(
        _("open a supervision item after this many returns"), default=2,
        validators=[MinValueValidator(1), MaxValueValidator(20)],
    )
    supervision_working_days = models.PositiveSmallIntegerField(
        _("deadline of an automatic supervision item (working days)"), default=5,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
    )
    due_soon_working_days = models.PositiveSmallIntegerField(
        _("“due soon” means due within (working days)"), default=2,
        validators=[MinValueValidator(0), MaxValueValidator(30)],
    )
    attachment_max_bytes = models.PositiveIntegerField(
        _("largest attachment (bytes)"), default=10 * 1024 * 1024,
        validators=[MinValueValidator(1024), MaxValueValidator(100 * 1024 * 1024)],
    )
    attachment_max_count = models.PositiveSmallIntegerField(
        _("most attachments in one upload"), default=10,
        validators=[MinValueValidator(1), MaxValueValidator(50)],
    )

    class Meta:
        verbose_name = _("case engine settings")
        verbose_name_plural = _("case engine settings")
        constraints = [models.CheckConstraint(condition=models.Q(pk=1), name="engine_settings_singleton")]

    def __str__(self):
        return str(_("Case engine settings"))

    @classmethod
    def load(cls) -> "EngineSettings":
        """The settings, kept in this process's memory for a few seconds (CONFIG_MEMO_SECONDS)
        and dropped when saved here (signals below); another process sees a change within
        those seconds. Every step and form reads them: one query less on each."""
        return caches["fragments"].get_or_set(
            SETTINGS_MEMO_KEY, lambda: cls.objects.get_or_create(pk=1)[0], CONFIG_MEMO_SECONDS)


class CaseCounter(models.Model):
    """The last reference number handed out per year; see services.reference_allocate."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("reference counter")
        verbose_name_plural = _("reference counters")

    def __str__(self):
        return f"{self.year}: {self.last}"


class Case(ChoiceLabelsMixin, models.Model):
    id = models.BigAutoField(primary_key=True)
    kind = models.CharField(_("kind of case"), max_length=20, choices=kind_choices)
    reference = models.CharField(_("reference number"), max_length=20, unique=True,
                                 editable=False)
    # The kind's own classification (an appeal's type, a report's misconduct type ...).
    subtype = models.CharField(_("type"), max_length=20, choices=subtype_choices, blank=True)
    category = models.ForeignKey(
        Category, verbose_name=_("category"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="cases",
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), max_length=5000)
    submitter = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("submitted by"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="submitted_cases",
    )
    enterprise = models.ForeignKey(
        "orgs.Enterprise", verbose_name=_("enterprise"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="cases",
    )
    responsible_unit = models.ForeignKey(
        "orgs.Unit", verbose_name=_("responsible unit"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="cases",
    )
    # A part of a case assigned to several units (交办): a case of its own, one unit's share,
    # with its own clock, reminders, answer, rating, redo and supervision (services/parts.py).
    parent = models.ForeignKey(
        "self", verbose_name=_("part of"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="parts",
    )
    # The unit the appeal is about: it can never be made responsible for it.
    subject_unit = models.ForeignKey(
        "orgs.Unit", verbose_name=_("unit the appeal is about"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="cases_about",
    )
    status = models.CharField(_("status"), max_length=24, choices=Status.choices,
                              default=Status.SUBMITTED)

    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    assigned_at = models.DateTimeField(_("assigned at"), null=True, blank=True)
    signed_for_at = models.DateTimeField(_("signed for at"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    acceptance_due_date = models.DateField(_("acceptance due by"), null=True, blank=True)
    due_date = models.DateField(_("answer due by"), null=True, blank=True)
    extension_requested_until = models.DateField(_("extension requested until"), null=True,
                                                 blank=True)
    info_requested_at = models.DateTimeField(_("information requested at"), null=True,
                                             blank=True)

    # The running clock of the current stage (see deadlines.py): the scan reads only these.
    clock_started_on = models.DateField(_("clock started on"), null=True, blank=True)
    clock_due_on = models.DateField(_("clock due on"), null=True, blank=True)
    clock_cycle = models.PositiveIntegerField(_("clock cycle"), default=0)
    next_reminder_at = models.DateTimeField(_("next reminder at"), null=True, blank=True)

    satisfaction = models.PositiveSmallIntegerField(
        _("satisfaction (1–5)"), null=True, blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    satisfaction_comment = models.TextField(_("comment on the answer"), blank=True)
    rated_at = models.DateTimeField(_("rated at"), null=True, blank=True)
    return_count = models.PositiveSmallIntegerField(_("times returned"), default=0)
    reopen_count = models.PositiveSmallIntegerField(_("times reopened for redo"), default=0)
    unhappy_count = models.PositiveSmallIntegerField(_("unhappy ratings"), default=0)
    is_supervised = models.BooleanField(_("under supervision (督办)"), default=False)
    # How many files the case's steps carry (services.attachments_save): a timeline with none
    # reads no attachments (selectors.case_timeline_for), as most first views of a case.
    attachment_count = models.PositiveIntegerField(_("attachments"), default=0, db_default=0,
                                                   editable=False)

    # jieba keywords of title and description (pain points) and tokens for search.
    keywords = ArrayField(models.CharField(max_length=30), verbose_name=_("keywords"),
                          default=list, blank=True, editable=False)
    search_vector = SearchVectorField(null=True, editable=False)
    # The one-time key of the form the case was filed from (services.case_open): a second post
    # of the same form finds this case instead of opening another. Unique where set.
    submission_key = models.CharField(max_length=32, null=True, blank=True, editable=False)
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)

    class Meta:
        ordering = ["-submitted_at", "-id"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        permissions = [
            ("view_pain_points", _("Can read the pain-point analysis of appeals")),
            ("view_sealed_identity", _("Works at the complaint desk: sees who reported")),
        ]
        indexes = [
            models.Index(fields=["responsible_unit", "status", "due_date"], name="case_unit_queue"),
            models.Index(fields=["responsible_unit", "due_date"], name="case_unit_by_due"),
            models.Index(fields=["enterprise", "-submitted_at"], name="case_enterprise_recent"),
            models.Index(fields=["submitter", "-submitted_at"], name="case_submitter_recent"),
            models.Index(fields=["status", "-submitted_at"], name="case_status_recent"),
            models.Index(fields=["-submitted_at", "-id"], name="case_recent"),
            models.Index(fields=["category", "submitted_at"], name="case_category_period"),
            # The admin queue's default (open cases; those with no answer deadline yet, i.e.
            # waiting to be accepted or signed for, first; then earliest due): ~1.4 % of rows.
            models.Index(models.F("due_date").asc(nulls_first=True),
                         models.F("submitted_at").desc(), models.F("id").desc(),
                         name="case_open_by_due",
                         condition=models.Q(status__in=sorted(OPEN_STATUSES))),
            models.Index(fields=["next_reminder_at"], name="case_next_reminder",
                         condition=models.Q(next_reminder_at__isnull=False)),
            models.Index(fields=["answered_at"], name="case_awaiting_rating",
                         condition=models.Q(status="answered")),
            GinIndex(fields=["search_vector"], name="case_search"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(satisfaction__isnull=True)
                | models.Q(satisfaction__gte=1, satisfaction__lte=5),
                name="case_satisfaction_1_to_5",
            ),
            models.CheckConstraint(
                condition=models.Q(responsible_unit__isnull=True)
                | models.Q(subject_unit__isnull=True)
                | ~models.Q(responsible_unit=models.F("subject_unit")),
                name="case_subject_unit_never_responsible",
            ),
            models.UniqueConstraint(fields=["submission_key"], name="case_submission_key_unique",
                                    condition=models.Q(submission_key__isnull=False)),
        ]

    def __str__(self):
        return f"{self.reference} {self.title}"

    def clean(self):
        super().clean()
        errors = {}
        try:
            spec = kind_spec(self.kind)
        except LookupError:
            raise ValidationError({"kind": _("Choose a kind of case.")}) from None
        if spec.category_required and not self.category_id:
            errors["category"] = spec.message("category_required") or _("Choose a category.")
        if spec.subtype_required and not self.subtype:
            errors["subtype"] = spec.message("subtype_required") or _("Choose a type.")
        elif self.subtype and (spec.subtypes is None or self.subtype not in spec.subtypes.values):
            errors["subtype"] = _("Choose a type from the list.")
        if spec.enterprise_required and not self.enterprise_id:
            errors["enterprise"] = (spec.message("enterprise_required")
                                    or _("Choose the enterprise this is filed for."))
        if self.category_id and not self.pk and not self.category.is_active:
            errors["category"] = _("This category is no longer in use; choose another one.")
        if (self.subject_unit_id and self.responsible_unit_id
                and self.subject_unit_id == self.responsible_unit_id):
            errors["responsible_unit"] = _("The unit a case is about can never handle it.")
        if errors:
            raise ValidationError(errors)

    @property
    def spec(self):
        """The declaration of this case's kind (kinds.KindSpec)."""
        return kind_spec(self.kind)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_overdue(self) -> bool:
        """True while the unit's clock runs past the due date (not while waiting for info)."""
        return (self.status in HANDLING_STATUSES and self.due_date is not None
                and timezone.localdate() > self.due_date)


class CaseEvent(ChoiceLabelsMixin, models.Model):
    """One step on a case's timeline. Append-only: the database refuses updates and deletes."""

    id = models.BigAutoField(primary_key=True)
    case = models.ForeignKey(Case, verbose_name=_("case"), on_delete=models.PROTECT,
                             related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    # As what the actor took the step, and for which unit, as it was then: a timeline never
    # recomputes these from the actor's current unit (who may have moved since).
    actor_side = models.CharField(_("as"), max_length=12, choices=Side.choices,
                                  default=Side.SYSTEM)
    actor_unit = models.ForeignKey(
        "orgs.Unit", verbose_name=_("for unit"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    # The unit's name in each language when the step was taken ({"zh-hans": ..., "en": ...}).
    actor_unit_names = models.JSONField(_("unit name then"), default=dict, blank=True)
    action = models.CharField(_("action"), max_length=24, choices=Action.choices)
    note = models.TextField(_("note"), blank=True)
    audience = AudienceField(_("seen by"), default=int(GOVERNMENT))
    from_status = models.CharField(_("from status"), max_length=24, choices=Status.choices,
                                   blank=True)
    to_status = models.CharField(_("to status"), max_length=24, choices=Status.choices,
                                 blank=True)
    created_at = models.DateTimeField(_("at"), default=timezone.now)
    # Details of the step: reason code, units, old and new due dates, score ...
    extra = models.JSONField(_("details"), default=dict, blank=True, encoder=DjangoJSONEncoder)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("case event")
        verbose_name_plural = _("case events")
        indexes = [models.Index(fields=["case", "created_at"], name="case_event_timeline")]
        triggers = [
            pgtrigger.Protect(name="case_event_append_only",
                              operation=pgtrigger.Update | pgtrigger.Delete),
        ]

    def __str__(self):
        return f"{self.case_id} {self.action} {self.created_at:%Y-%m-%d %H:%M}"

    @cached_property
    def files(self) -> list:
        """The step's attachments its reader may see, as selectors.case_timeline_for reads
        them (its prefetch sets this); none for a step read otherwise, or of a case with no
        file. A cached_property: Django's prefetch fills it, a plain attribute it would skip."""
        return []

    @property
    def seen_by_submitter(self) -> bool:
        return bool(self.audience & Audience.SUBMITTER)

    @property
    def actor_unit_name(self) -> str:
        """The actor's unit as it was called when the step was taken, in the reader's language."""
        names = self.actor_unit_names or {}
        return pick_language(names.get("zh-hans", ""), names.get("zh-hant", ""), names.get("en", ""))

    @property
    def unit_name(self) -> str:
        """The unit the step named, as it was called then, in the reader's language."""
        extra = self.extra or {}
        return pick_language(extra.get("unit_name", ""), extra.get("unit_name_zh_hant", ""),
                             extra.get("unit_name_en", ""))


def _attachment_path(instance, filename):
    # Never the uploaded name: a random one with the extension of the detected content.
    ext = os.path.splitext(filename)[1].lower()
    return timezone.localtime().strftime(f"cases/%Y/%m/{uuid.uuid4().hex}{ext}")


class Attachment(models.Model):
    """A file on a case, checked by its content (see attachments.py), never by its name."""

    case = models.ForeignKey(Case, verbose_name=_("case"), on_delete=models.PROTECT,
                             related_name="attachments")
    # The step it came with; the submitter sees it only when they see that step.
    event = models.ForeignKey(CaseEvent, verbose_name=_("step"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="attachments")
    file = models.FileField(_("file"), upload_to=_attachment_path, max_length=255)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    # Empty for a sealed submitter's files: the person is kept only by the kind.
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    audience = AudienceField(_("seen by"), default=int(GOVERNMENT))
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self):
        return self.original_name

    @property
    def seen_by_submitter(self) -> bool:
        return bool(self.audience & Audience.SUBMITTER)


class CaseReminder(models.Model):
    """A reminder mark reached on one clock cycle of a case: the row makes it happen once."""

    case = models.ForeignKey(Case, verbose_name=_("case"), on_delete=models.CASCADE,
                             related_name="reminders")
    cycle = models.PositiveIntegerField(_("clock cycle"))
    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices)
    mark = models.CharField(_("mark"), max_length=10, choices=ReminderMark.choices)
    due_on = models.DateField(_("due date at the time"))
    # Passed over without a message because a later mark had also been reached already.
    skipped = models.BooleanField(_("skipped"), default=False)
    created_at = models.DateTimeField(_("sent at"), default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("deadline reminder")
        verbose_name_plural = _("deadline reminders")
        constraints = [
            models.UniqueConstraint(fields=["case", "cycle", "mark"], name="case_reminder_once"),
        ]

    def __str__(self):
        return f"{self.case_id} #{self.cycle} {self.mark}"


class SupervisionItem(models.Model):
    """督办: the department follows up a late, bounced or unsatisfying case or a pain point."""

    # The engine's sources and those its kinds declare (KindSpec.supervision_sources).
    source = models.CharField(_("reason"), max_length=20, choices=supervision_source_choices)
    status = models.CharField(_("status"), max_length=10, choices=SupervisionStatus.choices,
                              default=SupervisionStatus.OPEN)
    case = models.ForeignKey(Case, verbose_name=_("case"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="supervision_items")
    # A pain point: the appeals of one category and topic in a period.
    cases = models.ManyToManyField(Case, verbose_name=_("grouped cases"), blank=True,
                                   related_name="grouped_supervision_items")
    category = models.ForeignKey(Category, verbose_name=_("category"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="supervision_items")
    topic = models.CharField(_("topic"), max_length=50, blank=True)
    period_start = models.DateField(_("period from"), null=True, blank=True)
    period_end = models.DateField(_("period to"), null=True, blank=True)
    unit = models.ForeignKey("orgs.Unit", verbose_name=_("responsible unit"), null=True,
                             blank=True, on_delete=models.PROTECT,
                             related_name="supervision_items")
    target = models.TextField(_("target"), blank=True,
                              help_text=_("What must be achieved, e.g. an optimisation target."))
    due_date = models.DateField(_("due by"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("opened by"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    created_at = models.DateTimeField(_("opened at"), default=timezone.now)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("closed by"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closing_note = models.TextField(_("outcome"), blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("supervision item")
        verbose_name_plural = _("supervision items")
        permissions = [
            ("manage_supervision", _("Can open and close supervision items (督办)")),
        ]
        indexes = [
            models.Index(fields=["status", "due_date"], name="supervision_open_due"),
            models.Index(fields=["unit", "status"], name="supervision_unit"),
        ]
        constraints = [
            # An automatic source opens at most one item per case.
            models.UniqueConstraint(
                fields=["case", "source"], name="supervision_once_per_case_and_source",
                condition=models.Q(case__isnull=False) & ~models.Q(source="manual"),
            ),
            models.UniqueConstraint(
                fields=["category", "topic", "period_start", "period_end"],
                name="supervision_once_per_pain_point", nulls_distinct=False,
                condition=models.Q(source="pain_point"),
            ),
        ]

    def __str__(self):
        return f"{self.get_source_display()} {self.case or self.topic or self.category}"

    @property
    def is_overdue(self) -> bool:
        return self.status == SupervisionStatus.OPEN and timezone.localdate() > self.due_date

    @property
    def target_display(self) -> str:
        """The target written by the department, or the standing one of an automatic item."""
        if self.target:
            return self.target
        return str({
            SupervisionSource.OVERDUE: _("Answer the overdue case and explain the delay."),
            SupervisionSource.RETURNED: _("Find the responsible unit and stop the case "
                                          "going back and forth."),
            SupervisionSource.UNHAPPY: _("Resolve what the enterprise is still unhappy about."),
        }.get(self.source, ""))


class ReplyTemplate(models.Model):
    """A reusable answer text for officials; a unit's own, or shared when no unit is set."""

    unit = models.ForeignKey("orgs.Unit", verbose_name=_("unit"), null=True, blank=True,
                             on_delete=models.CASCADE, related_name="reply_templates",
                             help_text=_("Leave empty to share it with every unit."))
    title = models.CharField(_("title"), max_length=100)
    body = models.TextField(_("text"), max_length=5000)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["title"]
        verbose_name = _("reply template")
        verbose_name_plural = _("reply templates")

    def __str__(self):
        return self.title


def _forget_config(sender, **kwargs):
    caches["fragments"].delete_many([SETTINGS_MEMO_KEY, DEADLINE_RULES_MEMO_KEY])


for _model in (EngineSettings, DeadlineRule):
    post_save.connect(_forget_config, sender=_model, dispatch_uid=f"forget-config-{_model.__name__}")
    post_delete.connect(_forget_config, sender=_model,
                        dispatch_uid=f"forget-config-{_model.__name__}")


def reference_memo_key(model, pk) -> str:
    """The fragments-cache key of a reference row a case page prints (a category, a unit),
    kept by selectors.with_reference_rows."""
    return f"{REFERENCE_MEMO_PREFIX}{model._meta.label_lower}:{pk}"


def _forget_reference(sender, instance, **kwargs):
    caches["fragments"].delete(reference_memo_key(sender, instance.pk))


for _label in ("cases.Category", "orgs.Unit"):
    post_save.connect(_forget_reference, sender=_label, dispatch_uid=f"forget-ref-{_label}")
    post_delete.connect(_forget_reference, sender=_label, dispatch_uid=f"forget-ref-{_label}")


def _forget_department(sender, **kwargs):
    caches["fragments"].delete(DEPARTMENT_MEMO_KEY)


# Whatever may change who holds a permission: a person (active or not, deleted), a role, the
# roles a person holds, a role's or a person's permissions (by label: models of other apps).
for _label in ("accounts.User", "auth.Group"):
    post_save.connect(_forget_department, sender=_label, dispatch_uid=f"forget-dept-{_label}")
    post_delete.connect(_forget_department, sender=_label, dispatch_uid=f"forget-dept-{_label}")
for _label in ("accounts.User_groups", "accounts.User_user_permissions", "auth.Group_permissions"):
    m2m_changed.connect(_forget_department, sender=_label, dispatch_uid=f"forget-dept-{_label}")
