"""Policy pages as an enterprise reads them: validity stated plainly, "policies for me" with
reasons, an unknown result asking for exactly the missing fact, supplying it, and the admin
refusing unsound conditions."""

import datetime

import pytest
import time_machine
from django.conf import settings
from django.core.cache import caches
from django.core.files.uploadedfile import SimpleUploadedFile

from policies import services
from policies.models import Policy, PolicyStatus
from tests.factories import EnterpriseFactory, enterprise_user, unit_official
from tests.totp import login

from .factories import make_policy, published_policy, qualification

pytestmark = pytest.mark.django_db


def test_the_policy_page_states_its_validity_and_the_library_lists_it(client):
    policy = published_policy()
    page = client.get(f"/policies/{policy.pk}/").content.decode()
    end = policy.ends_on.isoformat()
    assert f"In force from {policy.issued_on.isoformat()} until {end}." in page
    assert f"It expires at the end of {end}." in page
    assert "高新技术企业" in page and "最高50万元" in page  # the guide
    assert policy.title in client.get("/policies/").content.decode()


def test_a_superseded_policy_links_to_its_successor_and_a_draft_is_not_shown(client):
    new = published_policy(title="新办法")
    old = make_policy(title="旧办法", status=PolicyStatus.SUPERSEDED, superseded_by=new)
    page = client.get(f"/policies/{old.pk}/").content.decode()
    assert "Superseded" in page and f'href="/policies/{new.pk}/"' in page
    draft = make_policy(title="草稿")
    assert client.get(f"/policies/{draft.pk}/").status_code == 404
    assert "草稿" not in client.get("/policies/").content.decode()


def test_for_me_shows_reasons_and_leaves_out_the_not_eligible_and_the_expired(client):
    policy = published_policy()
    # Published while in force; its last day has passed, the daily job has not run yet.
    noon = datetime.datetime(2025, 6, 2, 12, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))
    with time_machine.travel(noon, tick=False):
        expired = published_policy(
            title="已过期政策",
            expires_on=datetime.date(2026, 1, 1),
            issued_on=datetime.date(2024, 1, 1),
        )
    assert expired.status == PolicyStatus.IN_FORCE
    assert expired.ends_on < datetime.date.today()
    yes = EnterpriseFactory(registered_capital=500)
    yes.qualifications.add(qualification())
    client.force_login(enterprise_user(yes))
    page = client.get("/policies/for-me/").content.decode()
    assert policy.title in page and "Eligible" in page
    assert "Qualification: High-tech enterprise" in page and "clause 第二条" in page
    assert "已过期政策" not in page
    client.force_login(enterprise_user(EnterpriseFactory(registered_capital=10)))
    page = client.get("/policies/for-me/").content.decode()
    assert policy.title not in page
    assert "No policy in force concerns your enterprise for now." in page


def test_an_unknown_result_asks_for_the_missing_fact_and_supplying_it_decides(client):
    policy = published_policy()
    enterprise = EnterpriseFactory(registered_capital=500)
    client.force_login(enterprise_user(enterprise))
    page = client.get(f"/policies/{policy.pk}/").content.decode()
    assert "Not yet known: some facts about your enterprise are missing." in page
    assert "Whether you hold the qualification “High-tech enterprise”" in page
    # "Yes" without the certificate is refused, nothing saved
    page = client.post(
        f"/policies/{policy.pk}/facts/",
        {"key": "qualification:high-tech", "qualification-high-tech-holds": "yes"},
    )
    assert page.status_code == 400
    assert "Attach the certificate of the qualification." in page.content.decode()
    assert not enterprise.qualifications.exists()
    certificate = SimpleUploadedFile("证书.pdf", b"%PDF-1.4 certificate", "application/pdf")
    response = client.post(
        f"/policies/{policy.pk}/facts/",
        {
            "key": "qualification:high-tech",
            "qualification-high-tech-holds": "yes",
            "qualification-high-tech-certificate": certificate,
        },
    )
    assert response.status_code == 302
    page = client.get(f"/policies/{policy.pk}/").content.decode()
    assert "Your enterprise is eligible." in page
    assert policy.title in client.get("/policies/for-me/").content.decode()


def test_a_bad_figure_is_refused_with_a_message(client):
    policy = published_policy()
    enterprise = EnterpriseFactory(registered_capital=None)
    enterprise.qualifications.add(qualification())
    client.force_login(enterprise_user(enterprise))
    page = client.post(
        f"/policies/{policy.pk}/facts/",
        {"key": "registered_capital", "registered_capital-value": "-5"},
    )
    assert page.status_code == 400
    assert "Ensure this value is greater than or equal to 0." in page.content.decode()
    client.post(
        f"/policies/{policy.pk}/facts/",
        {"key": "registered_capital", "registered_capital-value": "300"},
    )
    enterprise.refresh_from_db()
    assert enterprise.registered_capital == 300
    assert "Your enterprise is eligible." in client.get(f"/policies/{policy.pk}/").content.decode()


