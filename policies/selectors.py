"""Reads of policies, already limited to what the user may see."""

from __future__ import annotations

import datetime
import hashlib
import json
from dataclasses import dataclass
from functools import cached_property

from django.db import connection
from django.db.models import F, Q
from django.utils import timezone

from portal.orgs.models import Qualification, Unit

from . import conditions as cond
from .models import Declaration, Policy, PolicyStatus

PUBLIC = (
    PolicyStatus.IN_FORCE,
    PolicyStatus.EXPIRED,
    PolicyStatus.REPEALED,
    PolicyStatus.SUPERSEDED,
)


def policies_public():
    """Every published policy (drafts stay with their unit)."""
    return Policy.objects.filter(status__in=PUBLIC).select_related("unit")


def policies_in_force(today=None):
    today = today or timezone.localdate()
    return Policy.objects.filter(status=PolicyStatus.IN_FORCE, expires_on__gte=today).filter(
        Q(effective_on__isnull=True, issued_on__lte=today) | Q(effective_on__lte=today)
    )


def policy_search(
    *,
    q: str = "",
    status: str = "",
    unit: str = "",
    topic: str = "",
    industry: str = "",
    issued_from=None,
    issued_to=None,
):
    """Published policies matching the words of `q` (jieba tokens, all of them; ranked) and
    the filters."""
    from django.contrib.postgres.search import SearchQuery, SearchRank

    from portal.cases.text import query_tokens

    qs = policies_public()
    if status:
        qs = qs.filter(status=status)
    if unit:
        qs = qs.filter(unit__code=unit)
    if topic:
        qs = qs.filter(topics__code=topic)
    if industry:
        qs = qs.filter(industries__section=industry)
    if issued_from:
        qs = qs.filter(issued_on__gte=issued_from)
    if issued_to:
        qs = qs.filter(issued_on__lte=issued_to)
    tokens = query_tokens(q)
    if tokens:
        # plainto_tsquery: every token must match, and no character of the query is syntax.
        query = SearchQuery(tokens, config="simple", search_type="plain")
        qs = (
            qs.filter(search_tokens=query)
            .annotate(rank=SearchRank(F("search_tokens"), query))
            .order_by("-rank", "-issued_on", "-id")
        )
    return qs.distinct() if (topic or industry) and not tokens else qs


def policy_for_page(*, pk: int, user) -> Policy | None:
    qs = Policy.objects.select_related("unit", "superseded_by", "guide").prefetch_related(
        "clauses", "topics", "attachments"
    )
    policy = qs.filter(pk=pk).first()
    if policy is None:
        return None
    if policy.status == PolicyStatus.DRAFT and not (
        user.is_authenticated and (user.is_superuser or user.unit_id == policy.unit_id)
    ):
        return None
    return policy


def enterprise_profile(enterprise) -> cond.Profile:
    return cond.Profile.of(
        enterprise,
        qualifications=enterprise.qualifications.values_list("code", flat=True),
        declarations=Declaration.objects.filter(enterprise=enterprise).values_list("key", "value"),
    )


def qualification_names() -> dict[str, str]:
    return {q.code: q.name for q in Qualification.objects.all()}


# --- "Policies for me" --------------------------------------------------------------------------

# Everything the pages know of one enterprise, and the topics it may subscribe to: the facts the
# conditions read (docs/adr/0013), the qualifications held, the declarations, the topics
# subscribed, the policies marked not relevant, and every topic (id and name, in order). Indexed
# reads only: each table by its unique (enterprise, ...) constraint.
_FACTS_COLUMNS = """
       e.industry_id, e.industry_division, e.size, e.registered_capital, e.founded_on,
       e.street, e.park, e.ownership, e.tags,
       ARRAY(SELECT q.code FROM orgs_enterprise_qualifications eq
             JOIN orgs_qualification q ON q.id = eq.qualification_id
             WHERE eq.enterprise_id = e.id ORDER BY q.code),
       ARRAY(SELECT d.key FROM policies_declaration d WHERE d.enterprise_id = e.id
             ORDER BY d.key),
       ARRAY(SELECT d.value FROM policies_declaration d WHERE d.enterprise_id = e.id
             ORDER BY d.key),
       ARRAY(SELECT s.topic_id FROM policies_topicsubscription s WHERE s.enterprise_id = e.id
             ORDER BY s.topic_id),
       ARRAY(SELECT n.policy_id FROM policies_notrelevant n WHERE n.enterprise_id = e.id
             ORDER BY n.policy_id),
       ARRAY(SELECT t.id FROM policies_topic t ORDER BY t.code, t.id),
       ARRAY(SELECT t.name FROM policies_topic t ORDER BY t.code, t.id)"""
