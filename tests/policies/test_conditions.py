"""Three-valued eligibility: Kleene truth tables, validation, and the SQL compilation agreeing
with the Python evaluation on random trees over a pool of enterprises (hypothesis)."""

import datetime
import random
from decimal import Decimal

import pytest
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from policies import conditions as cond
from policies.models import Declaration
from portal.orgs.models import Qualification
from tests.factories import EnterpriseFactory, industry

T, F, U = True, False, None
TODAY = datetime.date(2026, 12, 4)


@pytest.mark.parametrize("a,b,want_and,want_or", [
    (T, T, T, T), (T, F, F, T), (T, U, U, T), (F, F, F, F), (F, U, F, U), (U, U, U, U),
    (F, T, F, T), (U, T, U, T), (U, F, F, U),
])
def test_kleene_and_or(a, b, want_and, want_or):
    assert cond.kleene_and([a, b]) is want_and
    assert cond.kleene_or([a, b]) is want_or


def test_kleene_not():
    assert [cond.kleene_not(v) for v in (T, F, U)] == [F, T, U]


def test_unknown_capital_is_unknown_with_the_missing_fact_and_its_clause():
    tree = {"all": [
        {"field": "industry_section", "values": ["C"], "clause": "第二条"},
        {"field": "registered_capital", "min": 100, "clause": "第三条"},
    ]}
    got = cond.evaluate(tree, cond.Profile(industry_section="C"), today=TODAY)
    assert got.outcome == "unknown"
    assert got.missing_facts == ["registered_capital"]
    assert [leaf["clause"] for leaf in got.met] == ["第二条"]
    assert [leaf["clause"] for leaf in got.missing] == ["第三条"]
    # a false leaf decides an AND whatever is unknown
    got = cond.evaluate(tree, cond.Profile(industry_section="I"), today=TODAY)
    assert got.outcome == "not_eligible"


@pytest.mark.parametrize("tree,message", [
    ({"field": "turnover", "values": ["x"], "clause": "1"}, "Unknown condition field “turnover”"),
    ({"field": "registered_capital", "min": 500, "max": 100, "clause": "1"}, "impossible"),
    ({"field": "years_since_founding", "min": -1, "clause": "1"}, "negative"),
    ({"field": "size", "values": ["small"]}, "names no clause"),
    ({"all": []}, "at least one"),
    ({"field": "size", "values": ["small"], "clause": "9"}, "does not have"),
])
def test_unsound_trees_are_refused_with_a_message(tree, message):
    errors = cond.validate_tree(tree, clauses={"1"})
    assert any(message in e for e in errors), errors


# --- SQL and Python agree ---------------------------------------------------------------

QUALS = ["high-tech", "specialized-sme"]


def _leaf():
    clause = st.just("1")
    return st.one_of(
        st.builds(lambda v: {"field": "industry_section", "values": v, "clause": "1"},
                  st.lists(st.sampled_from("CIM"), min_size=1, max_size=2)),
        st.builds(lambda v: {"field": "size", "values": v, "clause": "1"},
                  st.lists(st.sampled_from(["small", "micro", "large"]), min_size=1, max_size=2)),
        st.builds(lambda v: {"field": "street", "values": v, "clause": "1"},
                  st.lists(st.sampled_from(["黄埔街", "大沙街"]), min_size=1, max_size=2)),
        st.builds(lambda v: {"field": "ownership", "values": v, "clause": "1"},
                  st.lists(st.sampled_from(["private", "state"]), min_size=1, max_size=2)),
        st.builds(lambda v: {"field": "qualification", "values": v, "clause": "1"},
                  st.lists(st.sampled_from(QUALS), min_size=1, max_size=2)),
        st.builds(lambda v: {"field": "tag", "values": v, "clause": "1"},
                  st.lists(st.sampled_from(["export", "ai"]), min_size=1, max_size=2)),
        st.builds(lambda lo, hi: {"field": "registered_capital", "min": lo, "max": hi,
                                  "clause": "1"},
                  st.sampled_from([None, 0, 100, 500]), st.sampled_from([500, 1000])),
        st.builds(lambda lo, hi: {"field": "years_since_founding", "min": lo, "max": hi,
                                  "clause": "1"},
                  st.sampled_from([None, 1, 3]), st.sampled_from([3, 10])),
        st.builds(lambda k: {"field": "declared", "key": k, "text": "t", "clause": "1"},
                  st.sampled_from(["exports", "rd"])),
        clause.map(lambda c: {"field": "industry_division", "values": ["39"], "clause": c}),
    )


trees = st.recursive(
    _leaf(),
    lambda children: st.one_of(
        st.lists(children, min_size=1, max_size=3).map(lambda c: {"all": c}),
        st.lists(children, min_size=1, max_size=3).map(lambda c: {"any": c}),
        children.map(lambda c: {"not": c}),
    ),
    max_leaves=8,
)


def _pool(n=36):
    rnd = random.Random(15)
    quals = {q.code: q for q in Qualification.objects.filter(code__in=QUALS)}
    pool = []
    for _i in range(n):
        e = EnterpriseFactory(
            industry=industry(rnd.choice("CIM")),
            industry_division=rnd.choice(["", "39", "65"]),
            size=rnd.choice(["small", "micro", "large"]),
            registered_capital=rnd.choice([None, Decimal("0"), Decimal("100"), Decimal("500"),
                                           Decimal("999.99")]),
            founded_on=rnd.choice([None, datetime.date(2025, 12, 4), datetime.date(2023, 12, 4),
                                   datetime.date(2023, 12, 5), datetime.date(2010, 1, 1)]),
            street=rnd.choice(["", "黄埔街", "大沙街"]),
            ownership=rnd.choice(["", "private", "state"]),
            tags=rnd.choice([[], ["export"], ["ai", "export"]]),
        )
        for code in QUALS:
            r = rnd.random()
            if r < 0.33:
                e.qualifications.add(quals[code])
            elif r < 0.66:
                Declaration.objects.create(enterprise=e, key=f"qualification:{code}", value=False)
        for key in ("exports", "rd"):
            r = rnd.random()
            if r < 0.6:
                Declaration.objects.create(enterprise=e, key=f"declared:{key}", value=r < 0.3)
        pool.append(e)
    profiles = {}
    for e in pool:
        profiles[e.pk] = cond.Profile.of(
            e, qualifications=e.qualifications.values_list("code", flat=True),
            declarations=dict(Declaration.objects.filter(enterprise=e)
                              .values_list("key", "value")))
    return profiles


@pytest.mark.django_db
def test_sql_and_python_agree_on_random_trees():
    profiles = _pool()

    @settings(max_examples=150, deadline=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(trees)
    def check(tree):
        assert cond.validate_tree(tree, clauses={"1"}) == []
        expr, params = cond.to_sql(tree, today=TODAY)
        missing, mparams = cond.missing_sql(tree, today=TODAY)
        with connection.cursor() as cursor:
            sql = f"SELECT e.id, {expr}, {missing} FROM orgs_enterprise e WHERE e.id = ANY(%s)"  # noqa: S608
            cursor.execute(sql, [*params, *mparams, list(profiles)])
            rows = cursor.fetchall()
        assert len(rows) == len(profiles)
        for pk, value, missing_facts in rows:
            got = cond.evaluate(tree, profiles[pk], today=TODAY)
            assert got.value is value, (tree, profiles[pk])
            assert sorted(got.missing_facts) == sorted(missing_facts), (tree, profiles[pk])

    check()
