"""The demo appeals (portal/appeals/demo.py): every state the pages show, made through the
services, idempotent, and something real on the enterprise's pages."""

from importlib import import_module

import pytest
from django.apps import apps
from django.urls import reverse

from portal.appeals import demo
from portal.cases.constants import Status, SupervisionSource
from portal.cases.models import Case, SupervisionItem
from portal.core.demo import seed_core
from tests.factories import industry

pytestmark = pytest.mark.django_db


@pytest.fixture
def ctx():
    # Reference data a test database flushed by a browser test may have lost.
    for section in ("C", "G", "I", "S"):
        industry(section)
    import_module("portal.cases.migrations.0002_defaults").forwards(apps, None)
    return seed_core(password="Demo-2026-yingshang", totp_secret="JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")


def test_demo_appeals_cover_every_state_and_seeding_twice_adds_nothing(ctx):
    demo.seed(ctx)
    assert ctx["cases_made"] == len(demo.APPEALS) == 13
    statuses = set(Case.objects.values_list("status", flat=True))
    assert {Status.SUBMITTED, Status.ASSIGNED, Status.SIGNED_FOR, Status.IN_PROGRESS,
            Status.INFO_REQUESTED, Status.ANSWERED, Status.CLOSED, Status.REOPENED,
            Status.RETURNED, Status.NOT_ACCEPTED} <= statuses
    overdue = [c for c in Case.objects.all() if c.is_overdue]
    assert len(overdue) == 2 and all(c.is_supervised for c in overdue)
    assert SupervisionItem.objects.filter(source=SupervisionSource.OVERDUE).count() == 2
    rated = Case.objects.filter(status=Status.CLOSED).values_list("satisfaction", flat=True)
    assert sorted(rated) == [4, 5]
    # Back-dated: the timeline of a closed case spans weeks, in order.
    closed = Case.objects.get(title="申请研发费用加计扣除政策辅导")
    times = list(closed.events.values_list("created_at", flat=True))
    assert times == sorted(times) and (times[-1] - times[0]).days >= 5

    demo.seed(ctx)
    assert ctx["cases_made"] == 0 and Case.objects.count() == 13


def test_the_enterprise_pages_show_the_demo(client, ctx):
    demo.seed(ctx)
    admin = ctx["people"]["admin@demo-zhizao.cn"]
    client.force_login(admin)
    listing = client.get(reverse("cases:list"))
    # The administrator sees all of the enterprise's cases, and no other enterprise's.
    ours = set(Case.objects.filter(enterprise=admin.enterprise).values_list("pk", flat=True))
    assert len(ours) >= 5 and Case.objects.exclude(pk__in=ours).exists()
    assert {c.pk for c in listing.context["cases"]} == ours
    assert "厂区周边道路破损影响货车通行" in listing.content.decode()
    answered = Case.objects.get(title="厂区周边道路破损影响货车通行")
    page = client.get(reverse("cases:detail", args=[answered.pk])).content.decode()
    assert 'name="score"' in page and "道路修复计划.pdf" in page
    asking = Case.objects.get(title="员工社保转移接续手续繁琐")
    page = client.get(reverse("cases:detail", args=[asking.pk])).content.decode()
    assert "请提供三名员工的姓名" in page and 'name="information"' in page
