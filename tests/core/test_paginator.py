"""The capped-count paginator: it counts at most cap + 1 rows, says "more than" past that in
words, and still serves every page beyond the cap."""

import pytest
from django.core.paginator import EmptyPage, PageNotAnInteger
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from portal.core.paginator import CappedCountPaginator
from portal.orgs.models import Unit
from tests.factories import UnitFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def units(db):
    Unit.objects.all().delete()  # the reference units of the migrations, if any
    return [UnitFactory(code=f"u{n:02d}") for n in range(1, 8)]  # 7 units


def paginator(cap, per_page=2):
    return CappedCountPaginator(Unit.objects.order_by("code"), per_page, cap=cap)


def test_a_short_list_is_counted_exactly(units):
    pages = paginator(cap=10)
    assert pages.count == 7 and not pages.count_capped
    assert pages.num_pages == 4 and pages.display_count == "7"
    last = pages.page(4)
    assert [u.code for u in last] == ["u07"] and not last.has_next()
    with pytest.raises(EmptyPage):
        pages.page(5)


def test_a_long_list_is_counted_up_to_the_cap_in_one_limited_query(units):
    pages = paginator(cap=3)
    with CaptureQueriesContext(connection) as queries:
        assert pages.count == 4  # cap + 1: "more than 3"
    assert len(queries) == 1
    sql = queries[0]["sql"].upper()
    assert "COUNT(*)" in sql and "LIMIT 4" in sql and "ORDER BY" not in sql
    assert pages.count_capped
    with translation.override("en"):
        assert pages.display_count == "3+"


def test_pages_beyond_the_cap_still_work_and_past_the_end_is_empty(units):
    pages = paginator(cap=3)  # counted 4 rows: two pages by the count, four really
    assert [u.code for u in pages.page(2)] == ["u03", "u04"]
    beyond = pages.page(3)
    assert [u.code for u in beyond] == ["u05", "u06"]  # not cut at the counted 4 rows
    assert beyond.has_next()
    assert [u.code for u in pages.page(4)] == ["u07"]
    assert not pages.page(4).has_next()
    with pytest.raises(EmptyPage):
        pages.page(5)
    with pytest.raises(EmptyPage):
        pages.page(0)
    with pytest.raises(PageNotAnInteger):
        pages.page("x")


def test_the_count_is_grouped_as_the_language_writes_numbers():
    pages = CappedCountPaginator(list(range(12_001)), 50)  # the default cap: 10,000
    assert pages.count == 10_001 and pages.count_capped
    with translation.override("en"):
        assert pages.display_count == "10,000+"
