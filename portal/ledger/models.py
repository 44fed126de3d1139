"""The tamper-evident ledger (Art. 4): append-only, hash-chained; see services.py."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class LedgerEntry(models.Model):
    id = models.BigAutoField(primary_key=True)
    created_at = models.DateTimeField(_("recorded at"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("who"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+", db_constraint=False,
    )
    action = models.CharField(_("what"), max_length=100)
    object_type = models.CharField(_("object type"), max_length=100)
    object_id = models.CharField(_("object id"), max_length=64)
    payload_digest = models.CharField(_("payload digest (SHA-256)"), max_length=64)
    prev_hash = models.CharField(_("previous entry hash"), max_length=64)
    entry_hash = models.CharField(_("entry hash"), max_length=64, unique=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        permissions = [("verify_ledger", _("Can verify the ledger's chain"))]

    def __str__(self):
        return f"#{self.pk} {self.action} {self.object_type}:{self.object_id}"
