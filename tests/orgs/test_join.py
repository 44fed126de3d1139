"""A colleague asks to join; only that enterprise's administrator decides."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from portal.orgs.models import JoinRequest
from portal.orgs.services import join_request_decide, join_request_submit
from tests.factories import EnterpriseFactory, UserFactory, enterprise_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin():
    return enterprise_user(admin=True)


@pytest.fixture
def request_to_join(admin):
    return join_request_submit(user=UserFactory(), enterprise=admin.enterprise, message="新同事")


def test_admin_approves_in_the_members_page(client, admin, request_to_join):
    client.force_login(admin)
    page = client.get("/enterprise/members/")
    assert request_to_join.user.email in page.content.decode()
    response = client.post(f"/enterprise/members/{request_to_join.pk}/decide/", {"decision": "approve"}, follow=True)
    assert "may now act for the enterprise" in response.content.decode()
    applicant = request_to_join.user
    applicant.refresh_from_db()
    assert applicant.enterprise == admin.enterprise
    # a fresh user object: permission caches are per instance
    applicant = type(applicant).objects.get(pk=applicant.pk)
    assert applicant.has_perm("orgs.act_for_enterprise")
    assert not applicant.has_perm("orgs.manage_enterprise_members")
    assert applicant.notifications.filter(subject__contains=admin.enterprise.name).exists()


def test_reject_leaves_applicant_without_enterprise(admin, request_to_join):
    join_request_decide(actor=admin, join_request=request_to_join, approve=False)
    request_to_join.refresh_from_db()
    assert request_to_join.status == JoinRequest.Status.REJECTED
    request_to_join.user.refresh_from_db()
    assert request_to_join.user.enterprise is None


def test_deciding_twice_is_refused(admin, request_to_join):
    join_request_decide(actor=admin, join_request=request_to_join, approve=True)
    with pytest.raises(ValidationError, match="already been decided"):
        join_request_decide(actor=admin, join_request=request_to_join, approve=False)


def test_ordinary_member_cannot_decide(admin, request_to_join, client):
    member = enterprise_user(admin.enterprise)
    with pytest.raises(PermissionDenied):
        join_request_decide(actor=member, join_request=request_to_join, approve=True)
    client.force_login(member)
    assert client.get("/enterprise/members/").status_code == 403


def test_administrator_of_another_enterprise_cannot_decide(request_to_join, client):
    other_admin = enterprise_user(EnterpriseFactory(), admin=True)
    with pytest.raises(PermissionDenied):
        join_request_decide(actor=other_admin, join_request=request_to_join, approve=True)
    client.force_login(other_admin)
    response = client.post(f"/enterprise/members/{request_to_join.pk}/decide/", {"decision": "approve"})
    assert response.status_code == 404
    request_to_join.refresh_from_db()
    assert request_to_join.status == JoinRequest.Status.PENDING


def test_second_pending_request_is_refused(admin):
    user = UserFactory()
    join_request_submit(user=user, enterprise=admin.enterprise)
    with pytest.raises(ValidationError, match="already asked"):
        join_request_submit(user=user, enterprise=EnterpriseFactory())


def test_enterprise_profile_edit_by_admin_only(client, admin):
    member = enterprise_user(admin.enterprise)
    client.force_login(member)
    assert client.post("/enterprise/", {"name": "改名"}).status_code == 403
    client.force_login(admin)
    data = {"name": "新名称有限公司", "kind": "enterprise", "industry": "I", "industry_division": "65",
            "size": "medium", "address": "科学城"}
    response = client.post("/enterprise/", data, follow=True)
    assert "The enterprise profile was saved" in response.content.decode()
    admin.enterprise.refresh_from_db()
    assert admin.enterprise.name == "新名称有限公司"
