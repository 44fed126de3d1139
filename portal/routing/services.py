"""Routing of cases to units (派单): the department's rules and a suggestion learned from past
assignments. The dispatcher decides; routing only suggests. Other apps may call:

- `routing_suggest(*, case) -> Suggestion | None`: the suggestion for a case, for the
  dispatcher's page, admin and API (show it to `permissions.can_see_suggestions` users only);
- `routing_suggest_many(*, cases) -> dict[int, Suggestion | None]`: for list pages, in the
  same three queries whatever the number of cases;
- `routing_suggest_text(*, title, description, category=None, appeal_type=None, industry=None,
  subject_unit=None) -> Suggestion | None`: the same before a case exists;
- `routing_rules_try(...) -> RulesTrial`: every rule checked against a text, with reasons
  (the admin's "try the rules" page);
- `routing_rule_save(*, rule, actor)`, `routing_rule_delete(*, rule, actor)`: the admin's
  writes (department only);
- `routing_model_train(*, min_samples_per_unit, classifier, force) -> TrainingResult`: the
  nightly retrain (tasks.routing_retrain), idempotent;
- `routing_retrain_request(*, actor)`: queue a retrain now (after commit).

A rule that matches wins with confidence 1.0; otherwise the learned model's most likely unit
with its probability. The unit a case is about (`case.subject_unit`) is never suggested: the
next rule, or the model's next unit, is taken instead.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass
from typing import Literal

import sklearn
from django.db import connection, transaction
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from portal.core.queue import enqueue_on_commit
from portal.ledger.services import ledger_append
from portal.orgs.models import Unit

from . import learning, permissions, selectors
from .constants import (
    CHANCE_MARGIN,
    DEFAULT_CLASSIFIER,
    MIN_MODEL_CONFIDENCE,
    MIN_SAMPLES_PER_UNIT,
    MIN_UNITS,
    MODELS_KEPT,
    RETRAIN_LOCK_KEY,
    Classifier,
    Source,
)
from .learning import CaseFacts
from .matching import RuleCheck, matching_rules, rule_check
from .models import RoutingModel, RoutingRule
from .text import BREAK, Text

logger = logging.getLogger(__name__)

# How many of the model's best units to consider when the first ones cannot take the case.
_CANDIDATES = 5


@dataclass(frozen=True)
class Suggestion:
    """A unit suggested for a case, how sure we are, and why (translated, for the dispatcher)."""

    unit: Unit
    confidence: float  # 1.0 for a rule; the model's probability otherwise
    source: Literal["rule", "model"]  # Source.RULE / Source.MODEL
    explanation: str
    rule_id: int | None = None
    model_version: int | None = None


# --- suggestions --------------------------------------------------------------------------

def _fetch_model(version: int):
    return (RoutingModel.objects.filter(version=version)
            .values_list("blob", "signature", "library_version", "sample_count").get())


def _latest_model() -> learning.LoadedModel | None:
    latest = selectors.model_latest_meta()
    if latest is None:
        return None
    try:
        loaded = learning.cached_model(latest[0], _fetch_model)
    except RoutingModel.DoesNotExist:  # pruned between the two reads: next call sees the new one
        return None
    return loaded if loaded.pipeline is not None else None


@dataclass
class _Pending:
    """One case on its way to a suggestion: its rule matches and the model's ranking."""

    facts: CaseFacts
    parsed: Text
    rule_checks: list[RuleCheck]
    ranked: list[tuple[int, float]]

    def candidate_ids(self) -> set[int]:
        ids = {check.rule.unit_id for check in self.rule_checks}
        ids.update(unit_id for unit_id, _p in self._model_candidates())
        return ids

    def _model_candidates(self) -> list[tuple[int, float]]:
        return [(unit_id, p) for unit_id, p in self.ranked
                if unit_id != self.facts.subject_unit_id][:_CANDIDATES]

    def resolve(self, units: dict[int, Unit], model: learning.LoadedModel | None
                ) -> Suggestion | None:
        for check in self.rule_checks:
            unit = units.get(check.rule.unit_id)
            # The rules may come from the cache: a unit deactivated since is passed over.
            if unit is not None and unit.is_active:
                return Suggestion(unit=unit, confidence=1.0, source=Source.RULE.value,
                                  explanation=check.explanation, rule_id=check.rule.pk)
        return self._model_suggestion(units, model) if model is not None else None

    def _model_suggestion(self, units, model) -> Suggestion | None:
        """The model's most likely unit among those that may take the case.

        The subject unit and inactive units cannot take it, so the probability shown is the
        model's probability given that (renormalized over the other units). It must beat a
        blind guess by CHANCE_MARGIN and reach MIN_MODEL_CONFIDENCE, or nothing is suggested.
        """
        subject = self.facts.subject_unit_id
        excluded = sum(p for unit_id, p in self.ranked if unit_id == subject)
        # Units the model knows that could take the case.
        possible = len(self.ranked) - any(unit_id == subject for unit_id, _p in self.ranked)
        for unit_id, probability in self._model_candidates():
            unit = units.get(unit_id)
            if unit is None or not unit.is_active:
                excluded += probability
                possible -= 1
                continue
            confidence = min(1.0, probability / (1.0 - excluded)) if excluded < 1.0 else 0.0
            if confidence < max(MIN_MODEL_CONFIDENCE, CHANCE_MARGIN / possible):
                return None  # the best unit that may take it; the rest are less likely still
            n = model.sample_count
            # The confidence is shown beside it, from `confidence`.
            explanation = ngettext(
                "Learned from %(count)s past assignment",
                "Learned from %(count)s past assignments", n,
            ) % {"count": number_format(n, force_grouping=True)}
            return Suggestion(unit=unit, confidence=confidence, source=Source.MODEL.value,
                              explanation=explanation, model_version=model.version)
        return None


