"""The tamper-evident ledger (Art. 4). Other apps may call:

- `ledger_append(*, actor, action, obj=None, object_type="", object_id="", payload=None)`
  inside their own `transaction.atomic()` block, as the LAST write of the decision it records
  (the chain lock is held until the caller commits);
- `ledger_payload_digest(payload)` to recompute the digest an entry holds;
- `ledger_verify(...)` and `ledger_head()` (auditors, the admin page, `manage.py verify_ledger`);
- `ledger_daily_check()` (the nightly task: verify and send the head to the auditors).

What an entry holds: who (`actor` id), what (`action`, e.g. "complaint.verified"), which object
("app_label.model" + pk), when, and the SHA-256 digest of the decision's payload in canonical
JSON. The payload itself is NOT stored, so nothing personal ends up in an append-only table. The
calling app keeps the same data in its own records (the case event, the reward row, ...), so an
auditor can rebuild the payload, call `ledger_payload_digest` and compare.

Canonical JSON (ledger format v1), so that anyone can recompute a digest in any language:
`json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"),
allow_nan=False)` encoded as UTF-8, where dates are ISO 8601 (`2026-02-14`), aware datetimes
are converted to UTC first (`2026-02-14T01:30:00+00:00`), Decimals and UUIDs are strings, tuples
are lists (as json does); `None` as the payload means `{}`. Anything else (model instances, sets, lazy
translations whose text depends on the language) is refused with a TypeError, because its text
would not be reproducible.

Entry hash (v1): SHA-256 of the UTF-8 of the JSON array
`["ledger-v1", id, created_at as integer microseconds since 1970-01-01T00:00:00Z, actor id or
null, action, object_type, object_id, payload_digest, prev_hash]` serialised with
`ensure_ascii=False` and `separators=(",", ":")`. The first entry's `prev_hash` is 64 zeros.
"""

from __future__ import annotations

import datetime
import decimal
import hashlib
import json
import logging
import time
import uuid
from dataclasses import dataclass, field
from json.encoder import encode_basestring as _q

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .models import LedgerEntry

logger = logging.getLogger(__name__)

GENESIS = "0" * 64
HASH_FORMAT = "ledger-v1"
# pg_advisory_xact_lock key serialising appends (any constant unique to the ledger).
_CHAIN_LOCK_KEY = 0x1ED6E4C4A1  # "ledger chain"
_UTC = datetime.UTC


# --- digests ------------------------------------------------------------------------------

def _canonical_default(value):
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = value.astimezone(_UTC)
        return value.isoformat()
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    raise TypeError(
        f"ledger payloads hold JSON data, dates, Decimals and UUIDs only; got "
        f"{type(value).__name__}"
    )


# One encoder for every digest (json.dumps with these options builds a new one per call).
_CANONICAL = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":"),
                              allow_nan=False, default=_canonical_default)


def _canonical_json(value) -> bytes:
    return _CANONICAL.encode(value).encode("utf-8")


def ledger_payload_digest(payload: dict | None) -> str:
    """Return the SHA-256 hex digest of `payload` in canonical JSON (`None` counts as `{}`)."""
    return hashlib.sha256(_canonical_json({} if payload is None else payload)).hexdigest()


_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=_UTC)
_MICROSECOND = datetime.timedelta(microseconds=1)


def _micros(created_at: datetime.datetime) -> int:
    """Return `created_at` as whole microseconds since 1970-01-01 UTC (the hashed form)."""
    return (created_at - _EPOCH) // _MICROSECOND


def _entry_hash(entry_id: int, created_us: int, actor_id: int | None, action: str,
                object_type: str, object_id: str, payload_digest: str, prev_hash: str) -> str:
    # Byte for byte `json.dumps([HASH_FORMAT, entry_id, created_us, actor_id, action, ...],
    # ensure_ascii=False, separators=(",", ":"))` (a test holds it to that), built by hand
    # with json's own C string escaper because verification runs this millions of times.
    data = (f'["{HASH_FORMAT}",{int(entry_id)},{int(created_us)},'
            f'{"null" if actor_id is None else int(actor_id)},{_q(action)},{_q(object_type)},'
            f'{_q(object_id)},{_q(payload_digest)},{_q(prev_hash)}]')
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


