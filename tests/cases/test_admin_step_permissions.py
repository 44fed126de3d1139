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