def _suggest_all(facts_list: list[CaseFacts], *, rules=None) -> list[Suggestion | None]:
    """Suggest for every case at once in three queries: rules, model version, units."""
    if not facts_list:
        return []
    rules = selectors.rules_enabled_cached() if rules is None else rules
    pending = []
    for facts in facts_list:
        parsed = Text(f"{facts.title}\n{facts.description}")
        pending.append(_Pending(facts=facts, parsed=parsed,
                                rule_checks=list(matching_rules(rules, facts, parsed)),
                                ranked=[]))
    undecided = [p for p in pending if not p.rule_checks]
    model = _latest_model() if undecided else None
    if model is not None and undecided:
        rankings = learning.ranked_units_many(
            model.pipeline, [learning.document(p.facts, p.parsed) for p in undecided])
        for item, ranked in zip(undecided, rankings, strict=True):
            item.ranked = ranked
    wanted = set().union(*(p.candidate_ids() for p in pending))
    units = Unit.objects.filter(pk__in=wanted).in_bulk() if wanted else {}
    suggestions = [p.resolve(units, model) for p in pending]
    # A case whose every matching rule points at an inactive unit falls back to the model.
    fallback = [i for i, (p, s) in enumerate(zip(pending, suggestions, strict=True))
                if s is None and p.rule_checks]
    if fallback and not undecided:
        model = _latest_model()
    if fallback and model is not None:
        rankings = learning.ranked_units_many(
            model.pipeline, [learning.document(pending[i].facts, pending[i].parsed)
                             for i in fallback])
        for i, ranked in zip(fallback, rankings, strict=True):
            pending[i].rule_checks, pending[i].ranked = [], ranked
        more = set().union(*(pending[i].candidate_ids() for i in fallback)) - set(units)
        if more:
            units.update(Unit.objects.filter(pk__in=more).in_bulk())
        for i in fallback:
            suggestions[i] = pending[i].resolve(units, model)
    return suggestions


def routing_suggest(*, case) -> Suggestion | None:
    """Return the unit to suggest for `case`, or None when neither rules nor model know one.

    Three small queries (rules, newest model version, units), plus the case's category and
    enterprise unless they were select_related; the model is loaded once per process.
    """
    return _suggest_all([selectors.case_facts(case)])[0]


