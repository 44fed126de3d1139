"""The tamper-evident ledger (Art. 4): append-only, hash-chained; see services.py and
docs/adr/0002-hash-chained-ledger.md.

Rows are written only by `services.ledger_append`. The database itself refuses UPDATE and
DELETE (pgtrigger.Protect, installed by this app's migration); TRUNCATE is refused by the
production grants instead (see the ADR for why not by a trigger).
"""

import pgtrigger
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class LedgerEntry(models.Model):
    id = models.BigAutoField(primary_key=True)
    created_at = models.DateTimeField(_("recorded at"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("who"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+", db_constraint=False,
        help_text=_("Empty when the system acted on its own (a scheduled job)."),
    )
    action = models.CharField(_("what"), max_length=100)
    object_type = models.CharField(_("object type"), max_length=100, blank=True, default="")
    object_id = models.CharField(_("object id"), max_length=64, blank=True, default="")
    payload_digest = models.CharField(
        _("payload digest (SHA-256)"), max_length=64,
        help_text=_("SHA-256 of the decision's canonical JSON; the decision itself is kept by "
                    "the app that made it."),
    )
    # unique: two entries can never follow the same one, so the chain cannot fork.
    prev_hash = models.CharField(_("previous entry hash"), max_length=64, unique=True)
    entry_hash = models.CharField(_("entry hash"), max_length=64, unique=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        permissions = [
            ("verify_ledger", _("Can verify the ledger's chain")),
            ("receive_ledger_head", _("Receives the ledger's daily check and head hash")),
        ]
        indexes = [
            models.Index(fields=["action"], name="ledger_action_idx"),
            models.Index(fields=["object_type", "object_id"], name="ledger_object_idx"),
            models.Index(fields=["object_id"], name="ledger_object_id_idx"),
        ]
        triggers = [
            pgtrigger.Protect(
                name="append_only",
                operation=pgtrigger.Update | pgtrigger.Delete,
            ),
        ]

    def __str__(self):
        return f"#{self.pk} {self.action} {self.object_type}:{self.object_id}"
