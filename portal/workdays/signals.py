"""Signals other apps may listen to. Sent only after the transaction that caused them commits.

calendar_changed(sender=CalendarDay): a correction of the working-day calendar was saved or
deleted (service, admin, fixture or shell), so which days are working days may have changed.
When it is sent, this process's calendar already reads the change; a listener recomputes what
it stored from the calendar. Never sent for `flush`.
"""

from django.dispatch import Signal

calendar_changed = Signal()
