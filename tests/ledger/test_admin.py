import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from portal.ledger.admin import EstimatedCountPaginator
from portal.ledger.models import LedgerEntry
from portal.ledger.services import ledger_head

from .conftest import tamper
from .factories import LedgerEntryFactory, bulk_chain

pytestmark = pytest.mark.django_db

LIST_URL = "/admin/ledger/ledgerentry/"
VERIFY_URL = "/admin/ledger/ledgerentry/verify/"


@pytest.fixture
def entries():
    actions = ["case.submitted", "case.answered", "reward.approved", "case.answered",
               "case.closed"]
    return [LedgerEntryFactory(action=action) for action in actions]


def test_auditor_verifies_an_intact_chain(auditor_client, entries):
    page = auditor_client.get(VERIFY_URL)
    assert page.status_code == 200
    assert f"{entries[-1].seq}:{entries[-1].entry_hash}" in page.content.decode()  # the head
    assert 'id="ledger-unchained"' not in page.content.decode()

    response = auditor_client.post(VERIFY_URL, {})
    body = response.content.decode()
    assert response.status_code == 200
    assert "The ledger is intact: 5 entries checked" in body
    assert "Intact" in body


def test_auditor_sees_the_first_broken_entry(auditor_client, entries):
    tamper("DELETE FROM ledger_ledgerentry WHERE id = %s", [entries[2].pk])
    body = auditor_client.post(VERIFY_URL, {}).content.decode()
    assert f"The ledger is broken at entry #{entries[3].seq}" in body
    assert "an entry before it was deleted" in body
    assert entries[1].entry_hash in body  # expected
    assert f'href="/admin/ledger/ledgerentry/{entries[3].pk}/change/"' in body


def test_auditor_compares_with_a_published_head(auditor_client, entries):
    head = ledger_head()
    tamper("DELETE FROM ledger_ledgerentry WHERE seq = %s", [head.seq])
    assert "The ledger is intact" in auditor_client.post(VERIFY_URL, {}).content.decode()
    body = auditor_client.post(VERIFY_URL, {"anchor": str(head)}).content.decode()
    assert f"broken at entry #{head.seq}" in body
    assert "the published head entry is missing" in body


