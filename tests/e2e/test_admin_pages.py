"""Every changelist and add page of the admin passes axe-core as department staff (issue 12).

The pages come from the admin's registry (`admin.site._registry`), not from a list kept by
hand: a model registered later joins by itself. Department staff sign in with the password and
the TOTP step, then one browser page visits each changelist they may view and each add page they
may use, with a row of each kind of record the portal has, so row-level controls are checked
too. Fails on serious or critical violations (an input without a name, ...).
"""

from __future__ import annotations

import datetime

import pytest
from allauth.account.models import EmailAddress
from django.contrib import admin
from django.test import RequestFactory
from django.urls import NoReverseMatch, reverse
from playwright.sync_api import expect

from tests.cases.factories import CategoryFactory, ReplyTemplateFactory, assigned_case
from tests.e2e.signin import staff_sign_in
from tests.factories import UnitFactory, department_staff, enterprise_user
from tests.notifications.factories import NotificationFactory
from tests.routing.factories import RoutingRuleFactory
from tests.totp import activate_totp
from tests.workdays.factories import CalendarDayFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def admin_pages(user) -> list[str]:
    """Return the changelist and add pages of every registered model that `user` may open."""
    request = RequestFactory().get("/admin/")
    request.user = user
    paths = []
    for model, model_admin in admin.site._registry.items():
        info = (model._meta.app_label, model._meta.model_name)
        if model_admin.has_view_or_change_permission(request):
            paths.append(reverse("admin:{}_{}_changelist".format(*info)))
        if model_admin.has_add_permission(request):
            try:
                paths.append(reverse("admin:{}_{}_add".format(*info)))
            except NoReverseMatch:  # an admin without an add view (its urls say so)
                pass
    return paths


def some_of_everything(dept) -> None:
    """A record of each kind a department's desk lists, so the rows are checked too."""
    unit = UnitFactory(code="scjg-axe", name="区市场监督管理局",
                       name_en="District Market Regulation Administration")
    category = CategoryFactory(code="market-axe", name_zh_hans="市场准入",
                               name_zh_hant="市場準入", name_en="Market access")
    boss = enterprise_user(admin=True, full_name="张经理")
    assigned_case(dept, unit, submitter=boss, category=category, title="营业执照变更咨询")
    ReplyTemplateFactory(unit=unit, title="营业执照办理指引")
    RoutingRuleFactory(name="营业执照", unit=unit, keywords=["营业执照"])
    CalendarDayFactory(date=datetime.date(2027, 1, 1), name="元旦")
    NotificationFactory(recipient=boss, subject="您的诉求已交办", body="已交办区市场监督管理局。")


def test_every_admin_changelist_and_add_page_passes_axe_as_department_staff(
        page, live_server, axe_check, shot):
    base = live_server.url
    dept = department_staff(email="chen@yshj.gov.cn", full_name="陈处长")
    EmailAddress.objects.create(user=dept, email=dept.email, verified=True, primary=True)
    secret = activate_totp(dept)
    some_of_everything(dept)
    paths = admin_pages(dept)
    # The registry reaches the pages the issue named, and changelists of every app.
    assert {"/admin/routing/routingrule/add/", "/admin/orgs/unit/add/",
            "/admin/cases/case/", "/admin/workdays/calendarday/"} <= set(paths)

    staff_sign_in(page, base, dept, secret, axe_check, path="/admin/")
    failures = []
    for path in paths:
        response = page.goto(base + path)
        assert response is not None and response.ok, f"{path}: {response and response.status}"
        try:
            axe_check(page)
        except pytest.fail.Exception as failed:
            failures.append(str(failed))
            shot(page, f"axe-{path}")
    assert not failures, "\n\n".join(failures)

    # The autocomplete boxes axe once found nameless are named by their field's label.
    page.goto(base + "/admin/routing/routingrule/add/")
    expect(page.get_by_role("combobox", name="分派至单位")).to_be_visible()
    page.goto(base + "/admin/orgs/unit/add/")
    expect(page.get_by_role("combobox", name="上级单位")).to_be_visible()
    shot(page, "unit-add")