def routing_suggest_many(*, cases) -> dict[int, Suggestion | None]:
    """Return {case id: suggestion} for a list page, in the same three queries for any number.

    Select the cases with `select_related("category__parent", "enterprise")`.
    """
    cases = list(cases)
    suggestions = _suggest_all([selectors.case_facts(case) for case in cases])
    return {case.pk: suggestion for case, suggestion in zip(cases, suggestions, strict=True)}


def routing_suggest_text(*, title: str, description: str, category=None,
                         appeal_type: str | None = None, industry=None,
                         subject_unit=None) -> Suggestion | None:
    """Return the suggestion for a text typed before there is a case.

    `industry` is an orgs.Industry or its section letter; `subject_unit` (optional) is never
    suggested.
    """
    return _suggest_all([selectors.text_facts(
        title=title, description=description, category=category, appeal_type=appeal_type,
        industry=industry, subject_unit=subject_unit)])[0]


@dataclass(frozen=True)
class RulesTrial:
    """What routing makes of a text: its words, every enabled rule checked, and the outcome."""

    words: tuple[str, ...]
    checks: list[RuleCheck]
    suggestion: Suggestion | None

    @property
    def winner(self) -> RuleCheck | None:
        """The check of the rule that gave the suggestion, if a rule did."""
        if self.suggestion is None or self.suggestion.rule_id is None:
            return None
        return next(c for c in self.checks if c.rule.pk == self.suggestion.rule_id)


def routing_rules_try(*, title: str, description: str, category=None,
                      appeal_type: str | None = None, industry=None,
                      subject_unit=None) -> RulesTrial:
    """Check every enabled rule against a text, for the department to test its rules."""
    facts = selectors.text_facts(title=title, description=description, category=category,
                                 appeal_type=appeal_type, industry=industry,
                                 subject_unit=subject_unit)
    parsed = Text(f"{facts.title}\n{facts.description}")
    rules = selectors.rules_enabled()  # fresh, not the cache: the page is about the rules now
    return RulesTrial(
        words=tuple(w for w in parsed.words if w != BREAK),
        checks=[rule_check(rule, facts, parsed) for rule in rules],
        suggestion=_suggest_all([facts], rules=rules)[0],
    )


# --- rules --------------------------------------------------------------------------------

def _rule_payload(rule: RoutingRule) -> dict:
    return {"name": rule.name, "priority": rule.priority, "enabled": rule.is_enabled,
            "unit": rule.unit_id, "category": rule.category_id, "appeal_type": rule.appeal_type,
            "industry": rule.industry_id, "keywords": list(rule.keywords)}


_RULE_FIELDS = ["name", "priority", "is_enabled", "unit", "category", "appeal_type", "industry",
                "keywords", "note", "updated_at", "updated_by", "revision"]


@transaction.atomic
def routing_rule_save(*, rule: RoutingRule, actor) -> RoutingRule:
    """Create or change a routing rule (department only); validated, recorded in the ledger."""
    creating = rule.pk is None
    permissions.require_rules(actor, "add" if creating else "change")
    now = timezone.now()
    rule.updated_at = now
    rule.updated_by = actor
    if creating:
        rule.created_at = now
        rule.revision = 1
    else:
        # Under the row lock, so two people saving at once still raise it twice.
        current = (RoutingRule.objects.select_for_update().filter(pk=rule.pk)
                   .values_list("revision", flat=True).get())
        rule.revision = current + 1
    rule.full_clean()
    if creating:
        rule.save()
    else:
        rule.save(update_fields=_RULE_FIELDS)
    ledger_append(actor=actor, action="routing.rule_created" if creating
                  else "routing.rule_changed", obj=rule, payload=_rule_payload(rule))
    return rule


@transaction.atomic
def routing_rule_delete(*, rule: RoutingRule, actor) -> None:
    """Delete a routing rule (department only); the ledger keeps what it said."""
    permissions.require_rules(actor, "delete")
    payload = _rule_payload(rule)
    object_id = str(rule.pk)
    rule.delete()
    ledger_append(actor=actor, action="routing.rule_deleted", object_type="routing.routingrule",
                  object_id=object_id, payload=payload)


# --- the learned model --------------------------------------------------------------------

