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
    name = _actor_name(event) if names_person(event, internal=internal) else None
    if side in (Side.UNIT, Side.DEPARTMENT):
        unit = event.actor_unit_name
        if name:
            return f"{name} ({unit})" if unit else name
        return unit or _("District government")
    return name or str(Side(side).label)


def names_person(event, *, internal: bool) -> bool:
    """Does actor_label print the name of the person who took `event`? Officials' names only to
    an internal reader; nobody's for the portal's own steps or a step without a person. The
    rule actor_label follows, and what selectors.with_actor_names reads names for."""
    side = event.actor_side
    if side == Side.SYSTEM or event.actor_id is None:
        return False
    return internal or side not in (Side.UNIT, Side.DEPARTMENT)


def _actor_name(event) -> str | None:
    """The actor's name (User.get_full_name), as the timeline's query read it (`actor_name`,
    selectors.person_name) or else from the actor's row; None without an actor."""
    if "actor_name" in event.__dict__:
        return event.actor_name
    actor = event.actor
    return actor.get_full_name() if actor is not None else None
