"""Where should a case go? The engine asks whoever offers an answer, and decides nothing.

The routing app registers its provider from its AppConfig.ready(), so the engine imports no
routing code (docs/architecture.md: the engine stands below the kinds and routing). A missing
or failing provider never stops the dispatcher: the page shows no suggestion.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass

logger = logging.getLogger("portal.cases")


@dataclass(frozen=True)
class ShownSuggestion:
    """A suggestion as the dispatcher reads it."""

    unit: object
    confidence: float
    source: str
    source_label: str
    explanation: str

    @property
    def percent(self) -> int:
        return round(self.confidence * 100)


_providers: list[Callable] = []


def register_provider(provider: Callable) -> None:
    """Register `provider(*, case, user) -> ShownSuggestion | None` (once per provider)."""
    if provider not in _providers:
        _providers.append(provider)


def suggestion_for(*, case, user) -> ShownSuggestion | None:
    """Return the first registered provider's suggestion for `case` that `user` may see."""
    for provider in _providers:
        try:
            suggestion = provider(case=case, user=user)
        except Exception:  # a suggestion is a help; the dispatcher decides without it
            logger.exception("routing suggestion failed for case %s", case.pk)
            continue
        if suggestion is not None:
            return suggestion
    return None
