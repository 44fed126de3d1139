"""The benchmark's generator at a tiny scale, and the baseline view of the harness.

The figures themselves come from `make bench` (docs/performance.md); these tests check that the
generated data is what the portal itself would have written: a valid ledger chain, the engine's
keywords and search vectors, consistent timelines, and the shape the benchmark relies on.
"""

import datetime
import random

import pytest
from django.db import connection
from django.db.models import Count
from django.test import Client
from django.utils import timezone

from bench import generate as bench_generate
from bench.registry import (
    _SOURCES,
    _STEPS,
    BackgroundCopy,
    Context,
    LedgerSpool,
    Step,
    ledger_source,
    step,
    steps_in_order,
)
from portal.cases.constants import OPEN_STATUSES, Action, Status
from portal.cases.models import Case, CaseEvent, SupervisionItem
from portal.cases.text import keywords_of, search_tokens
from portal.ledger.models import LedgerEntry
from portal.ledger.services import ledger_payload_digest, ledger_verify
from portal.orgs.models import Enterprise, Unit
from portal.orgs.validators import validate_credit_code

SCALE = 0.001  # 300 enterprises, 1,000 cases


@pytest.fixture
def later_apps_ledger_source():
    """A later app's `@ledger_source` (here: one entry per supervision item, read back by SQL),
    to be merged by time with the entries the cases step recorded as it generated them."""
    saved = dict(_SOURCES)

    @ledger_source("test-supervision", "SELECT created_at, id, case_id FROM "
                                       "cases_supervisionitem ORDER BY created_at, id")
    def supervision_entry(row):
        created_at, item_id, case_id = row
        return (created_at, None, "test.supervision_opened", "cases.supervisionitem",
                str(item_id), {"case": case_id})

    yield "test.supervision_opened"
    _SOURCES.clear()
    _SOURCES.update(saved)


@pytest.mark.django_db(transaction=True)
def test_generator_at_a_tiny_scale(settings, later_apps_ledger_source, no_marker):
    """One generation (a few seconds), every check on it: the data is what the portal writes."""
    generated = bench_generate.generate(scale=SCALE, seed=7, log=lambda *a: None)
    check_the_district_in_small(generated)
    check_ledger_chain_is_valid_and_records_every_step(later_apps_ledger_source)
    check_ledger_digests_are_those_of_the_case_events()
    check_events_name_units_in_english_too()
    check_keywords_and_search_vector_are_the_engines()
    check_timelines_are_consistent()
    check_a_new_submission_gets_the_next_reference()
    check_refuses_to_generate_over_existing_data()
    check_baseline_view_renders_the_rows_and_counts_queries(generated, settings)
    check_the_pages_the_harness_asks_for(generated)


def check_the_pages_the_harness_asks_for(generated):
    from pathlib import Path

    from bench.run import LUA, bench_facts, pages

    info = bench_facts(generated)
    heavy = set(Case.objects.filter(enterprise_id=generated["heavy_enterprise_id"])
                .values_list("pk", flat=True))
    first_view = info["first_view_paths"]
    # The first view walks every case of the heavy enterprise but the long one, once each.
    assert len(first_view) == len(set(first_view)) == len(heavy) - 1
    assert f"/cases/{generated['long_case_id']}/" not in first_view
    assert {int(p.split("/")[2]) for p in first_view} <= heavy
    assert 1 <= info["first_view_rows"] < info["long_case_events"]
    by_key = {page.key: page for page in pages(info)}
    assert by_key["case_first_view"].path == first_view[0]
    assert by_key["case_first_view"].rows == info["first_view_rows"]
    for page in by_key.values():
        assert Path(LUA, page.script).is_file()


def check_the_district_in_small(generated):
    assert Unit.objects.count() == 60
    assert Enterprise.objects.count() == 300
    assert Case.objects.count() == 1000
    events = CaseEvent.objects.count()
    assert events >= 5 * 1000  # every case has a timeline
    statuses = dict(Case.objects.values_list("status").annotate(n=Count("id")))
    assert statuses.get(Status.CLOSED, 0) > 800  # most cases closed ...
    assert 0 < sum(n for s, n in statuses.items() if s in OPEN_STATUSES) < 100  # ... a few open
    heavy = generated["heavy_enterprise_id"]
    assert Case.objects.filter(enterprise_id=heavy).count() == generated["heavy_case_count"] >= 40
    assert CaseEvent.objects.filter(case_id=generated["long_case_id"]).count() >= 100
    for code in Enterprise.objects.values_list("credit_code", flat=True)[:50]:
        validate_credit_code(code)  # raises on an invalid 统一社会信用代码


