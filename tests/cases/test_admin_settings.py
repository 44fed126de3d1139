"""The department's settings in the admin (categories, deadline rules, the engine settings
singleton) and the reply templates officials keep for their unit."""

import pytest
from django.forms.models import model_to_dict

from portal.cases.models import Category, DeadlineRule, EngineSettings, ReplyTemplate
from tests.totp import login

from .factories import ReplyTemplateFactory

pytestmark = pytest.mark.django_db
ADMIN = "/admin/cases/"



def form_data(obj, **changes) -> dict:
    data = {k: ("" if v is None else v) for k, v in model_to_dict(obj).items()}
    data.update(changes)
    return data


def test_settings_pages_are_the_departments_only(client, official):
    EngineSettings.load()
    rule = DeadlineRule.objects.first()
    category = Category.objects.first()
    login(client, official)
    for url in (f"{ADMIN}category/", f"{ADMIN}category/{category.pk}/change/",
                f"{ADMIN}deadlinerule/", f"{ADMIN}deadlinerule/{rule.pk}/change/",
                f"{ADMIN}enginesettings/", f"{ADMIN}enginesettings/1/change/"):
        assert client.get(url).status_code == 403, url
    response = client.post(f"{ADMIN}deadlinerule/{rule.pk}/change/",
                           form_data(rule, working_days=99))
    assert response.status_code == 403
    rule.refresh_from_db()
    assert rule.working_days != 99
    index = client.get("/admin/").content.decode()
    assert f"{ADMIN}deadlinerule/" not in index and f"{ADMIN}enginesettings/" not in index


def test_department_edits_a_deadline_rule_and_is_told_of_bad_input(client, dept):
    rule = DeadlineRule.objects.get(kind="appeal", stage="handling", subtype="inquiry",
                                    category=None)
    login(client, dept)
    bad = client.post(f"{ADMIN}deadlinerule/{rule.pk}/change/", form_data(rule, working_days=0))
    assert bad.status_code == 200
    assert "Ensure this value is greater than or equal to 1." in bad.content.decode()
    duplicate = client.post(f"{ADMIN}deadlinerule/add/", form_data(rule, working_days=3))
    assert "already exists; change that one instead." in duplicate.content.decode()
    assert client.post(f"{ADMIN}deadlinerule/{rule.pk}/change/",
                       form_data(rule, working_days=3)).status_code == 302
    rule.refresh_from_db()
    assert rule.working_days == 3


def test_engine_settings_is_one_row_never_added_twice_nor_deleted(client, dept):
    settings = EngineSettings.load()
    login(client, dept)
    listing = client.get(f"{ADMIN}enginesettings/")
    assert listing.status_code == 302 and listing["Location"].endswith(
        f"{ADMIN}enginesettings/{settings.pk}/change/")
    assert client.get(f"{ADMIN}enginesettings/add/").status_code == 403
    assert client.post(f"{ADMIN}enginesettings/{settings.pk}/delete/",
                       {"post": "yes"}).status_code == 403
    bad = client.post(f"{ADMIN}enginesettings/{settings.pk}/change/",
                      form_data(settings, early_reminder_percent=150))
    assert "Ensure this value is less than or equal to 99." in bad.content.decode()
    ok = client.post(f"{ADMIN}enginesettings/{settings.pk}/change/",
                     form_data(settings, due_soon_working_days=3))
    assert ok.status_code == 302
    assert EngineSettings.objects.get().due_soon_working_days == 3
    assert EngineSettings.objects.count() == 1


def test_categories_have_one_level_and_are_never_deleted(client, dept):
    parent = Category.objects.get(code="tax")
    child = Category.objects.create(code="vat", name_zh_hans="增值税", name_zh_hant="增值稅",
                                    name_en="VAT", parent=parent)
    login(client, dept)
    page = client.get(f"{ADMIN}category/add/").content.decode()
    assert f'<option value="{parent.pk}">' in page
    assert f'<option value="{child.pk}">' not in page  # a child cannot be a parent
    response = client.post(f"{ADMIN}category/add/", {
        "code": "vat-invoice", "name_zh_hans": "发票", "name_zh_hant": "發票",
        "name_en": "Invoices", "parent": child.pk, "position": 0, "is_active": "on"})
    assert response.status_code == 200 and "errorlist" in response.content.decode()
    assert not Category.objects.filter(code="vat-invoice").exists()
    assert client.post(f"{ADMIN}category/{child.pk}/delete/",
                       {"post": "yes"}).status_code == 403


def test_officials_keep_their_own_units_templates(client, unit, official, other_unit):
    own = ReplyTemplateFactory(unit=unit, title="本单位模板")
    shared = ReplyTemplateFactory(unit=None, title="通用模板")
    foreign = ReplyTemplateFactory(unit=other_unit, title="别的单位模板")
    login(client, official)
    listing = client.get(f"{ADMIN}replytemplate/").content.decode()
    assert own.title in listing and shared.title in listing and foreign.title not in listing
    # A new template belongs to the official's unit, whatever a forged form says.
    response = client.post(f"{ADMIN}replytemplate/add/", {
        "title": "材料补正告知", "body": "请补充以下材料：", "is_active": "on",
        "unit": other_unit.pk})
    assert response.status_code == 302
    assert ReplyTemplate.objects.get(title="材料补正告知").unit == unit
    assert client.post(f"{ADMIN}replytemplate/{own.pk}/change/", {
        "title": "本单位模板（新）", "body": own.body, "is_active": "on"}).status_code == 302
    # Shared templates are read-only for them; another unit's are not there at all.
    assert client.post(f"{ADMIN}replytemplate/{shared.pk}/change/", {
        "title": "改掉", "body": "x", "is_active": "on"}).status_code == 403
    assert client.post(f"{ADMIN}replytemplate/{shared.pk}/delete/",
                       {"post": "yes"}).status_code == 403
    missing = client.get(f"{ADMIN}replytemplate/{foreign.pk}/change/", follow=True)
    assert foreign.title not in missing.content.decode()
    shared.refresh_from_db()
    foreign.refresh_from_db()
    assert shared.title == "通用模板" and foreign.title == "别的单位模板"
    empty = client.post(f"{ADMIN}replytemplate/add/", {"title": "", "body": "", "is_active": "on"})
    # The admin's forms say what to do too (the portal's form renderer, issue 12).
    assert empty.status_code == 200 and "Enter title" in empty.content.decode()
    assert "Enter text" in empty.content.decode()


def test_the_department_keeps_shared_templates(client, dept, unit):
    login(client, dept)
    response = client.post(f"{ADMIN}replytemplate/add/", {
        "title": "受理告知", "body": "您的诉求已受理。", "is_active": "on", "unit": ""})
    assert response.status_code == 302
    assert ReplyTemplate.objects.get(title="受理告知").unit is None
    foreign = ReplyTemplateFactory(unit=unit, title="单位模板")
    assert client.get(f"{ADMIN}replytemplate/{foreign.pk}/change/").status_code == 200