def test_a_fact_no_longer_missing_is_not_saved_again_and_the_enterprise_is_told(client):
    """The enterprise opened the page in two tabs and supplied its registered capital in one;
    the other tab's form, sent later, is not saved over it, nor is a fact the policy never
    asked for. The page says so in the API's words (both said it differently before)."""
    from portal.ledger.models import LedgerEntry

    policy = published_policy()
    enterprise = EnterpriseFactory(registered_capital=None, park="")
    enterprise.qualifications.add(qualification())
    client.force_login(enterprise_user(enterprise))
    assert "registered_capital-value" in client.get(f"/policies/{policy.pk}/").content.decode()
    client.post(
        f"/policies/{policy.pk}/facts/",
        {"key": "registered_capital", "registered_capital-value": "300"},
    )
    for stale in (
        {"key": "registered_capital", "registered_capital-value": "50"},
        {"key": "park", "park-value": "科学城"},
    ):
        response = client.post(f"/policies/{policy.pk}/facts/", stale, follow=True)
        assert response.redirect_chain == [(f"/policies/{policy.pk}/", 302)]
        page = response.content.decode()
        assert (
            "This policy does not need this fact: it was already given, or the policy does not "
            "ask for it."
        ) in page
        assert "Your enterprise is eligible." in page
    enterprise.refresh_from_db()
    assert (enterprise.registered_capital, enterprise.park) == (300, "")
    assert LedgerEntry.objects.filter(action="policy.fact_supply").count() == 1


def test_not_relevant_removes_it_from_for_me(client):
    policy = published_policy()
    yes = EnterpriseFactory(registered_capital=500)
    yes.qualifications.add(qualification())
    client.force_login(enterprise_user(yes))
    client.post(f"/policies/{policy.pk}/not-relevant/")
    assert policy.title not in client.get("/policies/for-me/").content.decode()


def test_for_me_needs_an_enterprise(client):
    login(client, unit_official())
    assert client.get("/policies/for-me/").status_code == 403


def test_for_me_and_the_policy_page_in_a_fixed_number_of_queries(client, django_assert_num_queries):
    """Issue 15: "policies for me" within the enterprise pages' budget. The enterprise's facts
    and choices and the policies in force are one query; the rendered list is cached under a
    digest of it (ADR 0009), so a second view reads nothing else: 4 queries, as the home
    page."""
    yes = EnterpriseFactory(registered_capital=500)
    yes.qualifications.add(qualification())
    client.force_login(enterprise_user(yes))
    for n in (1, 4):
        while Policy.objects.filter(status=PolicyStatus.IN_FORCE).count() < n:
            policy = published_policy()
        client.get("/policies/for-me/")  # warm the navigation fragment and the permissions
        caches["fragments"].clear()
        # A first view: the layout's (session, user, unread count), the facts with the policies
        # in force, and to render the list the qualifications' names. Then from the cache.
        with django_assert_num_queries(5):
            first = client.get("/policies/for-me/").content.decode()
        with django_assert_num_queries(4):
            again = client.get("/policies/for-me/").content.decode()
        assert first.count('class="card"') == again.count('class="card"') == n
        assert again.count("Qualification: High-tech enterprise") == n
        client.get(f"/policies/{policy.pk}/")
        # the layout's, the policy with its unit, clauses, topics and attachments, the facts,
        # the qualifications' names
        with django_assert_num_queries(9):
            client.get(f"/policies/{policy.pk}/")


def test_for_me_is_never_stale_after_a_fact_a_mark_or_a_subscription(client):
    """The cached list is keyed by what it shows: each change shows on the next view."""
    from policies.models import Topic

    topic = Topic.objects.create(code="tech", name="科技创新")
    policy = published_policy()
    policy.topics.add(topic)
    enterprise = EnterpriseFactory(registered_capital=500)
    client.force_login(enterprise_user(enterprise))
    page = client.get("/policies/for-me/").content.decode()
    assert "Not yet known" in page and "Whether you hold the qualification" in page
    client.post(
        f"/policies/{policy.pk}/facts/",
        {"key": "qualification:high-tech", "qualification-high-tech-holds": "no"},
    )
    page = client.get("/policies/for-me/").content.decode()
    assert policy.title not in page  # not eligible now
    client.post("/policies/for-me/", {"subscribe_to": topic.pk})
    page = client.get("/policies/for-me/").content.decode()
    assert "From your topics" in page and policy.title in page
    assert "Unsubscribe from 科技创新" in page
    client.post("/policies/for-me/", {"unsubscribe_from": topic.pk})
    page = client.get("/policies/for-me/").content.decode()
    assert "Subscribe to 科技创新" in page and policy.title not in page
    # a policy edited while in force shows its new title at once
    Policy.objects.filter(pk=policy.pk).update(conditions={}, title="改后的标题")
    page = client.get("/policies/for-me/").content.decode()
    assert "改后的标题" in page and "Eligible" in page
    client.post(f"/policies/{policy.pk}/not-relevant/")
    assert "改后的标题" not in client.get("/policies/for-me/").content.decode()


