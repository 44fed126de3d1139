"""Does a routing rule match a case? Pure functions over rules already read (no queries)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.utils.translation import gettext as _

from portal.appeals.constants import AppealType

from .learning import CaseFacts
from .models import RoutingRule
from .text import Text


@dataclass(frozen=True)
class RuleCheck:
    """The outcome of one rule on one case, with why (translated, for people)."""

    rule: RoutingRule
    matched: bool
    keyword: str = ""  # the keyword found, when the rule has keywords and matched
    reasons: tuple[str, ...] = ()

    @property
    def explanation(self) -> str:
        if self.keyword:
            return _("Rule “%(rule)s” matched the keyword %(keyword)s") % {
                "rule": self.rule.name, "keyword": self.keyword}
        return _("Rule “%(rule)s” matched %(conditions)s") % {
            "rule": self.rule.name, "conditions": _(", ").join(self.reasons)}


def rule_check(rule: RoutingRule, facts: CaseFacts, parsed: Text) -> RuleCheck:
    """Check every condition of `rule`; the reasons say what matched, or what did not."""
    matched, missed = [], []
    if rule.category_id:
        if rule.category_id in (facts.category_id, facts.parent_category_id):
            matched.append(_("the category %(category)s") % {"category": rule.category})
        else:
            missed.append(_("the category is not %(category)s") % {"category": rule.category})
    if rule.appeal_type:
        label = AppealType(rule.appeal_type).label
        if rule.appeal_type == facts.appeal_type:
            matched.append(_("the type %(type)s") % {"type": label})
        else:
            missed.append(_("the type is not %(type)s") % {"type": label})
    if rule.industry_id:
        if rule.industry_id == facts.industry:
            matched.append(_("the industry %(industry)s") % {"industry": rule.industry})
        else:
            missed.append(_("the industry is not %(industry)s") % {"industry": rule.industry})
    found = ""
    if rule.keywords:
        found = next((k for k in rule.keywords if parsed.find(k)), "")
        if found:
            matched.append(_("the keyword %(keyword)s") % {"keyword": found})
        else:
            missed.append(_("none of the keywords is in the text"))
    if missed:
        return RuleCheck(rule=rule, matched=False, reasons=tuple(missed))
    return RuleCheck(rule=rule, matched=True, keyword=found, reasons=tuple(matched))


def matching_rules(rules: Iterable[RoutingRule], facts: CaseFacts, parsed: Text
                   ) -> Iterator[RuleCheck]:
    """Yield the checks of the rules that match, in the order they are tried.

    A rule pointing at the unit the case is about (the subject unit) is passed over: that unit
    can never be assigned the case.
    """
    for rule in rules:
        if rule.unit_id == facts.subject_unit_id:
            continue
        check = rule_check(rule, facts, parsed)
        if check.matched:
            yield check
