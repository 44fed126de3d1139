"""enqueue_on_commit: work leaves after the commit, never on rollback, never fails the request."""

import threading
import time

import pytest
from celery import shared_task
from django.contrib.auth import get_user_model
from django.db import transaction

from portal.core.queue import enqueue_on_commit
from tests.factories import UserFactory
from tests.fixtures.celery import queued_messages, unreachable_broker, wait_until

_seen: list[int] = []
_seen_lock = threading.Lock()


@shared_task(name="tests.core.record_user")
def record_user(user_id: int) -> int:
    """Record the user the worker could read (so only a committed row counts)."""
    user = get_user_model().objects.get(pk=user_id)
    with _seen_lock:
        _seen.append(user.pk)
    return user.pk


@pytest.mark.django_db
def test_published_only_when_the_transaction_commits(celery_purged,
                                                     django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            enqueue_on_commit(record_user, 1)
            assert queued_messages() == 0
    assert queued_messages() == 1


@pytest.mark.django_db
def test_a_task_named_by_its_name_is_published_the_same_way(celery_purged,
                                                            django_capture_on_commit_callbacks):
    """Services name their app's tasks (tasks import services, never the reverse)."""
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            enqueue_on_commit("tests.core.record_user", 1)
            assert queued_messages() == 0
    assert queued_messages() == 1


@pytest.mark.django_db
def test_nothing_published_when_the_transaction_rolls_back(celery_purged,
                                                          django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(ValueError), transaction.atomic():
            enqueue_on_commit(record_user, 1)
            raise ValueError("bad input")
    assert callbacks == []
    assert queued_messages() == 0


def test_worker_runs_the_task_and_sees_the_committed_row(celery_worker):
    with transaction.atomic():
        user = UserFactory()
        enqueue_on_commit(record_user, user.pk)
    wait_until(lambda: user.pk in _seen, message="the task to run")
    [run] = celery_worker.wait_for_runs("tests.core.record_user", 1)
    assert run.state == "SUCCESS"


def test_broker_down_neither_fails_nor_hangs_the_request(transactional_db, celery_purged, caplog):
    with unreachable_broker():
        started = time.monotonic()
        with transaction.atomic():
            user = UserFactory()
            enqueue_on_commit(record_user, user.pk)
        elapsed = time.monotonic() - started

    assert elapsed < 3.5, f"the request waited {elapsed:.1f}s for the broker"
    assert get_user_model().objects.filter(pk=user.pk).exists()
    assert "could not queue tests.core.record_user" in caplog.text
    # Publishing works again once the broker is back.
    with transaction.atomic():
        enqueue_on_commit(record_user, user.pk)
    assert queued_messages() == 1