def check_ledger_chain_is_valid_and_records_every_step(later_action):
    result = ledger_verify()
    assert result.ok, result.summary()
    assert result.unchained == 0  # written as the sequencer would have chained them
    later = LedgerEntry.objects.filter(action=later_action)
    assert later.count() == SupervisionItem.objects.count() > 0
    assert result.checked == LedgerEntry.objects.count() == CaseEvent.objects.count() + len(later)
    # One chain in time order across the sources: the later app's entries are interleaved.
    times = list(LedgerEntry.objects.order_by("id").values_list("created_at", flat=True))
    assert times == sorted(times)
    assert LedgerEntry.objects.filter(id__gt=later.order_by("id").first().id,
                                      action__startswith="cases.").exists()


def check_ledger_digests_are_those_of_the_case_events():
    """An auditor rebuilds record_step's payload from each event and finds the entry's digest."""
    for case in Case.objects.order_by("?")[:20]:
        events = case.events.order_by("created_at", "id")
        entries = LedgerEntry.objects.filter(object_type="cases.case", object_id=str(case.pk))
        assert [e.payload_digest for e in entries.order_by("id")] == [ledger_payload_digest({
            "reference": case.reference, "event": e.pk, "from": e.from_status,
            "to": e.to_status, **e.extra}) for e in events]
        assert [e.action for e in entries.order_by("id")] == [f"cases.{e.action}"
                                                              for e in events]


def check_events_name_units_in_english_too():
    """English timelines show the unit's English name, as for events the engine records."""
    names = dict(Unit.objects.values_list("pk", "name_en"))
    events = CaseEvent.objects.filter(action__in=[Action.ASSIGN, Action.SIGN_FOR, Action.RETURN])
    assert events.count() > 1000
    for event in events.order_by("?")[:50]:
        assert event.extra["unit_name_en"] == names[event.extra["unit"]] != ""
        assert event.unit_name == names[event.extra["unit"]]  # the tests read English


def check_keywords_and_search_vector_are_the_engines():
    for case in Case.objects.order_by("?")[:25]:
        assert case.keywords == keywords_of(f"{case.title}\n{case.description}")
        tokens = search_tokens(f"{case.reference} {case.title} {case.description}")
        with connection.cursor() as cursor:
            cursor.execute("SELECT search_vector = to_tsvector('simple'::regconfig, %s) "
                           "FROM cases_case WHERE id = %s", [tokens, case.pk])
            assert cursor.fetchone()[0], case.reference


def check_timelines_are_consistent():
    for case in Case.objects.order_by("?")[:50]:
        events = list(case.events.order_by("created_at", "id"))
        assert events[0].action == "submit"
        status_steps = [e for e in events if e.action not in ("note", "supervise",
                                                              "supervision_closed")]
        assert status_steps[-1].to_status == case.status
        assert all(a.created_at <= b.created_at for a, b in zip(events, events[1:], strict=False))


def check_a_new_submission_gets_the_next_reference():
    from portal.cases.services._steps import reference_allocate

    newest = Case.objects.order_by("-submitted_at").first()
    year = int(newest.reference.split("-")[1])
    number = int(reference_allocate(year=year).rsplit("-", 1)[1])
    assert number == Case.objects.filter(reference__startswith=f"YS-{year}-").count() + 1


def check_refuses_to_generate_over_existing_data():
    with pytest.raises(SystemExit, match="already holds data"):
        bench_generate.generate(scale=SCALE, log=lambda *a: None)
    assert bench_generate.marker()["scale"] == SCALE


def check_baseline_view_renders_the_rows_and_counts_queries(generated, settings):
    settings.ROOT_URLCONF = "bench.urls"
    settings.MIDDLEWARE = ["bench.middleware.QueryCountMiddleware", *settings.MIDDLEWARE]
    settings.BENCH_HEAVY_ENTERPRISE_ID = generated["heavy_enterprise_id"]
    client = Client()
    response = client.get("/bench/baseline/20/")
    assert response.status_code == 200
    assert response.content.decode().count("<tr><td>") == 20
    assert response["X-Bench-Queries"] == "1"
    assert client.get("/bench/baseline/0/").status_code == 404
    assert client.get("/bench/baseline/501/").status_code == 404


