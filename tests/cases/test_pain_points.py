"""Pain points (Art. 6(1)): appeals grouped by category and topic per period, ranked, and
turned into supervision items (督办)."""

import datetime

import pytest
import time_machine
from django.core.cache import caches
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from portal.accounts.models import User
from portal.cases import selectors, services
from portal.cases.constants import SupervisionSource
from portal.cases.models import SupervisionItem

from .factories import INVOICES, LAND, CategoryFactory, local_dt, submit_case

pytestmark = pytest.mark.django_db

MARCH = (datetime.date(2026, 3, 1), datetime.date(2026, 3, 31))


@pytest.fixture
def appeals(db):
    tax, land = CategoryFactory(code="tax-test"), CategoryFactory(code="land-test")
    with time_machine.travel(local_dt(2026, 3, 10, 9, 0), tick=False):
        for title, text in INVOICES:
            submit_case(category=tax, title=title, description=text)
        submit_case(category=tax, title="出口退税进度慢", description="出口退税申请三个月没有到账。")
        for title, text in LAND:
            submit_case(category=land, title=title, description=text)
    with time_machine.travel(local_dt(2026, 4, 2, 9, 0), tick=False):  # another period
        submit_case(category=tax, title="发票额度", description="发票额度不够。")
    return tax, land


def test_pain_points_are_ranked_by_count_with_an_explainable_topic(dept, appeals):
    tax, land = appeals
    points = selectors.pain_points(user=dept, start=MARCH[0], end=MARCH[1])
    assert [(p.category, p.topic, p.count) for p in points] == [
        (land, "用地", 4), (tax, "发票", 3), (tax, "", 1)]
    assert points[2].label == tax.name  # no keyword stands out: the category is the topic
    assert points[1].label == f"{tax.name} · 发票"


def test_only_people_allowed_read_pain_points(official, submitter, appeals):
    for person in (official, submitter):
        with pytest.raises(PermissionDenied):
            selectors.pain_points(user=person, start=MARCH[0], end=MARCH[1])


def test_a_pain_point_becomes_a_supervision_item_once(dept, unit, appeals,
                                                     django_capture_on_commit_callbacks):
    tax, _land = appeals
    kwargs = dict(category=tax, topic="发票", period_start=MARCH[0], period_end=MARCH[1],
                  unit=unit, target="发票领用一次办结，额度审核三个工作日内完成",
                  due_date=datetime.date(2099, 6, 30))
    with django_capture_on_commit_callbacks(execute=True):
        item = services.supervision_open_for_pain_point(actor=dept, **kwargs)
    assert item.source == SupervisionSource.PAIN_POINT and item.unit == unit
    assert sorted(c.title for c in item.cases.all()) == sorted(t for t, _ in INVOICES)
    with pytest.raises(ValidationError, match="already exists"):
        services.supervision_open_for_pain_point(actor=dept, **kwargs)
    assert SupervisionItem.objects.count() == 1


def test_pain_point_supervision_refusals(dept, official, unit, appeals):
    tax, _land = appeals
    base = dict(category=tax, topic="发票", period_start=MARCH[0], period_end=MARCH[1],
                unit=unit, target="目标", due_date=datetime.date(2099, 1, 1))
    with pytest.raises(PermissionDenied):
        services.supervision_open_for_pain_point(actor=official, **base)
    with pytest.raises(ValidationError) as exc:
        services.supervision_open_for_pain_point(actor=dept, **{**base, "target": ""})
    assert "target" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.supervision_open_for_pain_point(
            actor=dept, **{**base, "due_date": datetime.date(2000, 1, 1)})
    assert exc.value.message_dict == {"due_date": ["Choose a due date after today."]}
    with pytest.raises(ValidationError, match="No appeals"):
        services.supervision_open_for_pain_point(actor=dept, **{**base, "topic": "不存在"})
    assert not SupervisionItem.objects.exists()


def test_pain_points_cost_the_same_queries_for_few_and_many_appeals(dept, appeals):
    tax, _land = appeals

    def run():
        caches["permissions"].clear()  # the permissions read each time, as on a first page
        with CaptureQueriesContext(connection) as ctx:
            selectors.pain_points(user=User.objects.get(pk=dept.pk), start=MARCH[0],
                                  end=MARCH[1])
        return len(ctx.captured_queries)

    before = run()
    with time_machine.travel(local_dt(2026, 3, 20, 9, 0), tick=False):
        for i in range(10):
            submit_case(category=CategoryFactory(), title=f"问题{i}", description="水电气报装")
    assert run() == before == 4  # the user, permissions (one query), appeals, categories
