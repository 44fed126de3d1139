"""Reference numbers, the transition table, and model-level rules."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from portal.appeals.constants import TRANSITIONS
from portal.appeals.kind import APPEAL
from portal.cases.constants import FINAL_STATUSES, PART_TRANSITIONS, Action, Status
from portal.cases.kinds import Audience
from portal.cases.models import Case, Category, EngineSettings
from tests.factories import UnitFactory, enterprise_user

from .factories import CategoryFactory, local_dt, submit_case


def test_every_appeal_status_is_reachable_and_final_ones_lead_nowhere():
    allowed = APPEAL.allowed_transitions
    reachable = {Status.SUBMITTED}
    for targets in allowed.values():
        reachable |= targets
    assert reachable == set(Status)
    for status in FINAL_STATUSES:
        assert allowed.get(status, frozenset()) == frozenset()
    assert allowed[Status.ANSWERED] == {Status.CLOSED, Status.REOPENED}


def test_every_appeal_action_has_a_row_and_internal_steps_are_not_seen_by_the_enterprise():
    assert set(TRANSITIONS) == set(Action) - {Action.SUBMIT, *PART_TRANSITIONS}
    for internal in (Action.NOTE, Action.RETURN, Action.REQUEST_EXTENSION,
                     Action.REFUSE_EXTENSION, Action.SUPERVISE):
        assert not APPEAL.sees(internal) & Audience.SUBMITTER
    assert APPEAL.sees(Action.ANSWER) & Audience.SUBMITTER


@pytest.mark.django_db(transaction=True)
def test_concurrent_submits_get_distinct_consecutive_references():
    import time_machine

    people = [enterprise_user() for _ in range(4)]
    category = CategoryFactory()
    barrier = threading.Barrier(len(people))
    references, errors = [], []

    def submit(person):
        try:
            barrier.wait(timeout=10)
            references.append(submit_case(person, category=category).reference)
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    with time_machine.travel(local_dt(2026, 6, 1, 9, 0), tick=True):
        threads = [threading.Thread(target=submit, args=(p,)) for p in people]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
    assert not errors
    assert sorted(references) == [f"YS-2026-00000{i}" for i in range(1, 5)]


@pytest.mark.django_db
def test_the_database_refuses_a_subject_unit_made_responsible():
    about = UnitFactory()
    case = submit_case(subject_unit=about)
    with pytest.raises(IntegrityError), transaction.atomic():
        Case.objects.filter(pk=case.pk).update(responsible_unit=about)


@pytest.mark.django_db
def test_categories_have_one_level_and_translated_names():
    from django.utils import translation

    top = Category.objects.get(code="tax")  # seeded by the migration
    child = CategoryFactory(parent=top)
    with pytest.raises(ValidationError):
        CategoryFactory.build(code="grandchild", parent=child).full_clean()
    with translation.override("en"):
        assert top.name == "Taxes and fees"
    with translation.override("zh-hant"):
        assert top.name == "稅費"
    with translation.override("zh-hans"):
        assert top.name == "税费"


@pytest.mark.django_db
def test_engine_settings_are_a_single_row_with_design_defaults():
    settings = EngineSettings.load()
    assert (settings.pk, settings.early_reminder_percent, settings.late_reminder_multiple,
            settings.returns_before_supervision, settings.attachment_max_bytes) == (
        1, 80, 3, 2, 10 * 1024 * 1024)
    with pytest.raises(IntegrityError), transaction.atomic():
        EngineSettings.objects.create(pk=2)
