"""Policies API writes for a member of an enterprise: supplying a missing fact (evaluated
again at once), marking a policy not relevant and back, subscribing to a topic and back; the
same services as the pages, refused to anonymous callers and officials, never touching another
enterprise's data, bad input answered with the fields' messages and nothing saved."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from policies.models import Certificate, Declaration, NotRelevant, Topic, TopicSubscription
from tests.factories import EnterpriseFactory, enterprise_user, unit_official
from tests.totp import login

from .factories import make_policy, published_policy, qualification

pytestmark = pytest.mark.django_db


def _member(client, **enterprise):
    enterprise = EnterpriseFactory(**enterprise)
    client.force_login(enterprise_user(enterprise))
    return enterprise


def _fields(response):
    return response.json()["error"]["fields"]


def test_supplying_the_missing_figure_makes_the_enterprise_eligible(client):
    policy = published_policy()
    enterprise = _member(client, registered_capital=None)
    enterprise.qualifications.add(qualification())
    got = client.post(
        f"/api/v1/policies/{policy.pk}/facts/",
        {"key": "registered_capital", "value": "500"},
        content_type="application/json",
    )
    assert got.status_code == 200, got.content
    assert got.json()["outcome"] == "eligible" and got.json()["missing"] == []
    enterprise.refresh_from_db()
    assert enterprise.registered_capital == 500
    assert client.get(f"/api/v1/policies/{policy.pk}/eligibility/").json()["outcome"] == (
        "eligible"
    )


def test_a_qualification_with_its_certificate_makes_the_enterprise_eligible(client):
    policy = published_policy()
    enterprise = _member(client, registered_capital=500)
    assert (
        client.get(f"/api/v1/policies/{policy.pk}/eligibility/").json()["missing"][0]["fact"]
        == "qualification:high-tech"
    )
    # held, without the certificate: refused on the field, nothing saved
    refused = client.post(
        f"/api/v1/policies/{policy.pk}/facts/", {"key": "qualification:high-tech", "holds": "true"}
    )
    assert refused.status_code == 400
    assert _fields(refused) == {"certificate": ["Attach the certificate of the qualification."]}
    assert not enterprise.qualifications.exists() and not Certificate.objects.exists()
    certificate = SimpleUploadedFile("证书.pdf", b"%PDF-1.4 certificate", "application/pdf")
    got = client.post(
        f"/api/v1/policies/{policy.pk}/facts/",
        {"key": "qualification:high-tech", "holds": "true", "certificate": certificate},
    )
    assert got.status_code == 200, got.content
    assert got.json()["outcome"] == "eligible"
    assert list(enterprise.qualifications.values_list("code", flat=True)) == ["high-tech"]
    assert Certificate.objects.filter(enterprise=enterprise).count() == 1


def test_declaring_a_qualification_not_held_makes_the_enterprise_not_eligible(client):
    policy = published_policy()
    enterprise = _member(client, registered_capital=500)
    got = client.post(
        f"/api/v1/policies/{policy.pk}/facts/",
        {"key": "qualification:high-tech", "holds": False},
        content_type="application/json",
    )
    assert got.status_code == 200 and got.json()["outcome"] == "not_eligible"
    assert Declaration.objects.get(enterprise=enterprise).value is False


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        (
            {"key": "registered_capital", "value": "-5"},
            "value",
            "Ensure this value is greater than or equal to 0.",
        ),
        ({"key": "registered_capital", "value": "abc"}, "value", None),
        ({"key": "registered_capital"}, "value", "Enter a value."),
        (
            {"key": "founded_on", "value": "500"},
            "key",
            "This policy does not need this fact: it was already given, or the policy does "
            "not ask for it.",
        ),
        ({"key": "qualification:high-tech"}, "holds", "Answer yes or no."),
        ({"value": "500"}, "key", "This field is required."),
    ],
)
def test_bad_input_is_refused_with_the_fields_messages_and_nothing_saved(
    client, body, field, message
):
    policy = published_policy()
    enterprise = _member(client, registered_capital=None)
    got = client.post(f"/api/v1/policies/{policy.pk}/facts/", body, content_type="application/json")
    assert got.status_code == 400
    assert got.json()["error"]["code"] == "invalid"
    assert list(_fields(got)) == [field]
    if message:
        assert _fields(got)[field] == [message]
    enterprise.refresh_from_db()
    assert enterprise.registered_capital is None
    assert not enterprise.qualifications.exists() and not Declaration.objects.exists()


def test_messages_are_in_the_chosen_language(client):
    policy = published_policy()
    _member(client, registered_capital=None)
    client.cookies["portal_language"] = "zh-hans"
    got = client.post(
        f"/api/v1/policies/{policy.pk}/facts/",
        {"key": "founded_on"},
        content_type="application/json",
    )
    assert got.status_code == 400
    assert _fields(got)["key"] == ["本政策不需要这项信息：已经提供过，或本政策并不要求。"]


def test_not_relevant_and_back(client):
    policy = published_policy()
    enterprise = _member(client, registered_capital=500)
    enterprise.qualifications.add(qualification())
    url = f"/api/v1/policies/{policy.pk}/not-relevant/"
    got = client.post(url, {"not_relevant": True}, content_type="application/json")
    assert got.status_code == 200 and got.json() == {"policy": policy.pk, "not_relevant": True}
    assert NotRelevant.objects.filter(enterprise=enterprise, policy=policy).exists()
    assert client.get("/api/v1/policies/for-me/").json() == []
    got = client.post(url, {"not_relevant": False}, content_type="application/json")
    assert got.json() == {"policy": policy.pk, "not_relevant": False}
    assert not NotRelevant.objects.exists()
    assert [p["policy"] for p in client.get("/api/v1/policies/for-me/").json()] == [policy.pk]
    bad = client.post(url, {"not_relevant": "perhaps"}, content_type="application/json")
    assert bad.status_code == 400 and list(_fields(bad)) == ["not_relevant"]
    assert not NotRelevant.objects.exists()


def test_subscribe_and_unsubscribe(client):
    topic = Topic.objects.create(code="tech", name="科技创新")
    enterprise = _member(client)
    url = "/api/v1/policies/subscriptions/"
    got = client.post(url, {"topic": "tech", "subscribed": True}, content_type="application/json")
    assert got.status_code == 200 and got.json() == {"topic": "tech", "subscribed": True}
    assert TopicSubscription.objects.filter(enterprise=enterprise, topic=topic).exists()
    got = client.post(url, {"topic": "tech", "subscribed": False}, content_type="application/json")
    assert got.json() == {"topic": "tech", "subscribed": False}
    assert not TopicSubscription.objects.exists()
    bad = client.post(
        url, {"topic": "no-such", "subscribed": True}, content_type="application/json"
    )
    assert bad.status_code == 400 and list(_fields(bad)) == ["topic"]
    assert not TopicSubscription.objects.exists()


def test_only_the_callers_own_enterprise_is_touched(client):
    """The writes act for the caller's enterprise only: there is no input naming another."""
    Topic.objects.create(code="tech", name="科技创新")
    policy = published_policy()
    other = EnterpriseFactory(registered_capital=None)
    mine = _member(client, registered_capital=None)
    mine.qualifications.add(qualification())
    client.post(
        f"/api/v1/policies/{policy.pk}/facts/",
        {"key": "registered_capital", "value": "500", "enterprise": other.pk},
        content_type="application/json",
    )
    client.post(
        f"/api/v1/policies/{policy.pk}/not-relevant/",
        {"not_relevant": True, "enterprise": other.pk},
        content_type="application/json",
    )
    client.post(
        "/api/v1/policies/subscriptions/",
        {"topic": "tech", "subscribed": True, "enterprise": other.pk},
        content_type="application/json",
    )
    other.refresh_from_db()
    assert other.registered_capital is None
    assert not NotRelevant.objects.filter(enterprise=other).exists()
    assert not TopicSubscription.objects.filter(enterprise=other).exists()
    assert NotRelevant.objects.get().enterprise == mine
    assert TopicSubscription.objects.get().enterprise == mine


