"""The tamper-evident ledger (Art. 4). Other apps may call:

- `ledger_append(*, actor, action, obj=None, object_type="", object_id="", payload=None)`
  inside their own `transaction.atomic()` block, anywhere in it: the entry commits or rolls
  back with the decision it records. It takes no lock; the entry is stored unchained;
- `ledger_payload_digest(payload)` to recompute the digest an entry holds;
- `ledger_verify(...)`, `ledger_head()` and `ledger_unchained()` (auditors, the admin page,
  `manage.py verify_ledger`);
- `ledger_sequence(...)` (the sequencer: the periodic task, `manage.py sequence_ledger`, tests);
- `ledger_daily_check()` (the nightly task: chain, verify, send the head to the auditors).

What an entry holds: who (`actor` id), what (`action`, e.g. "complaint.verified"), which object
("app_label.model" + pk), when, and the SHA-256 digest of the decision's payload in canonical
JSON. The payload itself is NOT stored, so nothing personal ends up in an append-only table. The
calling app keeps the same data in its own records (the case event, the reward row, ...), so an
auditor can rebuild the payload, call `ledger_payload_digest` and compare.

Canonical JSON, so that anyone can recompute a digest in any language:
`json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"),
allow_nan=False)` encoded as UTF-8, where dates are ISO 8601 (`2026-02-14`), aware datetimes
are converted to UTC first (`2026-02-14T01:30:00+00:00`), Decimals and UUIDs are strings, tuples
are lists (as json does); `None` as the payload means `{}`. Anything else (model instances, sets, lazy
translations whose text depends on the language) is refused with a TypeError, because its text
would not be reproducible.

Sequencing (docs/adr/0010-ledger-sequencer.md). A step's transaction inserts its entry with
the four sequencing fields empty (`seq`, `prev_hash`, `entry_hash`, `hash_format`), so no
district-wide lock sits in any request. The sequencer (`ledger_sequence`, every few seconds
from beat) takes one advisory lock for one short batch transaction, reads the head (the
chained entry with the highest `seq`), takes the committed unchained entries in id order and
gives each the next `seq`, the head's hash as `prev_hash`, and its `entry_hash`. The
database lets an UPDATE do exactly that, once, and refuses every other UPDATE and every DELETE
(models.py). Chain order is `seq` order; ids only name rows (a slow transaction's entry may be
chained after entries with higher ids).

Entry hash, format 2 (`hash_format = 2`, every entry chained by the sequencer): SHA-256 of the
UTF-8 of the JSON array
`["ledger-v2", seq, id, created_at as integer microseconds since 1970-01-01T00:00:00Z, actor id
or null, action, object_type, object_id, payload_digest, prev_hash]` serialised with
`ensure_ascii=False` and `separators=(",", ":")`. The first entry's `prev_hash` is 64 zeros.

Format 1 (`hash_format = 1`, entries chained before the sequencer existed, when each append
chained itself under a lock; their `seq` equals their id): the same without `seq`,
`["ledger-v1", id, created_at µs, actor id or null, action, object_type, object_id,
payload_digest, prev_hash]`. Old entries keep their format and hash for ever.
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
from django.utils import timezone
from django.utils.timesince import timesince
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from .models import LedgerEntry

logger = logging.getLogger(__name__)

GENESIS = "0" * 64
FORMAT_V1, FORMAT_V2 = 1, 2  # `hash_format`; the sequencer writes FORMAT_V2
HASH_FORMATS = {FORMAT_V1: "ledger-v1", FORMAT_V2: "ledger-v2"}  # the tag each hash starts with
# pg_advisory_xact_lock key: one sequencer batch at a time (any constant unique to the ledger).
_SEQUENCER_LOCK_KEY = 0x1ED6E4C4A1  # "ledger chain"
# Entries chained per sequencer transaction: the lock is held for one batch (a few ms).
SEQUENCE_BATCH = 1000
# An entry left unchained longer than this means the sequencer is not running (worker or beat).
SEQUENCER_LATE_AFTER = datetime.timedelta(minutes=5)
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


# Both hashes are byte for byte `json.dumps([tag, ...], ensure_ascii=False,
# separators=(",", ":"))` of the documented array (tests hold them to that), built by hand with
# json's own C string escaper because verification runs this millions of times.

def _entry_hash_v2(seq: int, entry_id: int, created_us: int, actor_id: int | None, action: str,
                   object_type: str, object_id: str, payload_digest: str,
                   prev_hash: str) -> str:
    data = (f'["ledger-v2",{int(seq)},{int(entry_id)},{int(created_us)},'
            f'{"null" if actor_id is None else int(actor_id)},{_q(action)},{_q(object_type)},'
            f'{_q(object_id)},{_q(payload_digest)},{_q(prev_hash)}]')
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


def _entry_hash_v1(entry_id: int, created_us: int, actor_id: int | None, action: str,
                   object_type: str, object_id: str, payload_digest: str, prev_hash: str) -> str:
    data = (f'["ledger-v1",{int(entry_id)},{int(created_us)},'
            f'{"null" if actor_id is None else int(actor_id)},{_q(action)},{_q(object_type)},'
            f'{_q(object_id)},{_q(payload_digest)},{_q(prev_hash)}]')
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


def ledger_entry_hash(entry: LedgerEntry) -> str:
    """Return the hash the chained `entry` must carry, recomputed from its stored fields."""
    if entry.hash_format == FORMAT_V2:
        return _entry_hash_v2(entry.seq, entry.pk, _micros(entry.created_at), entry.actor_id,
                              entry.action, entry.object_type, entry.object_id,
                              entry.payload_digest, entry.prev_hash)
    if entry.hash_format == FORMAT_V1:
        return _entry_hash_v1(entry.pk, _micros(entry.created_at), entry.actor_id, entry.action,
                              entry.object_type, entry.object_id, entry.payload_digest,
                              entry.prev_hash)
    raise ValueError(f"ledger entry {entry.pk} is not chained yet (no hash format)")


# --- append -------------------------------------------------------------------------------

def ledger_append(*, actor, action: str, obj=None, object_type: str = "", object_id: str = "",
                  payload: dict | None = None) -> LedgerEntry:
    """Record `action` by `actor` on `obj` (or `object_type`/`object_id`); return the entry.

    Call inside the transaction that makes the decision: the entry commits or rolls back with
    it. It takes no lock and is stored unchained (`seq` and the hashes empty); the sequencer
    chains it within seconds of the commit. `actor` is a saved user, or None for the system.
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
    entry = LedgerEntry(
        actor_id=actor.pk if actor is not None else None, action=action,
        object_type=object_type, object_id=str(object_id),
        payload_digest=ledger_payload_digest(payload), created_at=timezone.now(),
    )
    # Uniqueness and the check constraint are the database's job (they only concern the
    # sequencing fields, empty here): validating them in Python ran a query per append.
    entry.full_clean(exclude=["actor"], validate_unique=False, validate_constraints=False)
    entry.save(force_insert=True)
    return entry