def ledger_entry_hash(entry: LedgerEntry) -> str:
    """Return the hash `entry` must carry, recomputed from its stored fields."""
    return _entry_hash(entry.pk, _micros(entry.created_at), entry.actor_id, entry.action,
                       entry.object_type, entry.object_id, entry.payload_digest, entry.prev_hash)


# --- append -------------------------------------------------------------------------------

def ledger_append(*, actor, action: str, obj=None, object_type: str = "", object_id: str = "",
                  payload: dict | None = None) -> LedgerEntry:
    """Append the entry recording `action` by `actor` on `obj` (or `object_type`/`object_id`).

    Call inside the transaction that makes the decision, as its last write: the entry commits
    or rolls back with the decision, and appends are serialised by a transaction-level advisory
    lock held until the caller commits, which keeps the chain linear. `actor` is a saved user,
    or None for the system.
    """
    if not connection.in_atomic_block:
        raise transaction.TransactionManagementError(
            "ledger_append must be called inside transaction.atomic(): the entry is part of "
            "the decision it records."
        )
    if actor is not None and actor.pk is None:
        raise ValueError("ledger_append: the actor must be a saved user (or None for the system)")
    if obj is not None:
        if obj.pk is None:
            raise ValueError("ledger_append: save the object before recording it")
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
    payload_digest = ledger_payload_digest(payload)  # TypeError before taking the lock

    entry = LedgerEntry(
        actor_id=actor.pk if actor is not None else None, action=action,
        object_type=object_type, object_id=str(object_id), payload_digest=payload_digest,
        prev_hash=GENESIS, entry_hash=GENESIS, created_at=timezone.now(),
    )
    # Validate before locking; uniqueness is the database's job (and the chain's).
    entry.full_clean(exclude=["actor"], validate_unique=False)

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CHAIN_LOCK_KEY])
        # A new statement, so under READ COMMITTED it sees the entry the previous lock holder
        # committed. The id is drawn under the lock too: id order is chain order.
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence('ledger_ledgerentry', 'id')), "
            "(SELECT entry_hash FROM ledger_ledgerentry ORDER BY id DESC LIMIT 1)"
        )
        entry_id, last_hash = cursor.fetchone()
    entry.pk = entry_id
    # Stamped under the lock, so times follow chain order (PostgreSQL keeps microseconds too).
    entry.created_at = timezone.now()
    entry.prev_hash = last_hash or GENESIS
    entry.entry_hash = ledger_entry_hash(entry)
    entry.save(force_insert=True)
    return entry


# --- verification ---------------------------------------------------------------------------

class Problem:
    """Why verification failed (`VerifyResult.reason`)."""

    HASH_MISMATCH = "hash_mismatch"
    BROKEN_LINK = "broken_link"
    ANCHOR_MISSING = "anchor_missing"
    ANCHOR_MISMATCH = "anchor_mismatch"

    labels = {
        HASH_MISMATCH: _("the entry's content does not match its hash (the row was altered)"),
        BROKEN_LINK: _("the entry does not follow the previous entry (an entry before it was "
                       "deleted, inserted or altered)"),
        ANCHOR_MISSING: _("the published head entry is missing (the end of the ledger was "
                          "deleted)"),
        ANCHOR_MISMATCH: _("the published head entry has a different hash (the chain was "
                           "rewritten)"),
    }