_FACTS_SQL = "SELECT" + _FACTS_COLUMNS + "\nFROM orgs_enterprise e WHERE e.id = %s"

# The policies in force (as `policies_in_force` finds them), newest first, with only what
# "policies for me" prints and evaluates, as one JSON array of arrays (a handful of rows), read as
# text: it is decoded only when the list is drawn, never on a cached view.
_IN_FORCE_JSON = """
       (SELECT json_agg(json_build_array(
                   p.id, p.title, p.status, p.issued_on, p.effective_on, p.expires_on,
                   p.conditions, p.unit_id, u.name, u.name_zh_hant, u.name_en,
                   ARRAY(SELECT pt.topic_id FROM policies_policy_topics pt
                         WHERE pt.policy_id = p.id ORDER BY pt.topic_id))
                ORDER BY p.issued_on DESC, p.id DESC)
        FROM policies_policy p JOIN orgs_unit u ON u.id = p.unit_id
        WHERE p.status = %s AND p.expires_on >= %s
          AND ((p.effective_on IS NULL AND p.issued_on <= %s) OR p.effective_on <= %s))::text"""
# "Policies for me" reads both in ONE query (noqa: only constants are joined, never input).
_FOR_ME_SQL = (
    "SELECT"
    + _FACTS_COLUMNS
    + ","
    + _IN_FORCE_JSON  # noqa: S608
    + "\nFROM orgs_enterprise e WHERE e.id = %s"
)


@dataclass(frozen=True)
class EnterpriseFacts:
    """One enterprise's facts for eligibility, its choices on "policies for me", and the
    topics, as read by `enterprise_facts`. `state` is the row as read, for a cache key."""

    profile: cond.Profile
    subscribed: frozenset[int]
    not_relevant: frozenset[int]
    topics: tuple[tuple[int, str], ...]
    state: tuple


def _facts(row: tuple) -> EnterpriseFacts:
    section, division, size, capital, founded, street, park, ownership, tags = row[:9]
    codes, keys, values, subscribed, hidden, topic_ids, topic_names = row[9:16]
    profile = cond.Profile(
        industry_section=section,
        industry_division=division,
        size=size,
        registered_capital=capital,
        founded_on=founded,
        street=street,
        park=park,
        ownership=ownership,
        tags=list(tags),
        qualifications=set(codes),
        declarations=dict(zip(keys, values, strict=True)),
    )
    return EnterpriseFacts(
        profile=profile,
        subscribed=frozenset(subscribed),
        not_relevant=frozenset(hidden),
        topics=tuple(zip(topic_ids, topic_names, strict=True)),
        state=row,
    )


def enterprise_facts(*, enterprise_id: int) -> EnterpriseFacts | None:
    """Read in one query what the policy pages need to know of the enterprise."""
    with connection.cursor() as cursor:
        cursor.execute(_FACTS_SQL, [enterprise_id])
        row = cursor.fetchone()
    return None if row is None else _facts(row)


def _loaded(model, values: dict):
    """An instance of `model` as the ORM loads one with `.only(*values)` (the rest deferred)."""
    ordered = [values[f.attname] for f in model._meta.concrete_fields if f.attname in values]
    return model.from_db(connection.alias, list(values), ordered)


def _day(value):
    return datetime.date.fromisoformat(value) if value else None


def _in_force(rows) -> list[Policy]:
    """Policies (and their units) from `_IN_FORCE_JSON`'s arrays, with `topic_ids`."""
    if isinstance(rows, str):
        rows = json.loads(rows)
    policies = []
    for row in rows or ():
        pk, title, status, issued, effective, expires, conditions, unit_id = row[:8]
        name, name_zh_hant, name_en, topic_ids = row[8:]
        policy = _loaded(
            Policy,
            {
                "id": pk,
                "title": title,
                "status": status,
                "issued_on": _day(issued),
                "effective_on": _day(effective),
                "expires_on": _day(expires),
                "conditions": conditions,
                "unit_id": unit_id,
            },
        )
        policy.unit = _loaded(
            Unit,
            {
                "id": unit_id,
                "name": name,
                "name_zh_hant": name_zh_hant,
                "name_en": name_en,
            },
        )
        policy.topic_ids = topic_ids
        policies.append(policy)
    return policies


