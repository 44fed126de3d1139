"""A support policy commitment rests on a policy of the library (a foreign key): the migration
that links the existing ones by their document number, the admin's autocomplete and its
refusals, the link on the public and enterprise pages, the note when the policy no longer
applies, and the API."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone
from rest_framework.test import APIClient

from policies.commitments import services
from policies.commitments.constants import CommitmentKind
from policies.commitments.models import Commitment
from policies.models import PolicyStatus
from portal.cases.models import SupervisionItem
from portal.ledger.models import LedgerEntry
from tests.factories import UnitFactory, enterprise_user, unit_official
from tests.policies.factories import make_policy
from tests.totp import login

from .factories import commitment

BEFORE = ("commitments", "0002_clause_falls_due_on")
AFTER = ("commitments", "0004_fill_policy_and_sources")
SUPPORT = CommitmentKind.SUPPORT_POLICY


def published(
    number, *, title="高新技术企业研发补助办法", unit=None, status=PolicyStatus.IN_FORCE, **kwargs
):
    policy = make_policy(title=title, unit=unit, **kwargs)
    policy.document_number, policy.status = number, status
    policy.save(update_fields=["document_number", "status"])
    return policy


def migrate(target):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([target])
    return executor.loader.project_state(target).apps


@pytest.fixture
def back_to_latest():
    """Leave the database at the app's newest migration, whatever the test migrated to: the
    tests after it (a live server's pages) need every table."""
    yield
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes("commitments"))


@pytest.mark.django_db(transaction=True)
def test_the_migration_links_a_commitment_to_the_one_policy_with_its_number_and_no_other(
    back_to_latest,
):
    """Regression: the test left the database at 0004, and a later test's page met no
    commitments_publicdispute table (0005)."""
    one = published("埔科〔2026〕7号")
    published("穗府〔2025〕2号", title="甲")
    published("穗府〔2025〕2号", title="乙")  # two policies print the same number
    published("埔商〔2026〕1号", status=PolicyStatus.DRAFT)  # a draft is no policy to rest on
    unit = UnitFactory()
    # A dispute opened before the kind had its own source read "unhappy" (the engine's).
    official = unit_official(unit=unit)
    disputed = commitment(unit=official.unit)
    clause = disputed.clauses.get()
    services.fulfilment_record(actor=official, clause=clause, note="已拨付。", files=[])
    services.fulfilment_dispute(
        actor=enterprise_user(disputed.enterprise), clause=clause, reason="只到账一半。"
    )
    SupervisionItem.objects.update(source="unhappy")

    old = migrate(BEFORE)
    try:
        OldCommitment = old.get_model("commitments", "Commitment")

        def made(kind, number):
            return OldCommitment.objects.create(
                kind=kind,
                title=number,
                document_number=number,
                unit_id=unit.pk,
                enterprise_id=disputed.enterprise_id if kind == CommitmentKind.AGREEMENT else None,
            )

        ids = {
            "one": made(SUPPORT, "埔科〔2026〕7号").pk,
            "spaced": made(SUPPORT, " 埔科〔2026〕7号").pk,  # not exactly the number
            "two": made(SUPPORT, "穗府〔2025〕2号").pk,
            "none": made(SUPPORT, "省政策〔2024〕9号").pk,
            "draft": made(SUPPORT, "埔商〔2026〕1号").pk,
            "agreement": made(CommitmentKind.AGREEMENT, "埔科〔2026〕7号").pk,
        }
    finally:
        migrate(AFTER)

    rows = {name: Commitment.objects.get(pk=pk) for name, pk in ids.items()}
    assert rows["one"].policy == one
    assert {name: row.policy_id for name, row in rows.items() if name != "one"} == {
        "spaced": None,
        "two": None,
        "none": None,
        "draft": None,
        "agreement": None,
    }
    # The text stays as printed, linked or not.
    assert rows["two"].document_number == "穗府〔2025〕2号"
    assert rows["spaced"].document_number == " 埔科〔2026〕7号"
    assert SupervisionItem.objects.get().source == "commitment_disputed"


