"""The learned suggestion: what it learns from, how well, and what it never suggests."""


import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from portal.accounts.models import User
from portal.cases import services as case_services
from portal.cases.constants import ReturnReason
from portal.cases.models import Case, Category
from portal.ledger.models import LedgerEntry
from portal.routing import learning, selectors, services
from portal.routing.constants import Classifier, Source
from portal.routing.models import RoutingModel
from tests.factories import department_staff, enterprise_user, unit_official
from tests.fixtures.db import rows_shared_by_the_class

from .factories import (
    CategoryFactory,
    RoutingRuleFactory,
    distinct_appeals,
    kept_case,
    submitted,
    three_units,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

PROFILES = ["tax", "hr", "build"]


@pytest.fixture(scope="class")
def _trained_world(django_db_setup, django_db_blocker):
    """A model trained on 20 clearly separable kept cases per unit (60 in all).

    The 60 cases go through the case services (submit, assign, sign for), seconds of work:
    they are made once for the class that asks and rolled back after it (tests/fixtures/db.py).
    Each test runs in a savepoint inside, so it starts from the freshly trained model whatever
    the others did."""
    def build():
        with translation.override("en"):
            dept, submitter = department_staff(), enterprise_user()
            category, units = CategoryFactory(code="routing-general"), three_units()
            for appeal in distinct_appeals(60, profiles=PROFILES, seed=11):
                kept_case(dept=dept, official=units[appeal.profile], submitter=submitter,
                          title=appeal.title, description=appeal.description,
                          category=category)
            result = services.routing_model_train()
            assert result.status == "trained", result.message
        return {"trained": result.model.pk, "dept": dept.pk, "submitter": submitter.pk,
                "category": category.pk,
                "units": {key: official.pk for key, official in units.items()}}

    yield from rows_shared_by_the_class(django_db_blocker, build)


class TestWithATrainedModel:
    """The tests that start from the trained model (`_trained_world`)."""

    # Read again for each test: a test may change them (in its savepoint) in memory too.
    @pytest.fixture
    def trained(self, _trained_world):
        return RoutingModel.objects.get(pk=_trained_world["trained"])

    @pytest.fixture
    def units(self, _trained_world):
        return {key: User.objects.get(pk=pk) for key, pk in _trained_world["units"].items()}

    @pytest.fixture
    def dept(self, _trained_world):
        return User.objects.get(pk=_trained_world["dept"])

    @pytest.fixture
    def submitter(self, _trained_world):
        return User.objects.get(pk=_trained_world["submitter"])

    @pytest.fixture
    def category(self, _trained_world):
        return Category.objects.get(pk=_trained_world["category"])

    def test_the_model_learns_which_unit_keeps_which_appeals(self, trained, units):
        assert trained.version == 1
        assert (trained.sample_count, trained.unit_count, trained.test_count) == (60, 3, 12)
        assert trained.classifier == Classifier.LOGISTIC_REGRESSION
        assert trained.accuracy >= 0.9
        assert LedgerEntry.objects.filter(action="routing.model_trained",
                                          object_id=str(trained.pk)).count() == 1

        held_out = distinct_appeals(30, profiles=PROFILES, seed=911)
        right = 0
        for appeal in held_out:
            suggestion = services.routing_suggest_text(title=appeal.title,
                                                       description=appeal.description)
            assert suggestion is not None and suggestion.source == Source.MODEL == "model"
            assert 0.2 <= suggestion.confidence <= 1.0
            assert suggestion.model_version == 1
            right += suggestion.unit == units[appeal.profile].unit
        assert right / len(held_out) >= 0.9

    def test_the_explanation_names_the_past_assignments(self, trained):
        suggestion = services.routing_suggest_text(title="增值税发票问题",
                                                   description="电子税务局开不出增值税发票。")
        assert suggestion.explanation == "Learned from 60 past assignments"
        assert 0.5 <= suggestion.confidence <= 1.0

    def test_a_rule_still_wins_over_the_model(self, trained, units):
        rule = RoutingRuleFactory(unit=units["build"].unit, keywords=["发票"])
        suggestion = services.routing_suggest_text(title="发票", description="增值税发票开不出来")
        assert (suggestion.source, suggestion.unit, suggestion.confidence) == (
            "rule", units["build"].unit, 1.0)
        assert suggestion.rule_id == rule.pk

    def test_the_subject_unit_is_never_suggested_the_next_best_is(self, trained, units,
                                                                  submitter, category):
        title, text = "发票和社保", "增值税发票开不出来，社保缴费也有问题，发票要先解决。"
        best = services.routing_suggest_text(title=title, description=text)
        assert best.unit == units["tax"].unit
        case = submitted(submitter, title=title, description=text, category=category,
                         subject_unit=units["tax"].unit)
        second = services.routing_suggest(case=case)
        assert second is not None and second.unit == units["hr"].unit
        # Its probability given that the case cannot go to the tax bureau.
        assert 0.75 <= second.confidence <= 1.0
        # A unit no longer active is passed over the same way.
        units["tax"].unit.is_active = False
        units["tax"].unit.save(update_fields=["is_active"])
        assert services.routing_suggest_text(title=title, description=text).unit == units["hr"].unit

    def test_a_text_the_model_is_unsure_about_gets_no_suggestion(self, trained):
        assert services.routing_suggest_text(title="你好", description="谢谢") is None

    def test_a_process_follows_the_newest_model_version(self, trained, dept, submitter,
                                                        category, units):
        assert services.routing_suggest_text(title="发票", description="发票").model_version == 1
        official = unit_official(units["hr"].unit)
        kept_case(dept=dept, official=official, submitter=submitter, title="新的社保问题",
                  description="社保补缴", category=category)
        assert services.routing_model_train().status == "trained"
        # No cache clearing: the version check picks up v2.
        assert services.routing_suggest_text(title="发票", description="发票").model_version == 2

    @pytest.mark.parametrize("spoil", [
        {"signature": "0" * 64},  # written by someone without the site's key
        {"library_version": "0.0.1"},  # another scikit-learn
    ])
    def test_a_model_that_cannot_be_trusted_is_not_loaded_and_the_retrain_replaces_it(
            self, trained, spoil):
        RoutingModel.objects.filter(pk=trained.pk).update(**spoil)
        assert services.routing_suggest_text(title="发票", description="增值税发票") is None
        result = services.routing_model_train()  # nothing new was routed, but v1 is unusable
        assert result.status == "trained" and result.model.version == 2
        assert services.routing_suggest_text(title="发票", description="增值税发票") is not None

    def test_a_blob_with_a_valid_signature_but_broken_content_is_not_loaded(self, trained):
        blob = b"not a pipeline"
        RoutingModel.objects.filter(pk=trained.pk).update(
            blob=blob, signature=learning.sign_blob(blob))
        assert services.routing_suggest_text(title="发票", description="增值税发票") is None

    def test_old_models_are_pruned(self, trained):
        for _ in range(6):
            services.routing_model_train(force=True)
        assert list(RoutingModel.objects.values_list("version", flat=True)) == [7, 6, 5, 4, 3]

    def test_a_list_of_cases_is_suggested_in_three_queries_whatever_its_length(
            self, trained, units, submitter, category):
        rule = RoutingRuleFactory(unit=units["build"].unit, keywords=["加急"])
        made = [submitted(submitter, title=a.title, description=a.description, category=category,
                          subject_unit=units["tax"].unit if i == 1 else None)
                for i, a in enumerate(distinct_appeals(9, profiles=PROFILES, seed=77))]
        made.append(submitted(submitter, title="加急", description="发票加急", category=category))

        def load(ids):
            return list(Case.objects.filter(pk__in=ids)
                        .select_related("category__parent", "enterprise").order_by("id"))

        services.routing_suggest_many(cases=load([made[0].pk]))  # warm: model and rules cached
        counts = {}
        for size in (2, 10):
            cases = load([c.pk for c in made[-size:]])
            with CaptureQueriesContext(connection) as queries:
                many = services.routing_suggest_many(cases=cases)
            counts[size] = len(queries)
            for case in cases:  # the same as one at a time
                assert many[case.pk] == services.routing_suggest(case=case)
        assert counts == {2: 3, 10: 3}
        assert many[made[-1].pk].rule_id == rule.pk
        assert many[made[1].pk] is None or many[made[1].pk].unit != units["tax"].unit
        assert services.routing_suggest_many(cases=[]) == {}

    def test_a_rule_whose_unit_is_gone_falls_back_to_the_model(self, trained, units):
        rule = RoutingRuleFactory(unit=units["build"].unit, keywords=["发票"])
        units["build"].unit.is_active = False
        units["build"].unit.save(update_fields=["is_active"])
        suggestion = services.routing_suggest_text(title="发票", description="增值税发票开不出来")
        assert suggestion.source == "model" and suggestion.unit == units["tax"].unit
        assert suggestion.rule_id is None and rule.is_enabled


def test_only_cases_a_unit_signed_for_and_kept_are_learned_from(dept, submitter, category,
                                                                units):
    tax, hr, build = units["tax"], units["hr"], units["build"]

    def make(title):
        return submitted(submitter, title=title, description=f"{title}的说明", category=category)

    kept = kept_case(dept=dept, official=tax, submitter=submitter, title="一 kept",
                     description="kept", category=category)
    returned = case_services.case_assign(case=make("二 returned"), actor=dept, unit=tax.unit)
    case_services.case_return(case=returned, actor=tax, reason=ReturnReason.NOT_COMPETENT)
    moved = case_services.case_assign(case=make("三 transferred"), actor=dept, unit=tax.unit)
    moved = case_services.case_transfer(case=moved, actor=tax, unit=hr.unit)
    case_services.case_sign_for(case=moved, actor=hr)
    case_services.case_assign(case=make("四 waiting"), actor=dept, unit=hr.unit)
    signed_then_returned = kept_case(dept=dept, official=build, submitter=submitter,
                                     title="五 returned after signing", description="x",
                                     category=category)
    case_services.case_return(case=signed_then_returned, actor=build,
                              reason=ReturnReason.WRONG_UNIT)
    transferred_unsigned = case_services.case_transfer(
        case=kept_case(dept=dept, official=build, submitter=submitter, title="六 moved on",
                       description="y", category=category), actor=build, unit=tax.unit)
    assert transferred_unsigned.signed_for_at is not None  # signed by build, now with tax

    samples = sorted((facts.title, unit_id) for facts, unit_id in selectors.training_samples())
    assert samples == [("一 kept", tax.unit.pk), ("三 transferred", hr.unit.pk)]
    assert kept.responsible_unit == tax.unit


def test_units_with_too_few_cases_are_left_out(dept, submitter, category, units):
    appeals = distinct_appeals(30, profiles=["tax", "hr"], seed=5)
    for appeal in appeals:
        kept_case(dept=dept, official=units[appeal.profile], submitter=submitter,
                  title=appeal.title, description=appeal.description, category=category)
    for appeal in distinct_appeals(3, profiles=["build"], seed=6):
        kept_case(dept=dept, official=units["build"], submitter=submitter, title=appeal.title,
                  description=appeal.description, category=category)
    model = services.routing_model_train(min_samples_per_unit=10).model
    assert (model.unit_count, model.units_left_out, model.sample_count) == (2, 1, 30)
    suggestion = services.routing_suggest_text(title="施工许可办理",
                                               description="施工许可和竣工验收进度慢")
    assert suggestion is None or suggestion.unit != units["build"].unit


def test_not_enough_data_trains_nothing(dept, submitter, category, units):
    for appeal in distinct_appeals(12, profiles=["tax"], seed=3):
        kept_case(dept=dept, official=units["tax"], submitter=submitter, title=appeal.title,
                  description=appeal.description, category=category)
    result = services.routing_model_train()
    assert result.status == "not_enough_data"
    assert "1 unit(s) have at least 10 cases they kept, at least 2 are needed" in result.message
    assert not RoutingModel.objects.exists()
    with pytest.raises(ValueError):
        services.routing_model_train(min_samples_per_unit=1)


def test_complement_nb_can_be_trained_too(dept, submitter, category, units):
    for appeal in distinct_appeals(30, profiles=PROFILES, seed=8):
        kept_case(dept=dept, official=units[appeal.profile], submitter=submitter,
                  title=appeal.title, description=appeal.description, category=category)
    model = services.routing_model_train(classifier=Classifier.COMPLEMENT_NB).model
    assert model.classifier == "complement_nb"
    with pytest.raises(ValueError):
        services.routing_model_train(classifier="random_forest")
