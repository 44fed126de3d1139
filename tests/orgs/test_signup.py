"""Enterprise sign-up: register a new enterprise or ask to join one; refusals change nothing."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail

from portal.ledger.models import LedgerEntry
from portal.orgs.models import Enterprise, Industry, JoinRequest
from tests.factories import EnterpriseFactory, make_credit_code

User = get_user_model()
pytestmark = pytest.mark.django_db


def form_data(**overrides):
    data = {
        "email": "boss@example.com", "password1": "Gz-portal-2026!", "password2": "Gz-portal-2026!",
        "full_name": "张经理", "phone": "13800000000", "action": "register",
        "credit_code": make_credit_code(seed=42), "enterprise_name": "广州黄埔示范科技有限公司",
        "kind": "enterprise", "industry": Industry.objects.get(section="C").pk,
        "industry_division": "39", "size": "small", "address": "广州市黄埔区科学大道1号",
    }
    data.update(overrides)
    return data


def signup(client, **overrides):
    return client.post("/accounts/signup/", form_data(**overrides))


def counts():
    return User.objects.count(), Enterprise.objects.count(), JoinRequest.objects.count()


def test_register_creates_user_and_enterprise_and_makes_them_administrator(client):
    response = signup(client)
    assert response.status_code == 302
    user = User.objects.get(email="boss@example.com")
    assert user.full_name == "张经理"
    assert user.enterprise.name == "广州黄埔示范科技有限公司"
    assert user.has_perm("orgs.manage_enterprise_members")
    assert user.has_perm("orgs.act_for_enterprise")
    assert LedgerEntry.objects.filter(action="enterprise.registered").count() == 1
    # e-mail verification is mandatory: a confirmation mail went out
    assert len(mail.outbox) == 1
    assert re.search(r"/accounts/confirm-email/\S+", mail.outbox[0].body)


def test_invalid_credit_code_is_refused_with_a_clear_message_and_nothing_saved(client):
    before = counts()
    response = signup(client, credit_code="91350100M000100Y44")
    assert response.status_code == 200
    assert "is not a valid unified social credit code" in response.content.decode()
    assert counts() == before


def test_invalid_code_message_is_translated(client):
    client.cookies["portal_language"] = "zh-hans"
    response = signup(client, credit_code="91350100M000100Y44")
    assert "不是有效的统一社会信用代码" in response.content.decode()


def test_duplicate_credit_code_is_refused_and_points_to_joining(client):
    existing = EnterpriseFactory()
    before = counts()
    response = signup(client, credit_code=existing.credit_code)
    assert "already registered" in response.content.decode()
    assert counts() == before


def test_email_already_used_is_refused(client):
    signup(client)
    client.logout()
    client.cookies["portal_language"] = "en"
    before = counts()
    response = signup(client, credit_code=make_credit_code(seed=7))
    assert response.status_code == 200
    assert "already registered with this email" in response.content.decode()
    assert counts() == before


def test_missing_required_field_is_refused(client):
    before = counts()
    response = signup(client, enterprise_name="")
    assert "Enter the name of your enterprise" in response.content.decode()
    assert counts() == before


def test_over_long_field_is_refused(client):
    before = counts()
    response = signup(client, enterprise_name="很" * 201)
    assert response.status_code == 200
    assert "at most 200 characters" in response.content.decode()
    assert counts() == before


def test_division_outside_section_is_refused(client):
    before = counts()
    response = signup(client, industry_division="65")  # 65 is in section I, not C
    assert "is not in section C" in response.content.decode()
    assert counts() == before


def test_join_an_unknown_enterprise_is_refused(client):
    before = counts()
    response = signup(client, action="join", credit_code=make_credit_code(seed=99))
    assert "No enterprise with this unified social credit code" in response.content.decode()
    assert counts() == before


def test_join_request_notifies_the_administrator(client):
    signup(client)
    admin = User.objects.get(email="boss@example.com")
    client.logout()
    client.cookies["portal_language"] = "en"
    response = signup(client, email="staff@example.com", full_name="李会计", action="join",
                      credit_code=admin.enterprise.credit_code, join_message="我是财务")
    assert response.status_code == 302
    applicant = User.objects.get(email="staff@example.com")
    assert applicant.enterprise is None
    request = JoinRequest.objects.get(user=applicant)
    assert request.status == JoinRequest.Status.PENDING
    assert request.message == "我是财务"
    assert admin.notifications.filter(subject__contains="李会计").exists()
