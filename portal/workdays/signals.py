"""Signals other apps may listen to. Sent only after the transaction that caused them commits.

calendar_changed(sender=CalendarDay): corrections of the working-day calendar were saved or
deleted (service, admin, fixture or shell), so which days are working days may have changed.
Sent once per transaction however many corrections it changed (the admin's "delete selected"
is one transaction), so the signal carries no row: when it is sent, this process's calendar
already reads every change, and a listener recomputes what it stored from the calendar. Never
sent for `flush`.
"""

from django.dispatch import Signal

calendar_changed = Signal()
