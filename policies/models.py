"""Models of policies: the library (policy, clauses, versions, guide), eligibility conditions,
test cases, the match table of the precise push, and what enterprises declare or mark.

The condition tree is a JSON document checked by `policies.conditions.validate_tree`; see
docs/adr/0013-policies-eligibility.md for its shape and three-valued meaning.
"""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Topic(models.Model):
    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        ordering = ["code"]
        verbose_name = _("topic")
        verbose_name_plural = _("topics")

    def __str__(self):
        return self.name


class PolicyStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_FORCE = "in_force", _("In force")
    EXPIRED = "expired", _("Expired")
    REPEALED = "repealed", _("Repealed")
    SUPERSEDED = "superseded", _("Superseded")


class Outcome(models.TextChoices):
    ELIGIBLE = "eligible", _("Eligible")
    NOT_ELIGIBLE = "not_eligible", _("Not eligible")
    UNKNOWN = "unknown", _("Not yet known")


class Policy(models.Model):
    Status = PolicyStatus

    title = models.CharField(_("title"), max_length=200)
    document_number = models.CharField(_("document number (文号)"), max_length=100, blank=True)
    unit = models.ForeignKey("orgs.Unit", verbose_name=_("issuing unit"),
                             on_delete=models.PROTECT, related_name="policies")
    summary = models.TextField(_("summary"), blank=True)
    issued_on = models.DateField(_("issued on"), default=timezone.localdate)
    effective_on = models.DateField(_("in force from"), null=True, blank=True,
                                    help_text=_("Leave empty: the day it is issued."))
    expires_on = models.DateField(
        _("in force until"), null=True, blank=True,
        help_text=_("Leave empty: three years after it is issued (Art. 10)."))
    status = models.CharField(_("status"), max_length=12, choices=PolicyStatus.choices,
                              default=PolicyStatus.DRAFT)
    superseded_by = models.ForeignKey("self", verbose_name=_("superseded by"), null=True,
                                      blank=True, on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField(_("version"), default=0)
    topics = models.ManyToManyField(Topic, verbose_name=_("topics"), blank=True,
                                    related_name="policies")
    industries = models.ManyToManyField(
        "orgs.Industry", verbose_name=_("industries"), blank=True, related_name="+",
        help_text=_("For the library's filter; eligibility is in the conditions."))
    conditions = models.JSONField(
        _("eligibility conditions"), default=dict, blank=True,
        help_text=_("A tree of conditions; leave empty for a policy open to every enterprise."))
    granted_without_application = models.BooleanField(
        _("granted without applying (免申即享)"), default=False,
        help_text=_("The unit confirms a proposed list of eligible enterprises, which receive "
                    "the benefit without applying."))
    search_tokens = SearchVectorField(null=True, editable=False)
    expiry_alerts_sent = ArrayField(models.PositiveSmallIntegerField(), default=list,
                                    blank=True, editable=False)
    guide_reminders_sent = models.PositiveSmallIntegerField(default=0, editable=False)
    apply_reminder_sent = models.BooleanField(default=False, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-issued_on", "-id"]
        verbose_name = _("policy")
        verbose_name_plural = _("policies")
        permissions = [("publish_policy", _("Can publish the policies of one's own unit"))]
        indexes = [GinIndex(fields=["search_tokens"], name="policy_search")]

    def __str__(self):
        return f"{self.title} ({self.document_number})" if self.document_number else self.title

    @property
    def starts_on(self):
        return self.effective_on or self.issued_on

    @property
    def ends_on(self):
        from .conditions import years_before

        return self.expires_on or years_before(self.issued_on, -3)

    def is_in_force(self, today=None) -> bool:
        today = today or timezone.localdate()
        return (self.status == PolicyStatus.IN_FORCE and self.starts_on <= today
                and self.ends_on >= today)


class PolicyClause(models.Model):
    policy = models.ForeignKey(Policy, on_delete=models.CASCADE, related_name="clauses")
    number = models.CharField(_("clause"), max_length=20)
    text = models.TextField(_("text"))

    class Meta:
        ordering = ["policy", "id"]
        verbose_name = _("clause")
        verbose_name_plural = _("clauses")
        constraints = [models.UniqueConstraint(fields=["policy", "number"],
                                               name="policy_clause_number_once")]

    def __str__(self):
        return self.number


class PolicyAttachment(models.Model):
    policy = models.ForeignKey(Policy, on_delete=models.CASCADE, related_name="attachments")
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(_("file"), upload_to="policies/%Y/")

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self):
        return self.title


class Guide(models.Model):
    """Interpretation (解读) and application guide, one per policy, with fixed fields."""

    policy = models.OneToOneField(Policy, on_delete=models.CASCADE, related_name="guide")
    who_benefits = models.TextField(_("who benefits"))
    conditions = models.TextField(_("conditions"))
    amount = models.TextField(_("amount"), blank=True)
    how_to_apply = models.TextField(_("how and where to apply"))
    deadline = models.CharField(_("deadline"), max_length=200, blank=True)
    apply_by = models.DateField(
        _("last day to apply"), null=True, blank=True,
        help_text=_("Eligible enterprises that have not applied are reminded 7 days before."))
    contact = models.CharField(_("contact"), max_length=200)

    class Meta:
        verbose_name = _("interpretation and guide")
        verbose_name_plural = _("interpretations and guides")

    def __str__(self):
        return str(self.policy)


class PolicyVersion(models.Model):
    """One publication of a policy: what was published, by whom, and the push it started."""

    policy = models.ForeignKey(Policy, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    conditions = models.JSONField(_("eligibility conditions"), default=dict)
    published_at = models.DateTimeField(_("published at"), default=timezone.now)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True,
                                     on_delete=models.PROTECT, related_name="+")
    matched = models.PositiveIntegerField(_("enterprises matched"), default=0)

    class Meta:
        ordering = ["policy", "-number"]
        verbose_name = _("policy version")
        verbose_name_plural = _("policy versions")
        constraints = [models.UniqueConstraint(fields=["policy", "number"],
                                               name="policy_version_once")]

    def __str__(self):
        return f"{self.policy} v{self.number}"


class PolicyTestCase(models.Model):
    """An enterprise profile and the outcome the conditions must give for it."""

    policy = models.ForeignKey(Policy, on_delete=models.CASCADE, related_name="test_cases")
    name = models.CharField(_("name"), max_length=100)
    profile = models.JSONField(
        _("enterprise profile"), default=dict,
        help_text=_('Facts of an imagined enterprise, e.g. {"industry_section": "C", '
                    '"size": "small", "qualifications": ["high_tech"]}.'))
    expected = models.CharField(_("expected outcome"), max_length=12, choices=Outcome.choices)

    class Meta:
        verbose_name = _("test case")
        verbose_name_plural = _("test cases")

    def __str__(self):
        return self.name


class PolicyMatch(models.Model):
    """One enterprise the push of one version reached; the row makes its notice happen once."""

    version = models.ForeignKey(PolicyVersion, on_delete=models.CASCADE, related_name="matches")
    enterprise = models.ForeignKey("orgs.Enterprise", on_delete=models.CASCADE,
                                   related_name="+")
    outcome = models.CharField(max_length=12, choices=Outcome.choices)
    missing = ArrayField(models.CharField(max_length=120), default=list, blank=True)
    notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("match")
        verbose_name_plural = _("matches")
        constraints = [models.UniqueConstraint(fields=["version", "enterprise"],
                                               name="policy_match_once")]
        indexes = [models.Index(fields=["version", "id"], condition=models.Q(
            notified_at__isnull=True), name="policy_match_to_notify")]

    def __str__(self):
        return f"{self.version_id}/{self.enterprise_id}: {self.outcome}"


class Declaration(models.Model):
    """A fact an enterprise stated for eligibility: a free-text condition met or not, or a
    qualification it does not hold ("qualification:<code>")."""

    enterprise = models.ForeignKey("orgs.Enterprise", on_delete=models.CASCADE,
                                   related_name="+")
    key = models.CharField(max_length=120)
    value = models.BooleanField()
    declared_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True,
                                    on_delete=models.SET_NULL, related_name="+")
    declared_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["enterprise", "key"],
                                               name="policy_declaration_once")]

    def __str__(self):
        return f"{self.key}={self.value}"


