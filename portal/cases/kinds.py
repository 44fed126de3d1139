"""Kinds of case: what each kind declares, and the registry the engine reads.

The engine knows no kind. An app that brings a kind (appeals, complaints, observer findings,
consultation opinions) registers one `KindSpec` from its `AppConfig.ready()`; the engine then
reads from it the transition table, which audience sees each step, who submits and who may act
for them, the deadline defaults, whether unrated answers close by themselves, the messages and
the URL of a case for each audience. See docs/adr/0005-case-engine.md.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .constants import Action, SupervisionSource, Transition


class Audience(enum.IntFlag):
    """Who may see a step or a file. Stored on every event and attachment as a bit mask."""

    SUBMITTER = 1  # the submitting party: an enterprise, a named person, a receipt holder
    UNITS = 2  # the unit(s) responsible for the case
    DEPARTMENT = 4  # the business environment department's staff
    DESK = 8  # the department's complaint desk (the only one to see a sealed identity)
    PUBLIC = 16  # anyone: a published outcome


GOVERNMENT = Audience.UNITS | Audience.DEPARTMENT | Audience.DESK
EVERYONE_INVOLVED = Audience.SUBMITTER | GOVERNMENT


class Side(models.TextChoices):
    """As what someone took a step, recorded on the event when it is taken."""

    SUBMITTER = "submitter", _("Submitter")
    ENTERPRISE = "enterprise", _("Enterprise")
    REPORTER = "reporter", _("Reporter")
    OBSERVER = "observer", _("Observer")
    UNIT = "unit", _("Unit")
    DEPARTMENT = "department", _("Department")
    SYSTEM = "system", _("The portal")


class Party(models.TextChoices):
    """Who submits cases of a kind."""

    ENTERPRISE = "enterprise", _("An enterprise, through one of its members")
    PERSON = "person", _("A named person with an account")
    SEALED = "sealed", _("A person whose identity is sealed (named or anonymous)")
    OBSERVER = "observer", _("A business-environment observer")


def _nobody(user, case) -> bool:
    return False


def _no_recipients(case) -> list:
    return []


@dataclass(frozen=True)
class KindSpec:
    """Everything the engine needs to know about one kind of case.

    `messages` maps a message key (see `MESSAGE_KEYS`) to a lazy text that may use
    `{ref}`, `{date}`, `{unit}`, `{score}`; a kind omits the keys it never sends.
    """

    code: str
    label: Promise
    transitions: Mapping[str, Transition]
    # Who sees each action's event; actions not named are seen by the government only.
    audiences: Mapping[str, int]
    party: str = Party.ENTERPRISE
    # True: the submitter is kept only in the kind's own sealed table. The engine then stores
    # no person for the case (submitter, enterprise), its submitter-side events (actor) or its
    # files (uploaded_by), and case_open refuses an identifying actor.
    sealed: bool = False
    subtypes: type[models.TextChoices] | None = None
    subtype_required: bool = False
    category_required: bool = False
    enterprise_required: bool = False
    default_acceptance_days: int = 1
    default_handling_days: Mapping[str, int] = field(default_factory=dict)
    default_handling_days_other: int = 15
    auto_close_unrated: bool = True
    allows_supplement: bool = True  # the submitter may add a note or files (补充材料)
    pain_points: bool = False  # sorted into the department's pain points (Art. 6(1))
    # Several units at once (交办 to each): the department splits a case into parts, cases of
    # their own; the case counts as answered when "all" of its parts are, or "any" one is.
    parts: bool = False
    answered_when: str = "all"
    messages: Mapping[str, Promise] = field(default_factory=dict)
    # URL name of the case page for the submitter side (reversed with the case pk), or "".
    submitter_url_name: str = ""
    # May `user` act on the submitter's side of `case` (answer questions, rate, supplement)?
    can_act_for_submitter: Callable = _nobody
    # The active users to notify on the submitter's side (never used for a sealed kind: the
    # kind notifies its sealed submitter itself through `notify_sealed_submitter`).
    submitter_recipients: Callable = _no_recipients
    # For a sealed kind: called inside the step's transaction with (case, subject, body).
    notify_sealed_submitter: Callable | None = None
    # Called with (case, unit) before the case goes to `unit` (assign, transfer, split): raise
    # ValidationError({"unit": ...}) to refuse (complaints: never a unit involved in the matter).
    check_unit: Callable | None = None
    # Steps the kind takes through its own forms (they record more than the engine's step, e.g.
    # a complaint's finding with its answer): the engine's admin does not offer them.
    own_steps: frozenset = frozenset()
    # Causes of supervision (督办) the kind's own rules open on its cases, code → label (codes
    # distinct from the engine's `SupervisionSource` and every other kind's, at most 20
    # characters): `supervision_open_automatic(source=...)` takes them, and the admin, its
    # filters and the dashboard name them as they name the engine's own.
    supervision_sources: Mapping[str, Promise] = field(default_factory=dict)

    def sees(self, action: str) -> int:
        return int(self.audiences.get(action, GOVERNMENT))

    def transition(self, action: str) -> Transition | None:
        return self.transitions.get(action)

    def message(self, key: str) -> Promise | None:
        return self.messages.get(key)

    def subtype_label(self, value: str) -> str:
        if not value or self.subtypes is None:
            return value or ""
        try:
            return str(self.subtypes(value).label)
        except ValueError:
            return value

    def handling_days(self, subtype: str) -> int:
        return self.default_handling_days.get(subtype, self.default_handling_days_other)

    @property
    def allowed_transitions(self) -> dict[str, frozenset]:
        """The table seen as a graph: status → statuses it may move to."""
        graph: dict[str, set] = {}
        for t in self.transitions.values():
            for source in t.sources:
                graph.setdefault(source, set()).update(t.targets)
        return {s: frozenset(targets) for s, targets in graph.items()}


# Keys a kind's `messages` may hold (what the engine sends, and when). A part of a case
# (Case.parent) sends "part_<key>" instead ("part_answered": one unit answered its share), and
# nothing for a key the kind does not declare with that prefix.
MESSAGE_KEYS = frozenset({
    "received",  # to the submitter: {ref}, {date}
    "accepted", "not_accepted", "assigned", "transferred", "signed_for", "info_requested",
    "extension_approved", "answered", "reopened", "closed", "auto_closed",
    # refusals of case_open / Case.clean, in the kind's words
    "subtype_required", "category_required", "enterprise_required",
})

_REGISTRY: dict[str, KindSpec] = {}


def register(spec: KindSpec) -> KindSpec:
    """Register `spec` (from the kind's AppConfig.ready()); registering a code twice is a bug."""
    existing = _REGISTRY.get(spec.code)
    if existing is not None and existing is not spec:
        raise ValueError(f"case kind {spec.code!r} is already registered")
    unknown = {k for k in spec.messages if k.removeprefix("part_") not in MESSAGE_KEYS}
    if unknown:
        raise ValueError(f"case kind {spec.code!r}: unknown message keys {sorted(unknown)}")
    for action in [*spec.transitions, *spec.audiences]:
        if action not in Action.values:
            raise ValueError(f"case kind {spec.code!r}: unknown action {action!r}")
    taken = set(SupervisionSource.values).union(*(
        s.supervision_sources for s in _REGISTRY.values() if s.code != spec.code))
    for source in spec.supervision_sources:
        if source in taken or len(source) > 20:
            raise ValueError(f"case kind {spec.code!r}: supervision source {source!r} is taken "
                             "or longer than 20 characters")
    _REGISTRY[spec.code] = spec
    return spec


def unregister(code: str) -> None:
    """Remove a kind (tests that declare their own kind clean up with this)."""
    _REGISTRY.pop(code, None)


def kind_spec(code: str) -> KindSpec:
    try:
        return _REGISTRY[code]
    except KeyError:
        raise LookupError(f"no case kind {code!r} is registered") from None


def registered_kinds() -> list[KindSpec]:
    return list(_REGISTRY.values())


def kind_choices() -> list[tuple[str, str]]:
    """The choices of `Case.kind`: every registered kind (a callable, so kinds can come later)."""
    return [(spec.code, spec.label) for spec in _REGISTRY.values()]


def supervision_source_choices() -> list[tuple[str, Promise]]:
    """The choices of `SupervisionItem.source`: the engine's, then each registered kind's own
    (a callable, as `kind_choices`, so the engine names no kind)."""
    choices = list(SupervisionSource.choices)
    for spec in _REGISTRY.values():
        choices.extend(spec.supervision_sources.items())
    return choices


def supervision_source_label(source: str):
    """The (lazy) label of a supervision source, the engine's or a kind's; the code if none."""
    return dict(supervision_source_choices()).get(source, source)


def subtype_choices() -> list[tuple[str, str]]:
    """Every registered kind's subtypes, for forms and filters that list them together."""
    seen, choices = set(), []
    for spec in _REGISTRY.values():
        for value, label in (spec.subtypes.choices if spec.subtypes else []):
            if value not in seen:
                seen.add(value)
                choices.append((value, label))
    return choices
