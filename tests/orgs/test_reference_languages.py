"""Reference data in every language (issue 12): unit names and categories in Traditional
characters for zh-hant readers (converted as the catalogue is, unless entered by hand) and in
English where there is an English name, on pages, in the admin, the API and e-mails."""

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.utils import translation

from portal.notifications.models import Notification
from portal.notifications.services import notification_email_deliver
from tests.cases.factories import CategoryFactory, assigned_case, signed_case
from tests.factories import UnitFactory, department_staff, enterprise_user, unit_official
from tests.totp import login

pytestmark = pytest.mark.django_db

HANS, HANT, EN = "区发展和改革局", "區發展和改革局", "District Development and Reform Bureau"


@pytest.fixture
def unit():
    return UnitFactory(code="fgj", name=HANS, name_en=EN)


@pytest.fixture
def category():
    return CategoryFactory(code="policy-lang", name_zh_hans="政策兑现", name_zh_hant="政策兌現",
                           name_en="Policy benefits")


def read_as(client, language):
    client.cookies["portal_language"] = language
    return client


def test_a_unit_is_named_in_the_readers_language(unit):
    for language, name in (("zh-hans", HANS), ("zh-hant", HANT), ("en", EN)):
        with translation.override(language):
            assert unit.display_name == name == str(unit)


def test_a_traditional_name_entered_by_hand_wins_and_english_falls_back_to_chinese():
    unit = UnitFactory(name="萝岗街道办事处", name_zh_hant="蘿崗街道辦事處（手寫）", name_en="")
    with translation.override("zh-hant"):
        assert unit.display_name == "蘿崗街道辦事處（手寫）"
    with translation.override("en"):
        assert unit.display_name == "萝岗街道办事处"


@pytest.mark.parametrize("language, unit_name, category_name, wrong", [
    ("zh-hant", HANT, "政策兌現", HANS),
    ("en", EN, "Policy benefits", HANS),
    ("zh-hans", HANS, "政策兑现", HANT),
])
def test_the_appeal_page_shows_unit_and_category_in_the_page_language(
        client, unit, category, language, unit_name, category_name, wrong):
    boss = enterprise_user()
    case = assigned_case(department_staff(), unit, submitter=boss, category=category)
    login(read_as(client, language), boss)

    html = client.get(f"/cases/{case.pk}/").content.decode()

    assert unit_name in html and category_name in html
    assert wrong not in html  # the timeline's "assigned to" step too

    form = client.get("/cases/new/").content.decode()
    assert f">{unit_name}</option>" in form and category_name in form


def test_the_api_names_units_and_categories_by_the_requests_language(client, unit, category):
    boss = enterprise_user()
    case = assigned_case(department_staff(), unit, submitter=boss, category=category)
    login(read_as(client, "zh-hant"), boss)

    units = {u["code"]: u for u in client.get("/api/v1/orgs/units/").json()}
    assert units["fgj"]["display_name"] == HANT and units["fgj"]["name_zh_hant"] == HANT
    assert units["fgj"]["name"] == HANS and units["fgj"]["name_en"] == EN
    detail = client.get(f"/api/v1/cases/{case.pk}/").json()
    assert detail["responsible_unit"]["name"] == HANT
    assert detail["category"]["name"] == "政策兌現"

    english = read_as(client, "en").get(f"/api/v1/cases/{case.pk}/").json()
    assert english["responsible_unit"]["name"] == EN


def test_the_admin_lists_units_in_the_readers_language(client, unit):
    login(read_as(client, "zh-hant"), department_staff())

    html = client.get("/admin/orgs/unit/").content.decode()

    assert HANT in html and HANS not in html


def test_an_email_names_the_unit_in_the_recipients_language(unit, category):
    boss = enterprise_user(language="zh-hant", email="boss@zhizao.example.hk")
    EmailAddress.objects.create(user=boss, email=boss.email, verified=True, primary=True)
    boss.email_notifications = True
    boss.save()
    signed_case(department_staff(), unit, unit_official(unit), submitter=boss, category=category)

    notice = Notification.objects.filter(recipient=boss, subject__contains=HANT).get()
    notification_email_deliver(notification_id=notice.pk)

    sent = next(m for m in mail.outbox if boss.email in m.to)
    assert HANT in sent.subject and HANS not in sent.body
