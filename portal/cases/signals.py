"""Signals other apps may listen to. Sent only after the transaction that caused them commits.

case_changed(sender=Case, case_id, event_id, action, from_status, to_status): a step was
recorded on a case's timeline (any action of constants.Action).
"""

from django.dispatch import Signal

case_changed = Signal()
