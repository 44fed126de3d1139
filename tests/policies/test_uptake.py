"""Uptake: a spreadsheet (CSV UTF-8) of applications and grants, previewed, imported all or
nothing with the bad rows named; the figures eligible / applied / granted / entitled but not
received."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from policies import services
from policies.models import Uptake
from policies.uptake import uptake_import, uptake_summary
from tests.factories import EnterpriseFactory, unit_official
from tests.totp import login

from .factories import make_policy, qualification

pytestmark = pytest.mark.django_db


def _world():
    official = unit_official()
    eligible = []
    for capital in (500, 600, 700):
        e = EnterpriseFactory(registered_capital=capital)
        e.qualifications.add(qualification())
        eligible.append(e)
    policy = make_policy(unit=official.unit)
    services.policy_publish(policy=policy, by=official)
    return official, policy, eligible


def _csv(*rows):
    return ("\ufeffcredit_code,kind,date,amount\n" + "\n".join(rows) + "\n").encode()


def test_one_bad_row_imports_nothing_and_is_named():
    official, policy, (a, b, _c) = _world()
    data = _csv(
        f"{a.credit_code},申请,2026-03-01,",
        f"{b.credit_code},granted,2026-13-01,5000",
        "91440112XXXXXXXXXX,applied,2026-03-01,",
    )
    result = uptake_import(policy=policy, data=data, by=official, save=True)
    assert result.errors == [
        "Row 3: date “2026-13-01” is not YYYY-MM-DD.",
        "Row 4: no enterprise with credit code “91440112XXXXXXXXXX”.",
    ]
    assert not Uptake.objects.exists()


def test_preview_saves_nothing_then_import_and_the_figures():
    official, policy, (a, b, _c) = _world()
    data = _csv(
        f"{a.credit_code},申请,2026-03-01,",
        f"{a.credit_code},兑现,2026-04-01,50000",
        f"{b.credit_code},applied,2026-03-02,",
    )
    preview = uptake_import(policy=policy, data=data, by=official, save=False)
    assert (len(preview.rows), preview.errors, preview.saved) == (3, [], 0)
    assert not Uptake.objects.exists()
    assert uptake_import(policy=policy, data=data, by=official, save=True).saved == 3
    uptake_import(policy=policy, data=data, by=official, save=True)  # again: not doubled
    assert Uptake.objects.count() == 3
    assert uptake_summary(policy=policy) == {
        "eligible": 3,
        "applied": 2,
        "granted": 1,
        "entitled_not_received": 2,
    }


def test_the_admin_page_previews_and_names_the_bad_row(client):
    official, policy, (a, _b, _c) = _world()
    login(client, official)
    url = f"/admin/policies/policy/{policy.pk}/uptake/"
    page = client.post(
        url,
        {
            "_import": "1",
            "file": SimpleUploadedFile(
                "uptake.csv", _csv(f"{a.credit_code},bought,2026-03-01,"), "text/csv"
            ),
        },
    )
    text = page.content.decode()
    assert "Nothing was imported" in text and "Row 2: kind “bought”" in text
    assert not Uptake.objects.exists()
    page = client.post(
        url,
        {
            "_preview": "1",
            "file": SimpleUploadedFile(
                "uptake.csv", _csv(f"{a.credit_code},applied,2026-03-01,"), "text/csv"
            ),
        },
    )
    assert "1 row is ready to import." in page.content.decode()
    assert not Uptake.objects.exists()
    other = unit_official()
    login(client, other)
    assert client.get(url).status_code in (302, 403, 404)
