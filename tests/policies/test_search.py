"""Chinese full-text search over policies and their guides (jieba tokens, 'simple' tsvector,
GIN index), ranked, with filters."""

import pytest

from policies import services
from policies.models import Guide, Topic
from policies.selectors import policy_search
from tests.factories import unit_official

from .factories import make_policy

pytestmark = pytest.mark.django_db


def _published(title, summary, guide_text=None, **kwargs):
    official = unit_official()
    policy = make_policy(unit=official.unit, title=title, guide=False,
                         clause_text="申请企业应符合条件。", **kwargs)
    policy.summary = summary
    policy.save(update_fields=["summary"])
    if guide_text:
        Guide.objects.create(policy=policy, who_benefits=guide_text, conditions="-",
                             how_to_apply="-", contact="-")
    services.policy_publish(policy=policy, by=official)
    return policy


def test_zhuanjingtexin_and_gaoxin_find_the_right_policies(client):
    srdi = _published("支持专精特新中小企业高质量发展的若干措施", "对认定的企业给予奖励。")
    hnte = _published("研发费用补助办法", "对区内企业的研发投入给予补助。",
                      guide_text="适用于高新技术企业")
    other = _published("商贸流通业发展扶持办法", "支持批发零售企业。")
    found = list(policy_search(q="专精特新"))
    assert found == [srdi]
    assert list(policy_search(q="高新技术企业")) == [hnte]  # found through its guide
    assert other not in policy_search(q="企业 专精特新")
    page = client.get("/policies/", {"q": "专精特新"}).content.decode()
    assert srdi.title in page and hnte.title not in page


def test_filters_by_topic_unit_and_status():
    topic = Topic.objects.create(code="tech", name="科技创新")
    a = _published("科技创新奖励办法", "奖励。")
    a.topics.add(topic)
    b = _published("文旅扶持办法", "扶持。")
    assert list(policy_search(topic="tech")) == [a]
    assert list(policy_search(unit=b.unit.code)) == [b]
    assert list(policy_search(status="repealed")) == []
    assert list(policy_search(q="办法", unit=a.unit.code)) == [a]


def test_query_syntax_characters_are_words_not_errors(client):
    _published("专精特新奖励办法", "奖励。")
    for q in ("专精特新 & | ! ( ) :*", "'", "a:b", "专精特新'"):
        assert client.get("/api/v1/policies/", {"q": q}).status_code == 200
        assert client.get("/policies/", {"q": q}).status_code == 200
