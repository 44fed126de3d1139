"""People. A user acts for at most one enterprise or one unit; roles are groups of permissions."""

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.utils.translation import gettext_lazy as _


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra):
        if not email:
            raise ValueError("An e-mail address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra.update(is_staff=True, is_superuser=True)
        return self._create_user(email, password, **extra)


class User(AbstractUser):
    username = None
    first_name = None
    last_name = None
    email = models.EmailField(
        _("e-mail address"), unique=True,
        error_messages={"unique": _("A user with this e-mail address already exists.")},
    )
    full_name = models.CharField(_("full name"), max_length=100, blank=True)
    phone = models.CharField(_("mobile phone"), max_length=30, blank=True)
    enterprise = models.ForeignKey(
        "orgs.Enterprise", verbose_name=_("enterprise"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="members",
    )
    unit = models.ForeignKey(
        "orgs.Unit", verbose_name=_("unit"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="officials",
    )
    email_notifications = models.BooleanField(
        _("also send notifications by e-mail"), default=True,
        help_text=_("Every notification is kept in the inbox; this adds an e-mail copy."),
    )
    language = models.CharField(_("preferred language"), max_length=10, blank=True)
    # Moved on whenever what the user may do may have changed (their roles, their own
    # permissions, a role's permissions: accounts/signals.py). Their permission set is kept
    # under it (backends.PortalBackend), so the row read on every request says whether it holds.
    permissions_version = models.PositiveIntegerField(default=0, db_default=0, editable=False)

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(enterprise__isnull=True) | models.Q(unit__isnull=True),
                name="user_enterprise_or_unit_not_both",
            )
        ]
        # Cross-cutting permissions whose apps own no model of their own yet.
        permissions = [
            ("act_as_observer", _("Can submit findings and rate answers as an observer")),
            ("read_deidentified_data", _("Can read de-identified data for evaluation")),
        ]

    def __str__(self):
        return self.full_name or self.email

    def get_full_name(self):
        return self.full_name or self.email

    def get_short_name(self):
        return self.full_name or self.email.split("@")[0]