def test_for_me_in_three_languages(client):
    """The cached list is per language: each reader gets theirs."""
    published_policy()
    yes = EnterpriseFactory(registered_capital=500)
    yes.qualifications.add(qualification())
    client.force_login(enterprise_user(yes))
    texts = {}
    for language in ("zh-hans", "zh-hant", "en"):
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        texts[language] = client.get("/policies/for-me/").content.decode()
    assert (
        "<strong>符合条件</strong>" in texts["zh-hans"] and "资质：高新技术企业" in texts["zh-hans"]
    )
    assert "<strong>符合條件</strong>" in texts["zh-hant"] and "資質：" in texts["zh-hant"]
    assert "<strong>Eligible</strong>" in texts["en"] and "Qualification: " in texts["en"]


def test_a_bad_topic_is_not_found(client):
    client.force_login(enterprise_user(EnterpriseFactory()))
    assert client.post("/policies/for-me/", {"subscribe_to": "x"}).status_code == 404
    assert client.post("/policies/for-me/", {"subscribe_to": "999999"}).status_code == 404
    # a superscript two is a digit to str.isdigit but no number to the database: 404, not 500
    assert client.post("/policies/for-me/", {"subscribe_to": "²"}).status_code == 404


def test_the_admin_refuses_an_unknown_field_and_an_impossible_range(client):
    official = unit_official()
    login(client, official)
    base = {
        "title": "t",
        "unit": official.unit.pk,
        "issued_on": "2026-12-01",
        "clauses-TOTAL_FORMS": 0,
        "clauses-INITIAL_FORMS": 0,
        "guide-TOTAL_FORMS": 0,
        "guide-INITIAL_FORMS": 0,
        "test_cases-TOTAL_FORMS": 0,
        "test_cases-INITIAL_FORMS": 0,
        "attachments-TOTAL_FORMS": 0,
        "attachments-INITIAL_FORMS": 0,
    }
    page = client.post(
        "/admin/policies/policy/add/",
        {**base, "conditions": '{"field": "turnover", "values": ["x"], "clause": "1"}'},
    )
    assert "Unknown condition field “turnover”" in page.content.decode()
    page = client.post(
        "/admin/policies/policy/add/",
        {
            **base,
            "conditions": '{"field": "registered_capital", "min": 9, "max": 1, "clause": "1"}',
        },
    )
    assert "is impossible: the minimum 9 is above the maximum 1" in page.content.decode()
    assert not Policy.objects.exists()


def test_a_free_text_condition_is_unknown_until_declared(client):
    official = unit_official()
    policy = make_policy(
        unit=official.unit,
        conditions={
            "all": [
                {"field": "size", "values": ["small"], "clause": "第二条"},
                {
                    "field": "declared",
                    "key": "exports",
                    "text": "上年度有出口业务",
                    "clause": "第三条",
                },
            ]
        },
        expected="unknown",
        profile={"size": "small"},
    )
    services.policy_publish(policy=policy, by=official)
    enterprise = EnterpriseFactory(size="small")
    client.force_login(enterprise_user(enterprise))
    page = client.get(f"/policies/{policy.pk}/").content.decode()
    assert "Not yet known" in page and "上年度有出口业务" in page
    client.post(
        f"/policies/{policy.pk}/facts/", {"key": "declared:exports", "declared-exports-holds": "no"}
    )
    page = client.get(f"/policies/{policy.pk}/").content.decode()
    assert "Your enterprise does not meet the conditions." in page
    assert policy.title not in client.get("/policies/for-me/").content.decode()


def test_topic_subscription_lists_the_topics_policies(client):
    from policies.models import Topic

    topic = Topic.objects.create(code="tech", name="科技创新")
    policy = published_policy()
    policy.topics.add(topic)
    client.force_login(enterprise_user(EnterpriseFactory(registered_capital=10)))
    assert "From your topics" not in client.get("/policies/for-me/").content.decode()
    client.post("/policies/for-me/", {"topic": topic.pk, "subscribe": "1"})
    page = client.get("/policies/for-me/").content.decode()
    assert "From your topics" in page and policy.title in page
    assert "Unsubscribe from 科技创新" in page