# --- sequencing -----------------------------------------------------------------------------

_HEAD_SQL = ("SELECT seq, entry_hash FROM ledger_ledgerentry WHERE seq IS NOT NULL "
             "ORDER BY seq DESC LIMIT 1")
_UNCHAINED_SQL = ("SELECT id, created_at, actor_id, action, object_type, object_id, "
                  "payload_digest FROM ledger_ledgerentry WHERE seq IS NULL ORDER BY id LIMIT %s")


def _sequence_batch(*, batch: int, wait: bool) -> int | None:
    """Chain up to `batch` committed unchained entries in one transaction; return how many,
    or None when another sequencer holds the lock (and `wait` is False)."""
    with transaction.atomic(durable=True), connection.cursor() as cursor:
        if wait:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_SEQUENCER_LOCK_KEY])
        else:
            cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [_SEQUENCER_LOCK_KEY])
            if not cursor.fetchone()[0]:
                return None
        # New statements after the lock: under READ COMMITTED they see the head the previous
        # holder committed, and only entries whose transactions have committed. An entry of a
        # transaction still open is invisible here and is chained by a later batch.
        cursor.execute(_HEAD_SQL)
        seq, prev_hash = cursor.fetchone() or (0, GENESIS)
        cursor.execute(_UNCHAINED_SQL, [batch])
        rows = cursor.fetchall()
        if not rows:
            return 0
        values = []
        for entry_id, created_at, *fields in rows:
            seq += 1
            entry_hash = _entry_hash_v2(seq, entry_id, _micros(created_at), *fields, prev_hash)
            values.extend((entry_id, seq, prev_hash, entry_hash))
            prev_hash = entry_hash
        # One statement for the batch; only placeholders are joined into it.
        placeholders = ",".join(["(%s::bigint,%s::bigint,%s,%s)"] * len(rows))
        cursor.execute(
            "UPDATE ledger_ledgerentry AS e SET seq = v.seq, prev_hash = v.prev_hash, "  # noqa: S608
            "entry_hash = v.entry_hash, hash_format = %s "
            f"FROM (VALUES {placeholders}) AS v(id, seq, prev_hash, entry_hash) "
            "WHERE e.id = v.id AND e.seq IS NULL", [FORMAT_V2, *values])
        if cursor.rowcount != len(rows):  # only a sequencer run without the lock could do this
            raise RuntimeError(f"ledger sequencer: chained {cursor.rowcount} of {len(rows)}")
    return len(rows)


