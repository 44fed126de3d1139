"""Verify the ledger's hash chain. Exit 0 when intact, 1 when broken (first broken entry printed).

    manage.py verify_ledger                       # the whole chain
    manage.py verify_ledger --anchor 1234:9f86…   # also compare with a head published earlier
    manage.py verify_ledger --start-seq 5000000   # only from an entry on (its number in the chain)

Entries not chained yet by the sequencer are counted, not checked (ADR 0010); to check them
too, run `manage.py sequence_ledger` first.
"""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from portal.ledger.services import Anchor, ledger_verify


def _anchor(text: str) -> Anchor:
    try:
        return Anchor.parse(text)
    except ValidationError as exc:
        raise CommandError(" ".join(exc.messages)) from exc


class Command(BaseCommand):
    help = "Verify the ledger's hash chain; exit 1 and name the first broken entry if it is broken."

    def add_arguments(self, parser):
        parser.add_argument("--start-seq", type=int, default=None,
                            help="verify from this entry number (position in the chain) on "
                                 "(default: the first entry)")
        parser.add_argument("--batch-size", type=int, default=20_000,
                            help="entries read per query (default 20000)")
        parser.add_argument("--anchor", default=None,
                            help="a head published earlier, ID:HASH, that must still be there")

    def handle(self, *args, start_seq, batch_size, anchor, **options):
        if batch_size < 1:
            raise CommandError(_("--batch-size must be at least 1."))
        result = ledger_verify(start_seq=start_seq, batch_size=batch_size,
                               anchor=_anchor(anchor) if anchor else None)
        self.stdout.write(_("%(count)s entries checked in %(seconds).2f s (%(rate).0f entries/s).")
                          % {"count": result.checked, "seconds": result.seconds,
                             "rate": result.rate})
        if not result.ok:
            details = [result.summary()]
            if result.expected:
                details.append(_("expected: %s") % result.expected)
            if result.found:
                details.append(_("found: %s") % result.found)
            raise CommandError("\n".join(details), returncode=1)
        self.stdout.write(self.style.SUCCESS(result.summary()))
        if result.last_seq:
            self.stdout.write(_("Head to publish: %(id)s:%(hash)s")
                              % {"id": result.last_seq, "hash": result.last_hash})
