"""One answer to "may this person take this step": the admin's step forms ask the very
permission functions the services require, so the Actions box offers a step exactly when the
service (and so the pages and the API) would take it."""

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied

from portal.cases import services
from portal.cases.admin_forms import steps_available
from tests.factories import UnitFactory, enterprise_user, unit_official
from tests.totp import login

from .factories import assigned_case

pytestmark = pytest.mark.django_db


def test_an_official_whose_role_lacks_the_admins_change_permission_is_offered_what_the_service_allows(
        client, dept, unit):
    """Regression: the forms also required `cases.change_case`, which no service asks; an
    official without it could sign for a case through the API but was offered nothing here."""
    official = unit_official(unit)
    official.user_permissions.remove(Permission.objects.get(codename="change_case"))
    official.groups.first().permissions.remove(Permission.objects.get(codename="change_case"))
    official = type(official).objects.get(pk=official.pk)
    case = assigned_case(dept, unit)
    colleague = unit_official(unit)  # the role as given, change_case included
    offered = [form.slug for form in steps_available(user=official, case=case)]
    assert offered == [form.slug for form in steps_available(user=colleague, case=case)]
    assert offered == ["sign-for", "return", "transfer", "note"]
    login(client, official)
    response = client.post(f"/admin/cases/case/{case.pk}/step/sign-for/", {})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == "signed_for"


def test_whom_the_admin_offers_nothing_the_service_refuses(dept, unit):
    case = assigned_case(dept, unit)
    for stranger in (unit_official(UnitFactory()), enterprise_user()):
        assert steps_available(user=stranger, case=case) == []
        with pytest.raises(PermissionDenied):
            services.case_sign_for(case=case, actor=stranger)


def test_every_admin_step_is_answered_by_the_rule_its_service_requires(dept, unit):
    """One table (permissions.STEP_RULES) answers both: each admin step names an action that
    has a rule, and for each person the form's answer is the rule's answer."""
    from portal.cases import permissions
    from portal.cases.admin_forms import STEP_FORMS

    case = assigned_case(dept, unit)
    people = [dept, unit_official(unit), unit_official(UnitFactory()), enterprise_user()]
    for form in STEP_FORMS.values():
        assert form.action in permissions.STEP_RULES, form.slug
        for person in people:
            assert form.allowed_for(person, case) == permissions.may_take(person, case,
                                                                           form.action)


def test_a_refused_step_says_who_may_take_it(dept, unit):
    case = assigned_case(dept, unit)
    with pytest.raises(PermissionDenied) as refused:
        services.case_answer(case=case, actor=unit_official(UnitFactory()), answer="x")
    assert case.reference in str(refused.value)
    with pytest.raises(PermissionDenied, match="business environment department"):
        services.case_close(case=case, actor=unit_official(unit))
