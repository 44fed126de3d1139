"""Rules the department edits: order, first match wins, conditions, the subject unit, writes."""

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from portal.appeals.constants import AppealType
from portal.ledger.models import LedgerEntry
from portal.orgs.models import Industry
from portal.routing import services
from portal.routing.constants import Source
from portal.routing.models import RoutingRule
from tests.factories import EnterpriseFactory, UnitFactory, enterprise_user, unit_official

from .factories import CategoryFactory, RoutingRuleFactory, submitted

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

SOCIAL = "社保缴费基数调整后，社保补缴怎么办理？"


def suggest(title="咨询", description=SOCIAL, **kwargs):
    return services.routing_suggest_text(title=title, description=description, **kwargs)


def test_a_matching_rule_wins_with_full_confidence_and_says_why():
    hr = UnitFactory(name="区人社局")
    rule = RoutingRuleFactory(name="社保", unit=hr, keywords=["养老保险", "社保"])
    suggestion = suggest()
    assert suggestion.unit == hr
    assert suggestion.confidence == 1.0
    assert suggestion.source == Source.RULE == "rule"
    assert suggestion.rule_id == rule.pk
    assert suggestion.explanation == "Rule “社保” matched the keyword 社保"


def test_rules_are_tried_by_priority_and_the_first_match_wins():
    late = RoutingRuleFactory(priority=20, keywords=["社保"])
    early = RoutingRuleFactory(priority=10, keywords=["补缴"])
    never = RoutingRuleFactory(priority=5, keywords=["公积金"])
    suggestion = suggest()
    assert suggestion.rule_id == early.pk and suggestion.unit == early.unit
    # Moving the later rule up makes it win.
    RoutingRule.objects.filter(pk=late.pk).update(priority=1, revision=2)
    assert suggest().rule_id == late.pk
    assert never.unit not in (suggest().unit,)


def test_equal_priority_goes_to_the_older_rule():
    first = RoutingRuleFactory(priority=5, keywords=["社保"])
    RoutingRuleFactory(priority=5, keywords=["社保"])
    assert suggest().rule_id == first.pk


def test_disabled_rules_are_ignored():
    RoutingRuleFactory(priority=1, keywords=["社保"], is_enabled=False)
    enabled = RoutingRuleFactory(priority=2, keywords=["社保"])
    assert suggest().rule_id == enabled.pk
    RoutingRule.objects.filter(pk=enabled.pk).update(is_enabled=False, revision=2)
    assert suggest() is None  # nothing else matches and no model is trained


def test_no_rule_and_no_model_means_no_suggestion():
    RoutingRuleFactory(keywords=["公积金"])
    assert suggest() is None


def test_all_conditions_must_hold_and_a_category_covers_its_children():
    parent = CategoryFactory(code="tax")
    child = CategoryFactory(code="tax-invoice", parent=parent)
    section_i = Industry.objects.get(section="I")
    section_c = Industry.objects.get(section="C")
    rule = RoutingRuleFactory(category=parent, appeal_type=AppealType.HELP, industry=section_i,
                              keywords=[])
    kw = {"title": "发票", "description": "发票开不出来"}
    assert services.routing_suggest_text(**kw, category=child, appeal_type=AppealType.HELP,
                                         industry=section_i).rule_id == rule.pk
    assert services.routing_suggest_text(**kw, category=child, appeal_type=AppealType.HELP,
                                         industry="I").rule_id == rule.pk
    for wrong in ({"category": CategoryFactory(), "appeal_type": AppealType.HELP,
                   "industry": section_i},
                  {"category": child, "appeal_type": AppealType.INQUIRY, "industry": section_i},
                  {"category": child, "appeal_type": AppealType.HELP, "industry": section_c},
                  {"category": child, "appeal_type": AppealType.HELP}):
        assert services.routing_suggest_text(**kw, **wrong) is None, wrong
    suggestion = services.routing_suggest_text(**kw, category=child,
                                               appeal_type=AppealType.HELP, industry="I")
    assert suggestion.explanation.startswith(f"Rule “{rule.name}” matched the category ")
    assert "the type Request for help (求助)" in suggestion.explanation


def test_a_rule_for_the_subject_unit_is_passed_over_for_the_next_rule(submitter, category):
    about = UnitFactory(name="被反映单位")
    other = UnitFactory()
    RoutingRuleFactory(priority=1, unit=about, keywords=["社保"])
    RoutingRuleFactory(priority=2, unit=other, keywords=["社保"])
    case = submitted(submitter, title="投诉社保窗口", description=SOCIAL, category=category,
                     subject_unit=about)
    suggestion = services.routing_suggest(case=case)
    assert suggestion.unit == other
    assert services.routing_suggest_text(title="x", description=SOCIAL,
                                         subject_unit=about).unit == other


def test_only_a_rule_for_the_subject_unit_gives_no_suggestion(submitter, category):
    about = UnitFactory()
    RoutingRuleFactory(unit=about, keywords=["社保"])
    case = submitted(submitter, title="投诉社保窗口", description=SOCIAL, category=category,
                     subject_unit=about)
    assert services.routing_suggest(case=case) is None


def test_a_rule_whose_unit_was_deactivated_is_passed_over():
    gone = UnitFactory()
    RoutingRuleFactory(priority=1, unit=gone, keywords=["社保"])
    still = RoutingRuleFactory(priority=2, keywords=["社保"])
    assert suggest().unit == gone
    gone.is_active = False
    gone.save(update_fields=["is_active"])
    assert suggest().rule_id == still.pk  # even with the rules cached in this process


