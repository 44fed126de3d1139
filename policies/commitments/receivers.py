"""Signal receivers of commitments: changes in other apps that what clauses store depends on."""

from . import services


def calendar_changed(sender, **kwargs):
    """The department corrected the working-day calendar (portal.workdays.signals, sent after
    commit): the pending clauses' stored working day follows it."""
    services.clauses_follow_calendar()
