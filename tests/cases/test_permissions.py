"""Roles get the case engine's permissions; object-level rules in permissions.py."""

import pytest

from portal.cases import permissions
from tests.factories import UserFactory

from .factories import assigned_case, submit_case

pytestmark = pytest.mark.django_db


def test_roles_hold_the_case_permissions(dept, official, submitter):
    assert official.has_perm("cases.view_case") and official.has_perm("cases.change_case")
    assert not official.has_perm("cases.manage_supervision")
    assert dept.has_perm("cases.manage_supervision") and dept.has_perm("cases.view_pain_points")
    assert dept.has_perm("cases.change_deadlinerule") and dept.has_perm("cases.change_enginesettings")
    assert not submitter.has_perm("cases.view_case")


def test_object_rules(dept, unit, official, other_official, submitter, colleague, ent_admin,
                      stranger):
    case = assigned_case(dept, unit, submitter=submitter)
    assert permissions.can_view_case(dept, case) and permissions.sees_internal(dept, case)
    assert permissions.can_handle(official, case) and permissions.sees_internal(official, case)
    assert not permissions.can_view_case(other_official, case)
    assert permissions.can_act_for_submitter(submitter, case)
    assert permissions.can_act_for_submitter(ent_admin, case)
    assert not permissions.can_act_for_submitter(colleague, case)
    assert not permissions.can_view_case(stranger, case)
    assert not permissions.sees_internal(submitter, case)
    assert not permissions.can_dispatch(official)


def test_inactive_and_anonymous_people_see_nothing(submitter):
    from django.contrib.auth.models import AnonymousUser

    case = submit_case(submitter)
    submitter.is_active = False
    submitter.save()
    assert not permissions.can_view_case(submitter, case)
    assert not permissions.can_view_case(AnonymousUser(), case)
    assert not permissions.can_view_case(UserFactory(), case)
