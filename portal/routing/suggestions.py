"""The routing app's answer to the engine's "where should this case go?" (registered in
RoutingConfig.ready(); see portal/cases/suggestions.py)."""

from portal.cases.suggestions import ShownSuggestion

from . import permissions
from .constants import Source
from .services import routing_suggest


def dispatch_suggestion(*, case, user) -> ShownSuggestion | None:
    """Return the suggestion for `case` shown to the dispatcher `user`, if they may see it."""
    if not permissions.can_see_suggestions(user):
        return None
    suggestion = routing_suggest(case=case)
    if suggestion is None:
        return None
    try:
        source_label = str(Source(suggestion.source).label)
    except ValueError:
        source_label = str(suggestion.source)
    return ShownSuggestion(unit=suggestion.unit, confidence=float(suggestion.confidence),
                           source=str(suggestion.source), source_label=source_label,
                           explanation=str(suggestion.explanation or ""))