def ledger_sequence(*, batch: int = SEQUENCE_BATCH, wait: bool = False,
                    max_seconds: float | None = None) -> int:
    """Chain the committed unchained entries, oldest id first; return how many were chained.

    Each batch of `batch` entries is one short transaction holding the sequencer's advisory
    lock; runs until nothing is left (or `max_seconds` have passed; the next run goes on).
    Safe to run twice or at once: with `wait=False` (the periodic task) a run that finds the
    lock taken returns at once, leaving the work to the run holding it; `wait=True` queues
    for the lock, for callers that need everything committed so far chained (the nightly
    check, tests). Never call it inside another transaction (`durable` refuses it): its
    batches must commit on their own.
    """
    if batch < 1:
        raise ValueError("ledger_sequence: batch must be at least 1")
    started, total = time.perf_counter(), 0
    while True:
        chained = _sequence_batch(batch=batch, wait=wait)
        if not chained:  # None (the lock is taken) or 0 (nothing left)
            break
        total += chained
        if chained < batch or (max_seconds is not None
                               and time.perf_counter() - started > max_seconds):
            break
    if total:
        logger.info("ledger: chained %s entries in %.3f s", total, time.perf_counter() - started)
    return total


def ledger_unchained() -> tuple[int, datetime.datetime | None]:
    """Return how many entries wait for the sequencer, and when the oldest was recorded."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*), min(created_at) FROM ledger_ledgerentry "
                       "WHERE seq IS NULL")
        count, oldest = cursor.fetchone()
    return count, oldest


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
    """A head (position in the chain and hash) published outside the database, e.g. to the
    auditors. For entries chained before the sequencer (format 1) the position is their id."""

    seq: int
    entry_hash: str

    @classmethod
    def parse(cls, text: str) -> Anchor:
        """Parse "SEQ:HASH" (as printed by `verify_ledger`); raise ValidationError if malformed."""
        seq, _sep, entry_hash = text.strip().partition(":")
        entry_hash = entry_hash.strip().lower()
        if not (seq.strip().isdigit() and len(entry_hash) == 64
                and all(c in "0123456789abcdef" for c in entry_hash)):
            raise ValidationError(
                _("A published head is written as the entry number, a colon and the 64-character "
                  "hash, e.g. 1234:9f86d0…"), code="invalid_anchor")
        return cls(int(seq), entry_hash)

    def __str__(self):
        return f"{self.seq}:{self.entry_hash}"


def _age_text(age: datetime.timedelta) -> str:
    seconds = max(int(age.total_seconds()), 0)
    if seconds < 60:
        return ngettext("%(count)d second", "%(count)d seconds", seconds) % {"count": seconds}
    return timesince(timezone.now() - age)


def _sequencer_late(oldest_at: datetime.datetime | None) -> bool:
    return oldest_at is not None and timezone.now() - oldest_at > SEQUENCER_LATE_AFTER


def ledger_unchained_summary(count: int, oldest_at: datetime.datetime | None) -> str:
    """Return one translated sentence about the entries not chained yet ("" if none), with a
    warning when the oldest has waited longer than the sequencer ever should."""
    if not count:
        return ""
    text = ngettext(
        "%(count)s entry is not chained yet (recorded %(age)s ago): it is not checked "
        "until the sequencer has chained it.",
        "%(count)s entries are not chained yet (the oldest recorded %(age)s ago): they "
        "are not checked until the sequencer has chained them.",
        count) % {"count": count, "age": _age_text(timezone.now() - oldest_at)}
    if _sequencer_late(oldest_at):
        text += " " + gettext("The sequencer seems to be stopped: check that the Celery "
                              "worker and beat are running, or run manage.py sequence_ledger.")
    return text


@dataclass
class VerifyResult:
    """What `ledger_verify` found. Entry numbers (`*_seq`) are positions in the chain."""

    ok: bool
    complete: bool  # False when stopped by `max_seconds`; continue from `last_seq + 1`
    checked: int
    first_seq: int | None = None
    last_seq: int | None = None
    last_hash: str = ""  # the hash of the last entry checked; publish it as the head
    broken_seq: int | None = None  # the first entry found broken
    broken_pk: int | None = None  # its row (None when the published head's entry is missing)
    reason: str = ""  # a Problem constant
    expected: str = ""  # what was expected at the broken entry (a hash)
    found: str = ""  # what was found there
    seconds: float = 0.0
    anchor: Anchor | None = field(default=None)
    # Entries stored but not chained yet when verification started: not checked, not problems.
    unchained: int = 0
    oldest_unchained_at: datetime.datetime | None = None

    @property
    def rate(self) -> float:
        """Entries checked per second."""
        return self.checked / self.seconds if self.seconds else 0.0

    @property
    def reason_display(self) -> str:
        return str(Problem.labels.get(self.reason, ""))

    @property
    def sequencer_late(self) -> bool:
        """True when an entry has waited for the sequencer longer than it ever should."""
        return _sequencer_late(self.oldest_unchained_at)

    def unchained_summary(self) -> str:
        return ledger_unchained_summary(self.unchained, self.oldest_unchained_at)

    def summary(self) -> str:
        """Return translated sentences saying what an auditor needs to know."""
        if not self.ok:
            return gettext("The ledger is broken at entry #%(id)s: %(reason)s.") % {
                "id": self.broken_seq, "reason": self.reason_display}
        if not self.complete:
            text = gettext("No problem so far: entries #%(first)s to #%(last)s are intact; "
                           "the rest is not checked yet.") % {
                "first": self.first_seq, "last": self.last_seq}
        elif not self.checked:
            text = (gettext("No entry is chained yet.") if self.unchained
                    else gettext("The ledger is empty."))
        else:
            text = gettext("The ledger is intact: %(count)s entries checked, #%(first)s to "
                           "#%(last)s.") % {"count": self.checked, "first": self.first_seq,
                                             "last": self.last_seq}
        unchained = self.unchained_summary()
        return f"{text} {unchained}" if unchained else text


def ledger_head() -> Anchor | None:
    """Return the last chained entry's position and hash, to publish outside the database."""
    row = LedgerEntry.objects.filter(seq__isnull=False).order_by("-seq").values_list(
        "seq", "entry_hash").first()
    return Anchor(*row) if row else None