def test_bad_input_on_the_verify_page_gives_a_message_not_an_error(auditor_client, entries):
    response = auditor_client.post(VERIFY_URL, {"anchor": "12:zz", "start_seq": "-3"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "entry number, a colon and the 64-character hash" in body
    assert "greater than or equal to 1" in body
    assert "entries checked" not in body


def test_a_long_verification_stops_in_time_and_continues(auditor_client, monkeypatch):
    from portal.ledger import admin as ledger_admin

    bulk_chain(50_000)
    monkeypatch.setattr(ledger_admin, "ADMIN_VERIFY_SECONDS", 0)
    body = auditor_client.post(VERIFY_URL, {}).content.decode()
    assert "Not finished" in body and "Continue verifying" in body
    assert 'name="start_seq" value="20001"' in body
    body = auditor_client.post(VERIFY_URL, {"start_seq": "20001"}).content.decode()
    assert 'name="start_seq" value="40001"' in body


def test_auditor_sees_the_entries_waiting_for_the_sequencer_and_they_are_not_broken(
        auditor_client, entries):
    waiting = LedgerEntryFactory.create_batch(2, chained=False)
    page = auditor_client.get(VERIFY_URL).content.decode()
    assert f"{entries[-1].seq}:{entries[-1].entry_hash}" in page  # the head: the last chained
    assert "2 entries are not chained yet" in page

    body = auditor_client.post(VERIFY_URL, {}).content.decode()
    assert "The ledger is intact: 5 entries checked" in body
    assert "2 entries are not chained yet" in body
    assert 'id="ledger-unchained-count">2<' in body
    assert "The ledger is broken" not in body and "Broken" not in body

    listing = auditor_client.get(LIST_URL).content.decode()
    assert "not chained yet" in listing
    detail = auditor_client.get(f"{LIST_URL}{waiting[0].pk}/change/")
    assert detail.status_code == 200


@pytest.mark.parametrize("who", ["official_client", "enterprise_client"])
def test_verify_page_is_refused_to_people_without_the_permission(request, who, entries):
    client = request.getfixturevalue(who)
    get, post = client.get(VERIFY_URL), client.post(VERIFY_URL, {})
    if who == "official_client":  # staff without the permission
        assert get.status_code == post.status_code == 403
    else:  # not staff: the admin sends them to log in
        assert get.status_code == post.status_code == 302
        assert "/admin/login/" in get["Location"]
    assert client.get(LIST_URL).status_code in (302, 403)


def test_department_staff_may_verify(client, staff_member, entries):
    from .conftest import staff_client

    assert staff_client(client, staff_member).post(VERIFY_URL, {}).status_code == 200


def test_changelist_filters_and_search(auditor_client, entries):
    page = auditor_client.get(LIST_URL)
    body = page.content.decode()
    assert page.status_code == 200
    assert "Verify the ledger" in body
    assert "case.submitted" in body and "reward.approved" in body  # the action filter
    filtered = auditor_client.get(LIST_URL, {"action": "reward.approved"})
    assert list(filtered.context["cl"].result_list) == [entries[2]]
    searched = auditor_client.get(LIST_URL, {"q": entries[3].object_id})
    assert list(searched.context["cl"].result_list) == [entries[3]]
    detail = auditor_client.get(f"{LIST_URL}{entries[0].pk}/change/")
    assert detail.status_code == 200 and entries[0].entry_hash in detail.content.decode()


def test_changelist_never_counts_the_whole_table(auditor_client, monkeypatch):
    bulk_chain(200)  # analysed: the estimate is there
    monkeypatch.setattr(EstimatedCountPaginator, "EXACT_BELOW", 100)
    with CaptureQueriesContext(connection) as queries:
        response = auditor_client.get(LIST_URL)
    assert response.status_code == 200
    assert response.context["cl"].result_count == 200  # from pg_class.reltuples
    counts = [q["sql"] for q in queries.captured_queries
              if "COUNT(" in q["sql"].upper() and "ledger_ledgerentry" in q["sql"]]
    assert counts == []


def test_filtered_changelist_counts_no_further_than_the_cap(auditor_client, entries, monkeypatch):
    monkeypatch.setattr(EstimatedCountPaginator, "COUNT_CAP", 2)
    response = auditor_client.get(LIST_URL, {"action": "case.answered"})
    assert response.context["cl"].result_count == 2
    response = auditor_client.get(LIST_URL, {"action": "case.closed"})
    assert response.context["cl"].result_count == 1


@pytest.mark.parametrize("method, url, data", [
    ("get", LIST_URL + "add/", None),
    ("post", LIST_URL + "add/", {"action": "forged", "object_type": "x", "object_id": "1"}),
    ("post", LIST_URL + "{pk}/change/", {"action": "forged"}),
    ("get", LIST_URL + "{pk}/delete/", None),
    ("post", LIST_URL + "{pk}/delete/", {"post": "yes"}),
])
def test_nobody_adds_changes_or_deletes_entries_in_the_admin_not_even_a_superuser(
        superuser_client, entries, method, url, data):
    target = entries[1]
    response = getattr(superuser_client, method)(url.format(pk=target.pk), data or {})
    assert response.status_code == 403
    assert LedgerEntry.objects.count() == 5
    assert LedgerEntry.objects.get(pk=target.pk).action == target.action


def test_bulk_delete_action_is_not_offered(superuser_client, entries):
    response = superuser_client.post(LIST_URL, {"action": "delete_selected", "post": "yes",
                                                "_selected_action": [entries[0].pk]})
    assert LedgerEntry.objects.count() == 5
    assert response.status_code in (200, 302)
    assert 'name="action"' not in superuser_client.get(LIST_URL).content.decode()