def declared_names(policy, names: dict[str, str]) -> dict[str, str]:
    """`names` (qualification code -> name) with the texts of the policy's free-text
    conditions, by fact key."""
    names = dict(names)
    for leaf in cond.leaves(policy.conditions):
        if leaf["field"] == "declared":
            names[f"declared:{leaf['key']}"] = leaf["text"]
    return names


@dataclass
class ForMe:
    policy: Policy
    evaluation: cond.Evaluation


class ForMePage:
    """What "policies for me" shows one enterprise, from one read (its facts and choices, the
    topics, the policies in force). `key` is a digest of all of it and of today, for the
    rendered fragment (ADR 0009): a fact supplied, a subscription, a policy published, edited,
    marked not relevant or expired is a new key, never a stale hit. The rows are worked out
    only when a template asks for them, which a cached fragment does not."""

    def __init__(self, *, facts: EnterpriseFacts, in_force, today):
        self.facts, self.in_force, self.today = facts, in_force, today

    @cached_property
    def policies(self) -> list[Policy]:
        """The policies in force, loaded from the row only when the list is drawn."""
        return _in_force(self.in_force)

    @cached_property
    def key(self) -> str:
        state = repr((self.today, self.facts.state))  # the policies are in the row as read
        return hashlib.blake2b(state.encode(), digest_size=16).hexdigest()

    @cached_property
    def evaluated(self) -> tuple[list[ForMe], list[Policy]]:
        """The policies the enterprise is eligible for or may be (unknown), with their
        evaluations; and the others on the topics it subscribed to. Those marked not
        relevant are left out."""
        mine, others = [], []
        for policy in self.policies:
            if policy.pk in self.facts.not_relevant:
                continue
            evaluation = cond.evaluate(policy.conditions, self.facts.profile, today=self.today)
            if evaluation.value is not False:
                mine.append(ForMe(policy, evaluation))
            elif self.facts.subscribed.intersection(policy.topic_ids):
                others.append(policy)
        return mine, others

    @cached_property
    def rows(self) -> list[dict]:
        """Each policy of `evaluated`'s first list with its reasons (text, clause) and the
        facts missing (labels), in the current language."""
        mine = self.evaluated[0]
        qualifications = qualification_names() if mine else {}
        rows = []
        for m in mine:
            names = declared_names(m.policy, qualifications)
            rows.append(
                {
                    "policy": m.policy,
                    "evaluation": m.evaluation,
                    "reasons": [
                        (cond.describe(leaf, names=names), leaf["clause"])
                        for leaf in m.evaluation.met
                    ],
                    "missing": [
                        cond.fact_label(k, names=names) for k in m.evaluation.missing_facts
                    ],
                }
            )
        return rows

    @property
    def others(self) -> list[Policy]:
        return self.evaluated[1]

    @property
    def topics(self) -> list[tuple[int, str, bool]]:
        """Every topic: id, name, and whether the enterprise subscribed to it."""
        return [(pk, name, pk in self.facts.subscribed) for pk, name in self.facts.topics]


def for_me_page(*, enterprise_id: int, today=None) -> ForMePage | None:
    """ "Policies for me" for one enterprise, read in one query (None: no such enterprise)."""
    today = today or timezone.localdate()
    with connection.cursor() as cursor:
        cursor.execute(
            _FOR_ME_SQL, [PolicyStatus.IN_FORCE.value, today, today, today, enterprise_id]
        )
        row = cursor.fetchone()
    if row is None:
        return None
    return ForMePage(facts=_facts(row), in_force=row[16], today=today)


def policies_for_me(*, enterprise, today=None) -> tuple[list[ForMe], list[Policy]]:
    """The policies in force the enterprise is eligible for or may be (unknown), with their
    reasons; and the others in force on the topics it subscribed to. Expired policies and
    those marked not relevant leave by themselves."""
    page = for_me_page(enterprise_id=enterprise.pk, today=today)
    return page.evaluated if page is not None else ([], [])