def _writes(policy_pk):
    return [
        (f"/api/v1/policies/{policy_pk}/facts/", {"key": "registered_capital", "value": "500"}),
        (f"/api/v1/policies/{policy_pk}/not-relevant/", {"not_relevant": True}),
        ("/api/v1/policies/subscriptions/", {"topic": "tech", "subscribed": True}),
    ]


def test_refused_to_anonymous_and_officials(client):
    Topic.objects.create(code="tech", name="科技创新")
    policy = published_policy()
    for url, body in _writes(policy.pk):
        assert client.post(url, body, content_type="application/json").status_code == 403
    login(client, unit_official(policy.unit))
    for url, body in _writes(policy.pk):
        got = client.post(url, body, content_type="application/json")
        assert got.status_code == 403
        assert got.json()["error"]["code"] == "permission_denied"
    assert not NotRelevant.objects.exists() and not TopicSubscription.objects.exists()


def test_a_policy_not_in_force_or_unknown_is_not_found(client):
    draft = make_policy(title="草稿政策")
    _member(client, registered_capital=None)
    for pk in (draft.pk, 999999):
        for url, body in _writes(pk)[:2]:
            got = client.post(url, body, content_type="application/json")
            assert got.status_code == 404, url
    assert not NotRelevant.objects.exists()


def test_the_schema_documents_the_writes(client):
    schema = client.get("/api/schema/", {"format": "json"}).json()
    paths = schema["paths"]
    for path in ("/api/v1/policies/{id}/facts/", "/api/v1/policies/{id}/not-relevant/"):
        responses = paths[path]["post"]["responses"]
        assert {"200", "400", "403", "404"} <= set(responses)
        assert paths[path]["post"]["tags"] == ["policies"]
    responses = paths["/api/v1/policies/subscriptions/"]["post"]["responses"]
    assert {"200", "400", "403"} <= set(responses)
    facts = paths["/api/v1/policies/{id}/facts/"]["post"]["requestBody"]["content"]
    assert set(facts) == {"application/json", "multipart/form-data"}
