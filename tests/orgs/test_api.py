import pytest

from portal.orgs.models import JoinRequest
from portal.orgs.services import join_request_submit
from tests.factories import EnterpriseFactory, UnitFactory, UserFactory, enterprise_user

pytestmark = pytest.mark.django_db


def test_units_list_needs_login(client):
    UnitFactory(name="甲局")
    assert client.get("/api/v1/orgs/units/").status_code == 403
    client.force_login(enterprise_user())
    assert "甲局" in [u["name"] for u in client.get("/api/v1/orgs/units/").json()]


def test_own_enterprise_only(client):
    user = enterprise_user()
    EnterpriseFactory(name="别人的公司")
    client.force_login(user)
    body = client.get("/api/v1/orgs/enterprise/").json()
    assert body["credit_code"] == user.enterprise.credit_code
    client.force_login(UserFactory())
    assert client.get("/api/v1/orgs/enterprise/").json()["error"]["code"] == "not_found"


def test_join_requests_decided_through_api_by_admin_only(client):
    admin = enterprise_user(admin=True)
    jr = join_request_submit(user=UserFactory(), enterprise=admin.enterprise)
    client.force_login(enterprise_user(admin.enterprise))
    assert client.get("/api/v1/orgs/join-requests/").status_code == 403
    assert client.post(f"/api/v1/orgs/join-requests/{jr.pk}/decide/", {"approve": True}).status_code == 403
    client.force_login(admin)
    assert [r["id"] for r in client.get("/api/v1/orgs/join-requests/").json()] == [jr.pk]
    bad = client.post(f"/api/v1/orgs/join-requests/{jr.pk}/decide/", {"approve": "maybe"})
    assert bad.status_code == 400 and "approve" in bad.json()["error"]["fields"]
    ok = client.post(f"/api/v1/orgs/join-requests/{jr.pk}/decide/", {"approve": True})
    assert ok.json()["status"] == JoinRequest.Status.APPROVED
    again = client.post(f"/api/v1/orgs/join-requests/{jr.pk}/decide/", {"approve": False})
    assert again.status_code == 400
    assert "already been decided" in again.json()["error"]["fields"]["non_field_errors"][0]


def test_openapi_schema_is_served(client):
    response = client.get("/api/schema/")
    assert response.status_code == 200
    assert b"/api/v1/orgs/units/" in response.content
