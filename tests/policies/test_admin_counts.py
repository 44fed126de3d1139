"""The admin's counts read right for one and for several (ngettext): rows imported, enterprises
told of a publication, enterprises decided on a grant."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from policies import services
from policies.models import Grant
from tests.factories import EnterpriseFactory, unit_official
from tests.totp import login

from .factories import make_policy, qualification

pytestmark = pytest.mark.django_db


def _eligible(n):
    enterprises = []
    for capital in range(500, 500 + 100 * n, 100):
        e = EnterpriseFactory(registered_capital=capital)
        e.qualifications.add(qualification())
        enterprises.append(e)
    return enterprises


def _csv(*rows):
    return ("\ufeffcredit_code,kind,date,amount\n" + "\n".join(rows) + "\n").encode()


def _publish(client, official, policy, django_capture_on_commit_callbacks):
    login(client, official)
    with django_capture_on_commit_callbacks():
        page = client.post("/admin/policies/policy/", {
            "action": "publish", "_selected_action": [policy.pk], "index": "0",
            "select_across": "0"}, follow=True)
    assert page.status_code == 200
    return page.content.decode()


@pytest.mark.parametrize("n, told", [(1, "1 enterprise is being told."),
                                     (2, "2 enterprises are being told.")])
def test_publishing_in_the_admin_counts_the_enterprises_told(
        client, django_capture_on_commit_callbacks, n, told):
    official = unit_official()
    _eligible(n)
    policy = make_policy(unit=official.unit)
    page = _publish(client, official, policy, django_capture_on_commit_callbacks)
    assert f"“{policy.title}” is in force (version 1); {told}" in page


def test_in_chinese_the_count_has_its_one_form(client, django_capture_on_commit_callbacks):
    official = unit_official()
    _eligible(1)
    policy = make_policy(unit=official.unit)
    client.cookies["portal_language"] = "zh-hans"
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "zh-hans"
    page = _publish(client, official, policy, django_capture_on_commit_callbacks)
    assert f"“{policy.title}”已生效（第1版），正在通知1家企业。" in page


def test_importing_uptake_counts_the_rows(client):
    official = unit_official()
    a, b = _eligible(2)
    policy = make_policy(unit=official.unit)
    services.policy_publish(policy=policy, by=official)
    login(client, official)
    url = f"/admin/policies/policy/{policy.pk}/uptake/"

    def imported(*rows):
        file = SimpleUploadedFile("uptake.csv", _csv(*rows), "text/csv")
        return client.post(url, {"_import": "1", "file": file}, follow=True).content.decode()

    assert "1 row imported." in imported(f"{a.credit_code},applied,2026-03-01,")
    page = imported(f"{a.credit_code},granted,2026-03-02,1000", f"{b.credit_code},applied,2026-03-01,")
    assert "2 rows imported." in page


@pytest.mark.parametrize("n, decided", [(1, "1 enterprise decided and told."),
                                        (2, "2 enterprises decided and told.")])
def test_deciding_grants_in_the_admin_counts_the_enterprises(client, n, decided):
    official = unit_official()
    _eligible(n)
    policy = make_policy(unit=official.unit, granted_without_application=True)
    services.policy_publish(policy=policy, by=official)
    grants = list(Grant.objects.values_list("pk", flat=True))
    assert len(grants) == n
    login(client, official)
    page = client.post("/admin/policies/grant/", {
        "action": "confirm", "_selected_action": grants, "index": "0", "select_across": "0",
        "reason": ""}, follow=True).content.decode()
    assert decided in page
    assert Grant.objects.filter(status=Grant.Status.CONFIRMED).count() == n