def test_steps_run_after_what_they_need_and_the_ledger_last():
    order = [s.name for s in steps_in_order()]
    assert order.index("orgs") < order.index("cases") < order.index("notifications")
    assert order[-1] == "ledger"
    saved = dict(_STEPS)
    try:
        step("loop-a", after=["loop-b"])(lambda ctx: None)
        step("loop-b", after=["loop-a"])(lambda ctx: None)
        with pytest.raises(RuntimeError, match="cycle"):
            steps_in_order()
    finally:
        _STEPS.clear()
        _STEPS.update(saved)
    assert isinstance(saved["ledger"], Step)


def test_a_spool_releases_entries_in_time_order_and_refuses_one_too_early():
    spool = LedgerSpool("test")
    start = timezone.now()
    at = [start + datetime.timedelta(minutes=m) for m in range(6)]
    spool.add(at[0], 1, "cases.submit", "cases.case", "1", {"event": 1})
    spool.add(at[4], 1, "cases.answer", "cases.case", "1", {"event": 2})
    spool.release(at[1])
    spool.add(at[1], None, "cases.submit", "cases.case", "2", {"event": 3})
    spool.add(at[4], 2, "cases.answer", "cases.case", "2", {"event": 4})  # a tie: added later
    with pytest.raises(ValueError, match="came after"):
        spool.add(at[0], 2, "cases.note", "cases.case", "2", {})
    with pytest.raises(ValueError, match="tab, newline or backslash"):
        spool.add(at[5], 2, "cases\tnote", "cases.case", "2", {})
    entries = list(spool.entries())
    assert [(e[0], e[1], e[4]) for e in entries] == [
        (at[0], 1, "1"), (at[1], None, "2"), (at[4], 1, "1"), (at[4], 2, "2")]
    assert entries[2][5] == ledger_payload_digest({"event": 2})
    assert entries[1][6].split("\t")[1] == r"\N"  # COPY's NULL


@pytest.mark.django_db(transaction=True)
def test_a_failed_background_copy_is_reported_not_waited_for():
    ctx = Context(scale=SCALE, seed=1, now=timezone.now(), rnd=random.Random(1),
                  connection=None, connect=bench_generate._raw_connection)
    with pytest.raises(RuntimeError, match="COPY into cases_caseevent failed"):
        with BackgroundCopy(ctx, "cases_caseevent", ["id"]) as events:
            for _ in range(50_000):
                events.write("not a number\n")


def test_a_copy_whose_connection_died_is_reported_at_the_next_write_not_waited_for():
    def refused():
        raise OSError("connection refused")

    ctx = Context(scale=SCALE, seed=1, now=timezone.now(), rnd=random.Random(1),
                  connection=None, connect=refused)
    copy = BackgroundCopy(ctx, "cases_caseevent", ["id"])
    with pytest.raises(RuntimeError, match="COPY into cases_caseevent failed"):
        with copy:  # the thread dies at once; writes must not block on its full queue
            for _ in range(100_000):
                copy.write("1\n")
    assert copy.lines == 0


def _index_names() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE schemaname = 'public' "
                       "AND tablename = ANY(%s)", [list(bench_generate._BIG_TABLES)])
        return {name for (name,) in cursor.fetchall()}


@pytest.fixture
def no_marker():
    """The generator's marker table is not a model's: a flush leaves it. Start and end without."""
    def drop():
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {bench_generate.MARKER_TABLE}")

    drop()
    yield
    drop()


@pytest.mark.django_db(transaction=True)
def test_a_failed_generation_puts_back_indexes_and_ledger_constraints_and_says_incomplete(
        no_marker):
    before = _index_names()
    assert sum("hash" in name for name in before) >= 2  # the ledger's two unique hashes
    saved = dict(_STEPS)

    @step("failing", after=["orgs"])
    def failing(ctx):
        raise ValueError("a step failed")

    try:
        with pytest.raises(ValueError, match="a step failed"):
            bench_generate.generate(scale=SCALE, log=lambda *a: None)
    finally:
        _STEPS.clear()
        _STEPS.update(saved)
    assert _index_names() == before
    assert bench_generate.marker()["incomplete"] is True
    with pytest.raises(SystemExit, match="--force"):
        bench_generate.generate(scale=SCALE, log=lambda *a: None)