@dataclass(frozen=True)
class TrainingResult:
    """What a retrain did. `status`: trained, unchanged, not_enough_data or busy."""

    status: str
    message: str
    model: RoutingModel | None = None


def _usable(model: RoutingModel) -> bool:
    if model.library_version != sklearn.__version__:
        return False
    blob = RoutingModel.objects.filter(pk=model.pk).values_list("blob", flat=True).get()
    return learning.signature_ok(blob, model.signature)


@transaction.atomic
def routing_model_train(*, min_samples_per_unit: int = MIN_SAMPLES_PER_UNIT,
                        classifier: str = DEFAULT_CLASSIFIER,
                        force: bool = False) -> TrainingResult:
    """Train a new model from the cases units signed for and kept, unless nothing changed.

    Safe to run twice or at once: one run at a time (an advisory lock; a second returns
    "busy"), and a run finding no routing step since the last usable model returns
    "unchanged". Units with fewer than `min_samples_per_unit` kept cases are left out.
    """
    if min_samples_per_unit < 2:
        raise ValueError("min_samples_per_unit must be at least 2 (the held-out split)")
    Classifier(classifier)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [RETRAIN_LOCK_KEY])
        if not cursor.fetchone()[0]:
            return TrainingResult("busy", _("Another retrain is running."))
    last_event_id = selectors.last_routing_event_id()
    latest = selectors.model_list().first()
    if (not force and latest is not None and latest.last_event_id >= last_event_id
            and _usable(latest)):
        return TrainingResult("unchanged", _("No case was assigned, transferred, returned or "
                                             "signed for since model v%(version)s.")
                              % {"version": latest.version}, model=latest)

    samples = selectors.training_samples()
    active = set(Unit.objects.filter(is_active=True).values_list("pk", flat=True))
    counts = Counter(unit_id for _facts, unit_id in samples if unit_id in active)
    units = {unit_id for unit_id, n in counts.items() if n >= min_samples_per_unit}
    if len(units) < MIN_UNITS:
        return TrainingResult("not_enough_data", _(
            "Not enough past assignments to learn from: %(units)d unit(s) have at least "
            "%(min)d cases they kept, at least %(need)d are needed.")
            % {"units": len(units), "min": min_samples_per_unit, "need": MIN_UNITS})
    documents, labels = [], []
    for facts, unit_id in samples:
        if unit_id in units:
            documents.append(learning.document(facts))
            labels.append(unit_id)
    trained = learning.train(documents, labels, classifier=classifier)
    blob, signature = learning.dump(trained.pipeline)
    version = (latest.version if latest else 0) + 1
    model = RoutingModel(
        version=version, trained_at=timezone.now(), classifier=classifier,
        sample_count=trained.sample_count, unit_count=len(units),
        units_left_out=len(counts) - len(units), test_count=trained.test_count,
        accuracy=trained.accuracy, last_event_id=last_event_id,
        library_version=sklearn.__version__, blob=blob, signature=signature,
        size_bytes=len(blob), training_seconds=round(trained.seconds, 3),
    )
    model.full_clean()
    model.save()
    RoutingModel.objects.filter(version__lte=version - MODELS_KEPT).delete()
    ledger_append(actor=None, action="routing.model_trained", obj=model, payload={
        "version": version, "classifier": classifier, "sample_count": model.sample_count,
        "unit_count": model.unit_count, "accuracy": round(model.accuracy, 6),
        "last_event_id": last_event_id, "signature": signature,
    })
    logger.info("routing model v%s trained on %s cases of %s units, held-out accuracy %.3f",
                version, model.sample_count, model.unit_count, model.accuracy)
    return TrainingResult("trained", _("Model v%(version)s learned from %(count)s past "
                                       "assignments.") % {"version": version,
                                                          "count": model.sample_count},
                          model=model)


@transaction.atomic
def routing_retrain_request(*, actor) -> None:
    """Queue a retrain now (department only); it runs on a worker after this commits."""
    permissions.require_retrain(actor)
    # by name: tasks.py imports this module, not the reverse
    enqueue_on_commit("portal.routing.tasks.routing_retrain", force=True)