@pytest.mark.django_db
def test_the_admin_offers_published_policies_by_autocomplete_and_refuses_a_wrong_link(client):
    official = unit_official()
    theirs = published("埔科〔2026〕7号", unit=UnitFactory())  # another unit issued it
    repealed = published("埔科〔2020〕3号", title="旧补助办法", status=PolicyStatus.REPEALED)
    draft = published("埔科〔2027〕1号", title="草拟中的办法", status=PolicyStatus.DRAFT)
    login(client, official)
    add = client.get("/admin/commitments/commitment/add/").content.decode()
    assert 'data-ajax--url="/admin/commitments/commitment/policies/"' in add
    assert "admin-autocomplete" in add

    found = client.get("/admin/commitments/commitment/policies/", {"term": "埔科"}).json()
    texts = {r["id"]: r["text"] for r in found["results"]}
    assert set(texts) == {str(theirs.pk), str(repealed.pk)} and str(draft.pk) not in texts
    assert texts[str(repealed.pk)].endswith("· Repealed")
    assert client.get("/admin/commitments/commitment/policies/", {"term": "7号"}).json()[
        "results"
    ] == [{"id": str(theirs.pk), "text": "高新技术企业研发补助办法 (埔科〔2026〕7号)"}]
    assert (
        client.get("/admin/commitments/commitment/policies/", {"page": "x"}).status_code == 200
    )  # a bad page is the first page

    form = {
        "kind": "support_policy",
        "title": "研发补助兑现",
        "unit": official.unit.pk,
        "policy": theirs.pk,
        "clauses-TOTAL_FORMS": "1",
        "clauses-INITIAL_FORMS": "0",
        "clauses-0-number": "1",
        "clauses-0-text": "季度内拨付补助",
        "clauses-0-due_date": "2027-03-31",
    }
    wrong_kind = client.post(
        "/admin/commitments/commitment/add/", {**form, "kind": "public_service"}
    ).content.decode()
    assert "Only a support policy commitment names a policy" in wrong_kind
    wrong_number = client.post(
        "/admin/commitments/commitment/add/", {**form, "document_number": "埔科〔2026〕8号"}
    ).content.decode()
    assert "The chosen policy&#x27;s document number is “埔科〔2026〕7号”" in wrong_number
    a_draft = client.post("/admin/commitments/commitment/add/", {**form, "policy": draft.pk})
    assert "Select a valid choice" in a_draft.content.decode()
    assert not Commitment.objects.exists()

    ok = client.post("/admin/commitments/commitment/add/", form)
    assert ok.status_code == 302
    saved = Commitment.objects.get()
    assert saved.policy == theirs and saved.document_number == "埔科〔2026〕7号"
    assert LedgerEntry.objects.filter(action="commitments.created").count() == 1
    listing = client.get("/admin/commitments/commitment/").content.decode()
    assert "高新技术企业研发补助办法 (埔科〔2026〕7号)" in listing
    change = client.get(f"/admin/commitments/commitment/{saved.pk}/change/").content.decode()
    assert (
        f'<option value="{theirs.pk}" selected>高新技术企业研发补助办法 (埔科〔2026〕7号)</option>'
    ) in change

    client.logout()
    client.force_login(enterprise_user())
    assert client.get("/admin/commitments/commitment/policies/").status_code == 302  # sign-in


@pytest.mark.django_db
def test_the_page_links_the_policy_and_says_when_it_no_longer_applies(client):
    today = timezone.localdate()
    policy = published("埔科〔2026〕7号", issued_on=today - datetime.timedelta(days=30))
    c = commitment(kind=SUPPORT, title="研发补助兑现", number="埔科〔2026〕7号")
    Commitment.objects.filter(pk=c.pk).update(policy=policy)
    url = f"/commitments/{c.pk}/"

    page = client.get(url).content.decode()
    assert f'href="/policies/{policy.pk}/" id="commitment-policy"' in page
    assert 'id="policy-standing"' not in page
    assert f'href="/policies/{policy.pk}/"' in client.get("/commitments/").content.decode()

    policy.status = PolicyStatus.REPEALED
    policy.save(update_fields=["status"])
    assert "The policy this commitment rests on was repealed" in client.get(url).content.decode()

    # Past its last day, before the daily job marks it expired: the page says so already.
    policy.status, policy.expires_on = PolicyStatus.IN_FORCE, today - datetime.timedelta(days=1)
    policy.save(update_fields=["status", "expires_on"])
    page = client.get(url).content.decode()
    assert "The policy this commitment rests on expired on" in page
    assert f'href="/policies/{policy.pk}/"' in page  # still linked: its page says why

    newer = published("埔科〔2027〕2号", title="新研发补助办法")
    policy.status, policy.superseded_by = PolicyStatus.SUPERSEDED, newer
    policy.save(update_fields=["status", "superseded_by"])
    page = client.get(url).content.decode()
    assert f'was superseded by <a href="/policies/{newer.pk}/">新研发补助办法</a>' in page

    client.cookies["portal_language"] = "zh-hans"
    policy.status = PolicyStatus.EXPIRED
    policy.save(update_fields=["status"])
    assert "本承诺所依据的政策已于" in client.get(url).content.decode()


@pytest.mark.django_db
def test_the_enterprise_party_sees_the_link_on_its_own_commitment_and_in_the_api(client):
    policy = published("埔科〔2026〕7号")
    member = enterprise_user()
    own = commitment(
        kind=SUPPORT, enterprise=member.enterprise, title="本企业研发补助", number="埔科〔2026〕7号"
    )
    Commitment.objects.filter(pk=own.pk).update(policy=policy)
    agreement = commitment(enterprise=member.enterprise, title="落户协议")
    assert client.get(f"/commitments/{own.pk}/").status_code == 404  # not the public's
    client.force_login(member)
    page = client.get(f"/commitments/{own.pk}/").content.decode()
    assert f'href="/policies/{policy.pk}/" id="commitment-policy"' in page

    api = APIClient()
    api.force_authenticate(member)
    rows = {r["id"]: r for r in api.get("/api/v1/commitments/").json()["results"]}
    assert rows[own.pk]["policy"] == {
        "id": policy.pk,
        "title": "高新技术企业研发补助办法",
        "document_number": "埔科〔2026〕7号",
        "status": "in_force",
        "in_force": True,
        "page": f"/policies/{policy.pk}/",
    }
    assert rows[agreement.pk]["policy"] is None
    policy.status = PolicyStatus.REPEALED
    policy.save(update_fields=["status"])
    detail = api.get(f"/api/v1/commitments/{own.pk}/").json()
    assert detail["policy"]["status"] == "repealed" and detail["policy"]["in_force"] is False
