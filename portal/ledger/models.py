"""The tamper-evident ledger (Art. 4): append-only, hash-chained; see services.py,
docs/adr/0002-hash-chained-ledger.md and docs/adr/0010-ledger-sequencer.md.

Rows are written only by `services.ledger_append`, unchained (`seq`, `prev_hash`,
`entry_hash` and `hash_format` empty); `services.ledger_sequence` fills those four in, once.
The database itself refuses every other UPDATE and every DELETE (the `append_only` trigger,
installed by this app's migrations); TRUNCATE is refused by the production grants instead
(see ADR 0002 for why not by a trigger).
"""

import pgtrigger
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

# Filled in by the sequencer, together and once; everything else is fixed at insert.
SEQUENCING_FIELDS = ("seq", "prev_hash", "entry_hash", "hash_format")

_REFUSED = ("pgtrigger: Cannot update or delete rows from % table (entries are append-only; "
            "only the sequencer chains an unchained entry, once)")

# The append-only rule, in the database so that it holds whoever writes (ORM, raw SQL, admin):
# refuse every DELETE, and every UPDATE except the sequencer's, which fills the four sequencing
# fields of an unchained row (all NULL) without touching any other column. A chained row is
# never updated again. `to_jsonb(row) - fields` compares every other column, including any
# column added later.
_APPEND_ONLY = f"""
IF TG_OP = 'UPDATE'
   AND OLD.seq IS NULL AND OLD.prev_hash IS NULL AND OLD.entry_hash IS NULL
   AND OLD.hash_format IS NULL
   AND NEW.seq IS NOT NULL AND NEW.prev_hash IS NOT NULL AND NEW.entry_hash IS NOT NULL
   AND NEW.hash_format IS NOT NULL
   AND to_jsonb(NEW) - '{{{",".join(SEQUENCING_FIELDS)}}}'::text[]
       = to_jsonb(OLD) - '{{{",".join(SEQUENCING_FIELDS)}}}'::text[]
THEN
    RETURN NEW;
END IF;
RAISE EXCEPTION '{_REFUSED}', TG_TABLE_NAME;
"""


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
    # The sequencing fields: empty until the sequencer chains the entry (services.py).
    seq = models.BigIntegerField(
        _("position in the chain"), null=True, blank=True, unique=True,
        help_text=_("Empty until the sequencer has chained the entry, usually within seconds."),
    )
    # unique: two entries can never follow the same one, so the chain cannot fork (NULLs,
    # the unchained entries, are not equal to each other).
    prev_hash = models.CharField(_("previous entry hash"), max_length=64, null=True, blank=True,
                                 unique=True)
    entry_hash = models.CharField(_("entry hash"), max_length=64, null=True, blank=True,
                                  unique=True)
    hash_format = models.PositiveSmallIntegerField(
        _("hash format"), null=True, blank=True,
        help_text=_("1: ledger-v1 (entries chained before the sequencer); 2: ledger-v2."),
    )

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
            # The sequencer's queue: small, as it holds only the entries not chained yet.
            models.Index(fields=["id"], condition=Q(seq__isnull=True),
                         name="ledger_unchained_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                name="ledger_chained_all_or_nothing",
                condition=(Q(seq__isnull=True, prev_hash__isnull=True, entry_hash__isnull=True,
                             hash_format__isnull=True)
                           | Q(seq__isnull=False, prev_hash__isnull=False,
                               entry_hash__isnull=False, hash_format__in=[1, 2])),
            ),
        ]
        triggers = [
            pgtrigger.Trigger(
                name="append_only",
                when=pgtrigger.Before,
                operation=pgtrigger.Update | pgtrigger.Delete,
                func=_APPEND_ONLY,
            ),
        ]

    def __str__(self):
        return f"#{self.pk} {self.action} {self.object_type}:{self.object_id}"