def test_suggest_for_a_case_reads_category_type_and_industry(submitter):
    category = CategoryFactory(code="routing-land")
    submitter.enterprise.industry = Industry.objects.get(section="C")
    submitter.enterprise.save(update_fields=["industry"])
    rule = RoutingRuleFactory(category=category, appeal_type=AppealType.INQUIRY,
                              industry=Industry.objects.get(section="C"), keywords=[])
    case = submitted(submitter, title="厂房扩建", description="想了解扩建的审批流程。",
                     category=category, appeal_type=AppealType.INQUIRY)
    assert services.routing_suggest(case=case).rule_id == rule.pk
    other = submitted(enterprise_user(EnterpriseFactory()), title="厂房扩建",
                      description="想了解扩建的审批流程。", category=category,
                      appeal_type=AppealType.INQUIRY)  # an enterprise of section I
    assert services.routing_suggest(case=other) is None


# --- writes ---------------------------------------------------------------------------------

def _rule(unit, **kwargs):
    return RoutingRule(name="社保", unit=unit, **kwargs)


def test_department_saves_a_rule_normalized_and_in_the_ledger(dept):
    unit = UnitFactory()
    rule = services.routing_rule_save(
        rule=_rule(unit, keywords=[" 社保 ", "社保", "ＥＴＣ", "社保局 *"]), actor=dept)
    rule.refresh_from_db()
    assert rule.keywords == ["社保", "etc", "社保局*"]
    assert rule.updated_by == dept
    entry = LedgerEntry.objects.get(action="routing.rule_created")
    assert entry.object_id == str(rule.pk) and entry.actor_id == dept.pk

    rule.keywords = ["公积金"]
    services.routing_rule_save(rule=rule, actor=dept)
    assert LedgerEntry.objects.filter(action="routing.rule_changed").count() == 1
    assert suggest(description="公积金提取").rule_id == rule.pk
    services.routing_rule_delete(rule=rule, actor=dept)
    assert not RoutingRule.objects.exists()
    assert LedgerEntry.objects.filter(action="routing.rule_deleted").count() == 1
    assert suggest(description="公积金提取") is None


@time_machine.travel("2026-03-02 10:00 +0800", tick=False)
def test_an_edit_reaches_a_process_that_cached_the_rules_even_within_the_same_instant(dept):
    rule = services.routing_rule_save(rule=_rule(UnitFactory(), keywords=["社保"]), actor=dept)
    assert suggest().rule_id == rule.pk  # now cached
    rule.keywords = ["公积金"]
    services.routing_rule_save(rule=rule, actor=dept)
    assert suggest() is None


def test_a_rule_without_conditions_is_refused(dept):
    with pytest.raises(ValidationError) as exc:
        services.routing_rule_save(rule=_rule(UnitFactory()), actor=dept)
    assert "A rule needs at least one condition" in str(exc.value)
    assert not RoutingRule.objects.exists()
    assert not LedgerEntry.objects.filter(action__startswith="routing.").exists()


def test_keywords_without_any_character_are_refused(dept):
    with pytest.raises(ValidationError) as exc:
        services.routing_rule_save(rule=_rule(UnitFactory(), keywords=["社保", "，，"]),
                                   actor=dept)
    assert exc.value.message_dict["keywords"] == [
        "These keywords have no letters or characters to look for: '，，'"]
    assert not RoutingRule.objects.exists()


def test_an_inactive_unit_is_refused_for_an_enabled_rule(dept):
    unit = UnitFactory(is_active=False)
    with pytest.raises(ValidationError) as exc:
        services.routing_rule_save(rule=_rule(unit, keywords=["社保"]), actor=dept)
    assert "is no longer active" in exc.value.message_dict["unit"][0]
    services.routing_rule_save(rule=_rule(unit, keywords=["社保"], is_enabled=False), actor=dept)
    assert RoutingRule.objects.count() == 1


def test_officials_and_enterprises_cannot_write_rules(dept):
    unit = UnitFactory()
    rule = services.routing_rule_save(rule=_rule(unit, keywords=["社保"]), actor=dept)
    for outsider in (unit_official(unit), enterprise_user()):
        with pytest.raises(PermissionDenied):
            services.routing_rule_save(rule=_rule(unit, keywords=["公积金"]), actor=outsider)
        rule.keywords = ["公积金"]
        with pytest.raises(PermissionDenied):
            services.routing_rule_save(rule=rule, actor=outsider)
        with pytest.raises(PermissionDenied):
            services.routing_rule_delete(rule=rule, actor=outsider)
    rule.refresh_from_db()
    assert rule.keywords == ["社保"]
    assert RoutingRule.objects.count() == 1


def test_the_try_helper_checks_every_rule_and_shows_the_words():
    hr = RoutingRuleFactory(name="社保", priority=2, keywords=["社保"])
    fund = RoutingRuleFactory(name="公积金", priority=1, keywords=["公积金"])
    trial = services.routing_rules_try(title="社保补缴", description="社保局说要先补缴。")
    assert trial.words == ("社保", "补缴", "社保局", "说", "要", "先", "补缴")
    assert [(c.rule.pk, c.matched) for c in trial.checks] == [(fund.pk, False), (hr.pk, True)]
    assert trial.checks[0].reasons == ("none of the keywords is in the text",)
    assert trial.winner.rule == hr
    assert trial.suggestion.unit == hr.unit


def test_a_keyword_longer_than_thirty_characters_is_refused(dept):
    with pytest.raises(ValidationError) as exc:
        services.routing_rule_save(rule=_rule(UnitFactory(), keywords=["税" * 31]), actor=dept)
    assert exc.value.message_dict["keywords"] == ["A keyword has at most 30 characters."]
    services.routing_rule_save(rule=_rule(UnitFactory(), keywords=["税" * 30 + "*"]), actor=dept)
    assert RoutingRule.objects.get().keywords == ["税" * 30 + "*"]
