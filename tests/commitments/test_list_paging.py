"""The commitments list page and list API are read a page at a time, newest first (keyset on
the commitment_newest index), in a fixed number of queries whatever the page holds.

Regression: both stopped at 200 commitments with no way to see the others."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from policies.commitments.constants import CommitmentKind
from policies.commitments.models import Commitment
from policies.commitments.views import PAGE_SIZE
from tests.factories import UnitFactory, enterprise_user

from .factories import commitment

pytestmark = pytest.mark.django_db

TITLE = "公开承诺第{:03d}号"


def public_commitments(n: int, unit=None) -> list[Commitment]:
    unit = unit or UnitFactory()
    start = timezone.now() - datetime.timedelta(days=1)
    made = []
    for i in range(n):
        c = commitment(unit=unit, kind=CommitmentKind.PUBLIC_SERVICE, title=TITLE.format(i))
        # distinct times, and two equal ones: the id breaks the tie
        Commitment.objects.filter(pk=c.pk).update(
            created_at=start + datetime.timedelta(minutes=i if i != 1 else 0)
        )
        made.append(c)
    return made


def titles(html: str) -> list[str]:
    return [t for t in (TITLE.format(i) for i in range(300)) if t in html]


def test_the_list_page_pages_through_every_commitment_newest_first(client):
    public_commitments(PAGE_SIZE + 5)
    first = client.get("/commitments/").content.decode()
    assert len(titles(first)) == PAGE_SIZE
    assert TITLE.format(PAGE_SIZE + 4) in first and TITLE.format(0) not in first
    older = first.split('rel="next"')[0].rsplit('href="', 1)[1].split('"')[0]
    second = client.get("/commitments/" + older.replace("&amp;", "&")).content.decode()
    assert sorted(titles(second)) == sorted(TITLE.format(i) for i in range(5))
    assert set(titles(first)).isdisjoint(titles(second))
    assert 'rel="next"' not in second and "Newest" in second
    # A cursor that cannot be read gives the first page, not an error.
    assert client.get("/commitments/", {"after": "bogus"}).status_code == 200


def test_the_list_page_reads_one_commitment_query_for_one_row_or_a_full_page(client):
    """The page's commitments with their unit, enterprise and policy in one query: none per
    row. Its own queries are pinned; the layout's are equal for both pages."""
    member = enterprise_user()
    client.force_login(member)
    unit = UnitFactory()
    totals = []
    for n in (1, PAGE_SIZE):
        Commitment.objects.all().delete()
        public_commitments(n - 1, unit=unit)
        commitment(unit=unit, enterprise=member.enterprise, title="本企业协议")  # named party
        client.get("/commitments/")  # the navigation's cached fragment is warm
        with CaptureQueriesContext(connection) as ctx:
            page = client.get("/commitments/")
        assert page.status_code == 200 and "本企业协议" in page.content.decode()
        own = [q["sql"] for q in ctx.captured_queries if '"commitments_' in q["sql"]]
        assert len(own) == 1, own
        totals.append(len(ctx))
    assert totals[0] == totals[1]


def test_the_list_api_pages_with_a_cursor():
    public_commitments(7)
    api = APIClient()
    first = api.get("/api/v1/commitments/", {"page_size": 5}).json()
    assert [r["title"] for r in first["results"]] == [TITLE.format(i) for i in (6, 5, 4, 3, 2)]
    second = APIClient().get(first["next"]).json()
    assert [r["title"] for r in second["results"]] == [TITLE.format(1), TITLE.format(0)]
    assert second["next"] is None
    bad = api.get("/api/v1/commitments/", {"cursor": "not-a-cursor"})
    assert bad.status_code == 404 and bad.json()["error"]["code"] == "not_found"