def _check_anchor(anchor: Anchor) -> tuple[str, str, int | None] | None:
    stored = LedgerEntry.objects.filter(seq=anchor.seq).values_list("entry_hash", "pk").first()
    if stored is None:
        return Problem.ANCHOR_MISSING, "", None
    if stored[0] != anchor.entry_hash:
        return Problem.ANCHOR_MISMATCH, stored[0], stored[1]
    return None


def ledger_verify(*, start_seq: int | None = None, batch_size: int = 20_000,
                  anchor: Anchor | None = None, max_seconds: float | None = None) -> VerifyResult:
    """Recompute every chained entry's hash and link, in chain order from `start_seq`
    (default: the first) to the head.

    Reads in keyset-paginated batches (`seq > last ORDER BY seq LIMIT batch_size`), so memory
    stays flat and no long transaction or cursor is held on a table of millions. Entries
    chained while verifying are left for the next run. Entries not chained yet are counted
    (`unchained`, `oldest_unchained_at`), never checked nor reported as problems: nothing links
    to them yet. Gaps in positions are not problems (format-1 entries are numbered by id, and a
    rolled-back append skipped an id). A deleted entry is still found, because the next entry's
    `prev_hash` then names a hash no longer present. A deleted TAIL is found only against an
    `anchor` (a head published earlier); so is a chain rewritten consistently from some entry on.
    """
    started = time.perf_counter()
    with connection.cursor() as cursor:
        # One statement, one snapshot: every entry is either up to the head or unchained.
        cursor.execute("SELECT (SELECT max(seq) FROM ledger_ledgerentry), count(*), "
                       "min(created_at) FROM ledger_ledgerentry WHERE seq IS NULL")
        upto, unchained, oldest_unchained = cursor.fetchone()
    upto = upto or 0
    if start_seq is not None and start_seq > 1:
        prev_hash = LedgerEntry.objects.filter(seq__lt=start_seq).order_by("-seq").values_list(
            "entry_hash", flat=True).first() or GENESIS
        after = start_seq - 1
    else:
        prev_hash, after = GENESIS, 0
    anchor_problem = _check_anchor(anchor) if anchor else None
    result = VerifyResult(ok=True, complete=True, checked=0, anchor=anchor, unchained=unchained,
                          oldest_unchained_at=oldest_unchained)
    sql = (
        "SELECT seq, id, hash_format, created_at, actor_id, action, object_type, object_id, "
        "payload_digest, prev_hash, entry_hash FROM ledger_ledgerentry "
        "WHERE seq > %s AND seq <= %s ORDER BY seq LIMIT %s"
    )
    hash_v1, hash_v2, epoch, micro = _entry_hash_v1, _entry_hash_v2, _EPOCH, _MICROSECOND
    checked, last_row = 0, None
    with connection.cursor() as cursor:
        while after < upto:
            cursor.execute(sql, [after, upto, batch_size])
            rows = cursor.fetchall()
            if not rows:
                break
            if result.first_seq is None:
                result.first_seq = rows[0][0]
            for row in rows:
                if row[9] != prev_hash:
                    result.ok, result.reason = False, Problem.BROKEN_LINK
                    result.broken_seq, result.broken_pk = row[0], row[1]
                    result.expected, result.found = prev_hash, row[9]
                    break
                created_us = (row[3] - epoch) // micro
                if row[2] == FORMAT_V2:
                    recomputed = hash_v2(row[0], row[1], created_us, *row[4:10])
                elif row[2] == FORMAT_V1:
                    recomputed = hash_v1(row[1], created_us, *row[4:10])
                else:  # the check constraint allows no other format
                    recomputed = ""
                if recomputed != row[10]:
                    result.ok, result.reason = False, Problem.HASH_MISMATCH
                    result.broken_seq, result.broken_pk = row[0], row[1]
                    result.expected, result.found = recomputed, row[10]
                    break
                prev_hash = row[10]
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
        result.ok, result.broken_seq, result.reason = False, anchor.seq, anchor_problem[0]
        result.broken_pk = anchor_problem[2]
        result.expected, result.found = anchor.entry_hash, anchor_problem[1]
    result.checked = checked
    if last_row is not None:
        result.last_seq, result.last_hash = last_row[0], last_row[10]
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
    """Chain what is committed, verify the whole chain and send the result and the head to the
    head's recipients.

    The head leaves the database in their inbox and e-mail: kept there, it is the anchor that
    later finds a cut-off tail or a chain rewritten by someone able to disable the triggers.
    Safe to run twice a day: a recipient gets one message per day (`dedup_key`).
    """
    from django.utils.text import format_lazy

    from portal.notifications.services import notify

    day = day or timezone.localdate()
    try:
        ledger_sequence(wait=True)
    except Exception:  # still verify and report; entries left unchained are reported below
        logger.exception("ledger check %s: the sequencer failed", day)
    result = ledger_verify()
    if result.ok:
        subject = format_lazy(_("Ledger check {day}: intact, {count} entries"),
                              day=day.isoformat(), count=result.checked)
        body = format_lazy(
            _("The ledger's chain is intact. Keep this head; a later check against it proves "
              "that nothing before it was removed or rewritten:\n\n{head}\n\n(entry number : "
              "hash, {seconds} s to verify)"),
            head=f"{result.last_seq}:{result.last_hash}" if result.last_seq else "-",
            seconds=f"{result.seconds:.1f}")
    else:
        logger.error("ledger check %s: broken at entry %s (%s)", day, result.broken_seq,
                     result.reason)
        subject = format_lazy(_("Ledger check {day}: BROKEN at entry #{id}"),
                              day=day.isoformat(), id=result.broken_seq)
        body = format_lazy(_("The ledger's chain is broken at entry #{id}: {reason}. Open "
                             "“Verify the ledger” in the administration for the details."),
                           id=result.broken_seq, reason=Problem.labels[result.reason])
    if result.sequencer_late:
        logger.error("ledger check %s: %s entries not chained, the oldest from %s", day,
                     result.unchained, result.oldest_unchained_at)
        body = format_lazy("{body}\n\n{late}", body=body, late=format_lazy(
            _("Entries not chained yet: {count}, the oldest recorded at {oldest} (UTC). The "
              "sequencer seems to be stopped: check that the Celery worker and beat are "
              "running."),
            count=result.unchained,
            oldest=result.oldest_unchained_at.astimezone(_UTC).strftime("%Y-%m-%d %H:%M")))
    notify(recipients=ledger_head_recipients(), subject=subject, body=body,
           url="/admin/ledger/ledgerentry/verify/", dedup_key=f"ledger-check:{day.isoformat()}")
    return result