@dataclass(frozen=True)
class Anchor:
    """A head (entry id and hash) published outside the database, e.g. to the auditors."""

    entry_id: int
    entry_hash: str

    @classmethod
    def parse(cls, text: str) -> Anchor:
        """Parse "ID:HASH" (as printed by `verify_ledger`); raise ValidationError if malformed."""
        entry_id, _sep, entry_hash = text.strip().partition(":")
        entry_hash = entry_hash.strip().lower()
        if not (entry_id.strip().isdigit() and len(entry_hash) == 64
                and all(c in "0123456789abcdef" for c in entry_hash)):
            raise ValidationError(
                _("A published head is written as the entry number, a colon and the 64-character "
                  "hash, e.g. 1234:9f86d0…"), code="invalid_anchor")
        return cls(int(entry_id), entry_hash)

    def __str__(self):
        return f"{self.entry_id}:{self.entry_hash}"


@dataclass
class VerifyResult:
    ok: bool
    complete: bool  # False when stopped by `max_seconds`; continue from `last_id + 1`
    checked: int
    first_id: int | None = None
    last_id: int | None = None
    last_hash: str = ""  # the hash of the last entry checked; publish it as the head
    broken_id: int | None = None  # the first entry found broken
    reason: str = ""  # a Problem constant
    expected: str = ""  # what was expected at the broken entry (a hash)
    found: str = ""  # what was found there
    seconds: float = 0.0
    anchor: Anchor | None = field(default=None)

    @property
    def rate(self) -> float:
        """Entries checked per second."""
        return self.checked / self.seconds if self.seconds else 0.0

    @property
    def reason_display(self) -> str:
        return str(Problem.labels.get(self.reason, ""))

    def summary(self) -> str:
        """Return one translated sentence saying what an auditor needs to know."""
        if not self.ok:
            return gettext("The ledger is broken at entry #%(id)s: %(reason)s.") % {
                "id": self.broken_id, "reason": self.reason_display}
        if not self.complete:
            return gettext("No problem so far: entries #%(first)s to #%(last)s are intact; "
                           "the rest is not checked yet.") % {
                "first": self.first_id, "last": self.last_id}
        if not self.checked:
            return gettext("The ledger is empty.")
        return gettext("The ledger is intact: %(count)s entries checked, #%(first)s to "
                       "#%(last)s.") % {"count": self.checked, "first": self.first_id,
                                         "last": self.last_id}


def ledger_head() -> Anchor | None:
    """Return the newest entry's id and hash, to publish outside the database (see the ADR)."""
    row = LedgerEntry.objects.order_by("-id").values_list("id", "entry_hash").first()
    return Anchor(*row) if row else None


def _check_anchor(anchor: Anchor) -> tuple[str, str] | None:
    stored = LedgerEntry.objects.filter(pk=anchor.entry_id).values_list(
        "entry_hash", flat=True).first()
    if stored is None:
        return Problem.ANCHOR_MISSING, ""
    if stored != anchor.entry_hash:
        return Problem.ANCHOR_MISMATCH, stored
    return None


