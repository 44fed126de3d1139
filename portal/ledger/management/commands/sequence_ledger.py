"""Chain the ledger entries waiting for the sequencer, now (what the periodic task does).

    manage.py sequence_ledger

For when the Celery worker or beat has been stopped, before a verification that must include
every committed entry, or after a restore. Safe while the periodic task runs: it waits for the
sequencer's lock and chains whatever is left (ADR 0010).
"""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from portal.ledger.services import ledger_sequence, ledger_unchained


class Command(BaseCommand):
    help = "Chain the ledger entries that wait for the sequencer."

    def handle(self, *args, **options):
        chained = ledger_sequence(wait=True)
        left, _oldest = ledger_unchained()
        self.stdout.write(_("%(chained)s entries chained; %(left)s not chained yet (recorded "
                            "meanwhile: the next run chains them).")
                          % {"chained": chained, "left": left})
