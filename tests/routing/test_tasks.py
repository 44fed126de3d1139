"""The nightly retrain: declared for beat, idempotent, one at a time, on a real worker."""

import psycopg2
import pytest
from django.conf import settings
from django.db import connection
from django_celery_beat.models import PeriodicTask

from portal.ledger.models import LedgerEntry
from portal.routing import services, tasks
from portal.routing.constants import RETRAIN_LOCK_KEY
from portal.routing.models import RoutingModel
from tests.factories import department_staff, enterprise_user, unit_official
from tests.fixtures.celery import wait_until

from .factories import CategoryFactory, distinct_appeals, kept_case

RETRAIN = "portal.routing.tasks.routing_retrain"


def _route_cases(dept, submitter, category, officials, n, *, seed):
    for appeal in distinct_appeals(n, profiles=list(officials), seed=seed):
        kept_case(dept=dept, official=officials[appeal.profile], submitter=submitter,
                  title=appeal.title, description=appeal.description, category=category)


@pytest.mark.django_db
def test_the_retrain_is_scheduled_nightly_in_beat():
    row = PeriodicTask.objects.get(name="Retrain routing suggestions")
    assert row.task == RETRAIN and row.enabled
    assert (row.crontab.minute, row.crontab.hour, row.crontab.day_of_week) == ("30", "2", "*")
    assert tasks.PERIODIC_TASKS == [{"name": "Retrain routing suggestions", "task": RETRAIN,
                                     "crontab": {"minute": "30", "hour": "2"}}]


@pytest.mark.django_db
def test_retrain_skips_when_nothing_was_routed_since_the_last_model(dept, submitter, category,
                                                                   units):
    _route_cases(dept, submitter, category, units, 30, seed=21)
    assert tasks.routing_retrain() == "trained"
    assert tasks.routing_retrain() == "unchanged"
    assert tasks.routing_retrain() == "unchanged"
    assert list(RoutingModel.objects.values_list("version", flat=True)) == [1]
    assert LedgerEntry.objects.filter(action="routing.model_trained").count() == 1

    # A new case signed for is something new to learn.
    _route_cases(dept, enterprise_user(), category, {"hr": units["hr"]}, 1, seed=22)
    assert tasks.routing_retrain() == "trained"
    assert tasks.routing_retrain() == "unchanged"
    assert list(RoutingModel.objects.values_list("version", flat=True)) == [2, 1]
    # The department may ask for a retrain anyway, or set its own minimum per unit.
    assert tasks.routing_retrain(force=True) == "trained"
    assert tasks.routing_retrain(min_samples_per_unit=50, force=True) == "not_enough_data"
    assert RoutingModel.objects.count() == 3


@pytest.mark.django_db
def test_a_retrain_already_running_makes_the_second_one_step_aside(dept, submitter, category,
                                                                  units):
    _route_cases(dept, submitter, category, units, 30, seed=23)
    db = settings.DATABASES["default"]
    other = psycopg2.connect(dbname=connection.settings_dict["NAME"], user=db["USER"],
                             host=db["HOST"], port=db["PORT"], password=db["PASSWORD"])
    other.autocommit = True
    try:
        with other.cursor() as cursor:  # another process, in the middle of its retrain
            cursor.execute("SELECT pg_advisory_lock(%s)", [RETRAIN_LOCK_KEY])
            result = services.routing_model_train()
            assert result.status == "busy"
            assert result.message == "Another retrain is running."
            assert not RoutingModel.objects.exists()
            cursor.execute("SELECT pg_advisory_unlock(%s)", [RETRAIN_LOCK_KEY])
    finally:
        other.close()
    assert services.routing_model_train().status == "trained"


@pytest.mark.django_db(transaction=True)
def test_the_retrain_runs_on_a_real_worker_and_twice_trains_once(celery_worker):
    dept = department_staff()
    submitter = enterprise_user()
    category = CategoryFactory(code="routing-worker")
    officials = {key: unit_official() for key in ("tax", "hr", "build")}
    _route_cases(dept, submitter, category, officials, 30, seed=31)

    tasks.routing_retrain.delay()
    tasks.routing_retrain.delay()
    runs = celery_worker.wait_for_runs(RETRAIN, 2, timeout=60)
    assert [r.state for r in runs] == ["SUCCESS", "SUCCESS"]
    assert sorted(r.retval for r in runs) == ["trained", "unchanged"]
    model = wait_until(lambda: RoutingModel.objects.first())
    assert (model.version, model.sample_count, model.unit_count) == (1, 30, 3)
    assert RoutingModel.objects.count() == 1
    suggestion = services.routing_suggest_text(title="增值税发票", description="发票开不出来")
    assert suggestion.unit == officials["tax"].unit