def ledger_verify(*, start_id: int | None = None, batch_size: int = 20_000,
                  anchor: Anchor | None = None, max_seconds: float | None = None) -> VerifyResult:
    """Recompute every entry's hash and link from `start_id` (default: the first) to the head.

    Reads in keyset-paginated batches (`id > last ORDER BY id LIMIT batch_size`), so memory
    stays flat and no long transaction or cursor is held on a table of millions. Entries
    appended while verifying are left for the next run. Gaps in ids are not problems: a
    rolled-back append skips an id. A deleted entry is still found, because the next entry's
    `prev_hash` then names a hash no longer present. A deleted TAIL is found only against an
    `anchor` (a head published earlier); so is a chain rewritten consistently from some entry on.
    """
    started = time.perf_counter()
    upto = LedgerEntry.objects.aggregate(m=Max("id"))["m"] or 0
    if start_id is not None and start_id > 1:
        prev_hash = LedgerEntry.objects.filter(pk__lt=start_id).order_by("-id").values_list(
            "entry_hash", flat=True).first() or GENESIS
        after = start_id - 1
    else:
        prev_hash, after = GENESIS, 0
    anchor_problem = _check_anchor(anchor) if anchor else None
    result = VerifyResult(ok=True, complete=True, checked=0, anchor=anchor)
    sql = (
        "SELECT id, created_at, actor_id, action, object_type, object_id, payload_digest, "
        "prev_hash, entry_hash FROM ledger_ledgerentry "
        "WHERE id > %s AND id <= %s ORDER BY id LIMIT %s"
    )
    entry_hash, epoch, micro = _entry_hash, _EPOCH, _MICROSECOND
    checked, last_row = 0, None
    with connection.cursor() as cursor:
        while after < upto:
            cursor.execute(sql, [after, upto, batch_size])
            rows = cursor.fetchall()
            if not rows:
                break
            if result.first_id is None:
                result.first_id = rows[0][0]
            for row in rows:
                if row[7] != prev_hash:
                    result.ok, result.broken_id, result.reason = False, row[0], Problem.BROKEN_LINK
                    result.expected, result.found = prev_hash, row[7]
                    break
                recomputed = entry_hash(row[0], (row[1] - epoch) // micro, *row[2:8])
                if recomputed != row[8]:
                    result.ok, result.broken_id = False, row[0]
                    result.reason = Problem.HASH_MISMATCH
                    result.expected, result.found = recomputed, row[8]
                    break
                prev_hash = row[8]
                checked += 1
                last_row = row
            if not result.ok:
                break
            after = rows[-1][0]
            if (max_seconds is not None and after < upto
                    and time.perf_counter() - started > max_seconds):
                result.complete = False
                break
    if result.ok and anchor_problem:
        result.ok, result.broken_id, result.reason = False, anchor.entry_id, anchor_problem[0]
        result.expected, result.found = anchor.entry_hash, anchor_problem[1]
    result.checked = checked
    if last_row is not None:
        result.last_id, result.last_hash = last_row[0], last_row[8]
    result.seconds = time.perf_counter() - started
    return result


# --- the daily check ------------------------------------------------------------------------

def ledger_head_recipients():
    """Return the active users who receive the daily head (the auditors' permission)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Permission
    from django.db.models import Q

    perm = Permission.objects.get(content_type__app_label="ledger", codename="receive_ledger_head")
    return get_user_model().objects.filter(
        Q(groups__permissions=perm) | Q(user_permissions=perm), is_active=True,
    ).distinct()


def ledger_daily_check(*, day: datetime.date | None = None) -> VerifyResult:
    """Verify the whole chain and send its result and head to the head's recipients.

    The head leaves the database in their inbox and e-mail: kept there, it is the anchor that
    later finds a cut-off tail or a chain rewritten by someone able to disable the triggers.
    Safe to run twice a day: a recipient gets one message per day (`dedup_key`).
    """
    from django.utils.text import format_lazy

    from portal.notifications.services import notify

    day = day or timezone.localdate()
    result = ledger_verify()
    if result.ok:
        subject = format_lazy(_("Ledger check {day}: intact, {count} entries"),
                              day=day.isoformat(), count=result.checked)
        body = format_lazy(
            _("The ledger's chain is intact. Keep this head; a later check against it proves "
              "that nothing before it was removed or rewritten:\n\n{head}\n\n(entry number : "
              "hash, {seconds} s to verify)"),
            head=f"{result.last_id}:{result.last_hash}" if result.last_id else "-",
            seconds=f"{result.seconds:.1f}")
    else:
        logger.error("ledger check %s: broken at entry %s (%s)", day, result.broken_id,
                     result.reason)
        subject = format_lazy(_("Ledger check {day}: BROKEN at entry #{id}"),
                              day=day.isoformat(), id=result.broken_id)
        body = format_lazy(_("The ledger's chain is broken at entry #{id}: {reason}. Open "
                             "“Verify the ledger” in the administration for the details."),
                           id=result.broken_id, reason=Problem.labels[result.reason])
    notify(recipients=ledger_head_recipients(), subject=subject, body=body,
           url="/admin/ledger/ledgerentry/verify/", dedup_key=f"ledger-check:{day.isoformat()}")
    return result
