"""How a step's actor is named to a reader, from what the event stored when it was taken.

Nothing here looks at the actor's current unit: an official who moved on still answered for
the unit they were in (CaseEvent.actor_side / actor_unit_names).
"""

from django.utils.translation import gettext as _

from .kinds import Side


def actor_label(event, case, *, internal: bool) -> str:
    """Who took a step, as the viewer may know it: the submitter side sees units, not officials;
    a sealed submitter is never named (the event holds no person)."""
    side = event.actor_side
    if side == Side.SYSTEM:
        return _("The portal (automatic)")
    actor = event.actor
    if side in (Side.UNIT, Side.DEPARTMENT):
        unit = event.actor_unit_name
        if internal and actor is not None:
            name = actor.get_full_name() or actor.email
            return f"{name} ({unit})" if unit else name
        return unit or _("District government")
    if actor is None:
        return str(Side(side).label)
    return actor.get_full_name() or actor.email
