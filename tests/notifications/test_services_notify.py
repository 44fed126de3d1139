"""notify(): inbox rows in each recipient's language, e-mail only when wanted, idempotent."""

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from portal.notifications.models import Notification
from portal.notifications.services import notify
from tests.factories import UserFactory
from tests.fixtures.celery import queued_messages

pytestmark = pytest.mark.django_db

# Django ships translations of these, so the test does not wait for ours.
SUBJECT = format_lazy("{month}: {ref}", month=_("January"), ref="YS-2026-0001")
BODY = _("This field is required.")


def test_each_recipient_reads_it_in_their_own_language():
    zh = UserFactory(language="zh-hans")
    en = UserFactory(language="en")
    unset = UserFactory(language="")  # falls back to the site language, zh-hans

    notify(recipients=[zh, en, unset], subject=SUBJECT, body=BODY, url="/cases/1/")

    rows = {n.recipient_id: n for n in Notification.objects.all()}
    assert rows[zh.pk].subject == "一月: YS-2026-0001"
    assert rows[zh.pk].body == "此项为必填项。"  # our catalogue words it so site-wide
    assert rows[en.pk].subject == "January: YS-2026-0001"
    assert rows[en.pk].body == "This field is required."
    assert rows[unset.pk].subject == "一月: YS-2026-0001"
    assert {n.url for n in rows.values()} == {"/cases/1/"}
    assert all(n.read_at is None for n in rows.values())


def test_email_copy_queued_only_for_people_who_want_it(celery_purged,
                                                       django_capture_on_commit_callbacks):
    wants = UserFactory(email_notifications=True)
    inbox_only = UserFactory(email_notifications=False)

    with django_capture_on_commit_callbacks(execute=True):
        notify(recipients=[wants, inbox_only], subject="Reply received")

    assert Notification.objects.get(recipient=wants).email_status == "pending"
    assert Notification.objects.get(recipient=wants).email_due_at is not None
    assert Notification.objects.get(recipient=inbox_only).email_status == "not_wanted"
    assert queued_messages() == 1


def test_nobody_wanting_email_queues_nothing(celery_purged, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        notify(recipients=[UserFactory(email_notifications=False)], subject="Reply received")
    assert callbacks == []
    assert queued_messages() == 0


def test_many_recipients_make_one_queue_message(celery_purged,
                                                django_capture_on_commit_callbacks):
    """A notify() to many people must not make a request wait once per person for the broker."""
    users = UserFactory.create_batch(5)
    with django_capture_on_commit_callbacks(execute=True):
        created = notify(recipients=users, subject="New policy")
    assert len(created) == 5
    assert queued_messages() == 1


def test_same_dedup_key_notifies_each_recipient_once():
    user = UserFactory()
    first = notify(recipients=[user], subject="Due tomorrow", dedup_key="case:1:due")
    again = notify(recipients=[user], subject="Due tomorrow", dedup_key="case:1:due")

    assert len(first) == 1
    assert again == []
    assert Notification.objects.filter(recipient=user).count() == 1

    other = UserFactory()
    assert len(notify(recipients=[user, other], subject="Due tomorrow",
                      dedup_key="case:1:due")) == 1
    assert Notification.objects.filter(recipient=other).count() == 1
    assert len(notify(recipients=[user], subject="Overdue", dedup_key="case:1:overdue")) == 1
    assert Notification.objects.filter(recipient=user).count() == 2


def test_duplicates_within_one_call_are_skipped_and_the_rest_keep_their_order():
    """One INSERT skips what is taken: the rows it wrote come back with their ids, in order,
    the skipped ones missing, whatever their place in the call."""
    first, second, third = UserFactory.create_batch(3)
    notify(recipients=[second], subject="earlier", dedup_key="k")
    created = notify(recipients=[first, second, third, first], subject="now", dedup_key="k")
    assert [n.recipient_id for n in created] == [first.pk, third.pk]
    assert all(n.pk and Notification.objects.get(pk=n.pk).recipient_id == n.recipient_id
               for n in created)
    assert Notification.objects.filter(dedup_key="k").count() == 3


@pytest.mark.django_db(transaction=True)
def test_a_duplicate_written_meanwhile_by_another_transaction_is_skipped_not_an_error():
    """Two transactions notify the same person under the same key at once (a retried task
    overlapping the first try): the second waits for the first, writes nothing, and its own
    transaction carries on."""
    import threading

    from django.db import connection

    user = UserFactory()
    started, outcome = threading.Event(), {}

    def second_try():
        try:
            with transaction.atomic():
                started.set()
                outcome["second"] = notify(recipients=[user], subject="again", dedup_key="k")
                outcome["after"] = notify(recipients=[user], subject="other news")
        finally:
            connection.close()

    with transaction.atomic():
        [mine] = notify(recipients=[user], subject="first", dedup_key="k")
        thread = threading.Thread(target=second_try)
        thread.start()
        started.wait(10)
        thread.join(0.5)
        assert thread.is_alive()  # waiting on the first transaction's row
    thread.join(10)
    assert outcome["second"] == [] and len(outcome["after"]) == 1
    assert list(Notification.objects.filter(dedup_key="k").values_list("pk", "subject")) == [
        (mine.pk, "first")]


def test_without_dedup_key_each_call_notifies():
    user = UserFactory()
    notify(recipients=[user], subject="Reply received")
    notify(recipients=[user], subject="Reply received")
    assert Notification.objects.filter(recipient=user).count() == 2


def test_rolled_back_with_the_callers_transaction(celery_purged,
                                                 django_capture_on_commit_callbacks):
    user = UserFactory()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            notify(recipients=[user], subject="Reply received")
            raise RuntimeError("the caller failed after notifying")
    assert not Notification.objects.exists()
    assert callbacks == []
    assert queued_messages() == 0


@pytest.mark.parametrize("url", ["https://evil.example/", "//evil.example/x", "cases/1/",
                                 "/\\evil.example"])
def test_link_must_be_a_path_on_this_site(url):
    # a text is checked once for all who read it in one language (notify_many): several
    # readers in two languages are refused the same, and nothing is saved for any
    readers = [UserFactory(language="zh-hans"), UserFactory(language="en"), UserFactory()]
    with pytest.raises(ValidationError) as error:
        notify(recipients=readers, subject="Hello", url=url)
    assert "url" in error.value.message_dict
    assert not Notification.objects.exists()


def test_inactive_and_repeated_recipients():
    user = UserFactory()
    gone = UserFactory(is_active=False)
    created = notify(recipients=[user, user, gone], subject="Hello")
    assert [n.recipient_id for n in created] == [user.pk]
    assert notify(recipients=[], subject="Hello") == []


def test_long_or_multiline_subject_fits_one_line():
    user = UserFactory()
    [n] = notify(recipients=[user], subject="Policy\nupdate  " + "x" * 400)
    assert "\n" not in n.subject
    assert n.subject.startswith("Policy update x")
    assert len(n.subject) == 200