class Certificate(models.Model):
    """The certificate an enterprise supplied with a qualification."""

    enterprise = models.ForeignKey("orgs.Enterprise", on_delete=models.CASCADE,
                                   related_name="+")
    qualification = models.ForeignKey("orgs.Qualification", on_delete=models.PROTECT,
                                      related_name="+")
    file = models.FileField(_("certificate"), upload_to="certificates/%Y/")
    uploaded_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return str(self.qualification_id)


class TopicSubscription(models.Model):
    enterprise = models.ForeignKey("orgs.Enterprise", on_delete=models.CASCADE,
                                   related_name="+")
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["enterprise", "topic"],
                                               name="topic_subscription_once")]

    def __str__(self):
        return f"{self.enterprise_id}/{self.topic_id}"


class NotRelevant(models.Model):
    enterprise = models.ForeignKey("orgs.Enterprise", on_delete=models.CASCADE,
                                   related_name="+")
    policy = models.ForeignKey(Policy, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["enterprise", "policy"],
                                               name="not_relevant_once")]

    def __str__(self):
        return f"{self.enterprise_id}/{self.policy_id}"


class Grant(models.Model):
    """免申即享: an enterprise proposed for a benefit granted without applying; the unit confirms
    it (the enterprise is told it received the benefit) or removes it with a reason."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        CONFIRMED = "confirmed", _("Granted")
        REMOVED = "removed", _("Removed")

    version = models.ForeignKey(PolicyVersion, verbose_name=_("policy version"),
                                on_delete=models.CASCADE, related_name="grants")
    enterprise = models.ForeignKey("orgs.Enterprise", verbose_name=_("enterprise"),
                                   on_delete=models.CASCADE, related_name="+")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices,
                              default=Status.PROPOSED)
    reason = models.CharField(_("reason for removal"), max_length=300, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("benefit granted without applying")
        verbose_name_plural = _("benefits granted without applying")
        constraints = [models.UniqueConstraint(fields=["version", "enterprise"],
                                               name="policy_grant_once")]

    def __str__(self):
        return f"{self.version} → {self.enterprise}"


class Uptake(models.Model):
    """An application for a policy or a benefit granted, recorded or imported by the unit."""

    class Kind(models.TextChoices):
        APPLIED = "applied", _("Applied")
        GRANTED = "granted", _("Granted")

    policy = models.ForeignKey(Policy, verbose_name=_("policy"), on_delete=models.CASCADE,
                               related_name="uptakes")
    enterprise = models.ForeignKey("orgs.Enterprise", verbose_name=_("enterprise"),
                                   on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    on = models.DateField(_("date"))
    amount = models.DecimalField(_("amount (yuan)"), max_digits=14, decimal_places=2,
                                 null=True, blank=True)

    class Meta:
        verbose_name = _("uptake")
        verbose_name_plural = _("uptake")
        constraints = [models.UniqueConstraint(fields=["policy", "enterprise", "kind"],
                                               name="policy_uptake_once")]

    def __str__(self):
        return f"{self.policy_id}/{self.enterprise_id}: {self.kind}"

