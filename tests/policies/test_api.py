"""Policies API: the library for anyone, search, "for me" and the eligibility check for an
enterprise's member (refused for others), all in the OpenAPI schema."""

import pytest

from tests.factories import EnterpriseFactory, enterprise_user, unit_official
from tests.totp import login

from .factories import make_policy, published_policy, qualification

pytestmark = pytest.mark.django_db


def test_anyone_lists_searches_and_reads_a_policy(client):
    policy = published_policy()
    draft = make_policy(title="草稿政策")
    listed = client.get("/api/v1/policies/").json()
    assert [p["title"] for p in listed] == [policy.title]
    assert client.get("/api/v1/policies/", {"q": "高新技术企业"}).json()[0]["id"] == policy.pk
    assert client.get("/api/v1/policies/", {"q": "专精特新"}).json() == []
    detail = client.get(f"/api/v1/policies/{policy.pk}/").json()
    assert detail["status"] == "in_force" and detail["guide"]["amount"] == "最高50万元"
    assert [c["number"] for c in detail["clauses"]] == ["第二条", "第三条"]
    assert client.get(f"/api/v1/policies/{draft.pk}/").status_code == 404
    assert client.get("/api/v1/policies/", {"status": "nonsense"}).status_code == 400


def test_eligibility_and_for_me_for_an_enterprise_member(client):
    policy = published_policy()
    enterprise = EnterpriseFactory(registered_capital=None)
    enterprise.qualifications.add(qualification())
    client.force_login(enterprise_user(enterprise))
    got = client.get(f"/api/v1/policies/{policy.pk}/eligibility/").json()
    assert got["outcome"] == "unknown"
    assert got["missing"] == [{"fact": "registered_capital",
                               "label": "Registered capital (10,000 yuan)"}]
    assert got["reasons"] == [{"condition": "Qualification: High-tech enterprise",
                               "clause": "第二条"}]
    assert [p["policy"] for p in client.get("/api/v1/policies/for-me/").json()] == [policy.pk]


def test_for_me_is_refused_to_anonymous_and_officials(client):
    assert client.get("/api/v1/policies/for-me/").status_code in (401, 403)
    login(client, unit_official())
    assert client.get("/api/v1/policies/for-me/").status_code == 403


def test_the_schema_lists_the_policy_endpoints(client):
    schema = client.get("/api/schema/").content
    for path in (b"/api/v1/policies/", b"/api/v1/policies/for-me/",
                 b"/api/v1/policies/{id}/eligibility/"):
        assert path in schema
