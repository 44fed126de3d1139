"""Factories for routing: rules, and cases that units kept (made through the case services,
so they have the timeline the training set is read from)."""

import factory

from portal.appeals.constants import AppealType
from portal.appeals.services import appeal_submit
from portal.cases import services as case_services
from portal.cases.models import Category
from portal.routing import synthetic
from portal.routing.models import RoutingRule
from tests.factories import UnitFactory, unit_official


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"routing-topic-{n}")
    name_zh_hans = factory.Sequence(lambda n: f"路由类别{n}")
    name_zh_hant = factory.Sequence(lambda n: f"路由類別{n}")
    name_en = factory.Sequence(lambda n: f"Routing topic {n}")


class RoutingRuleFactory(factory.django.DjangoModelFactory):
    """A rule saved directly (no ledger entry); tests of the writes use the services."""

    class Meta:
        model = RoutingRule

    name = factory.Sequence(lambda n: f"规则{n}")
    priority = 100
    unit = factory.SubFactory(UnitFactory)
    keywords = factory.LazyFunction(lambda: ["社保"])
    revision = 1


def submitted(submitter, *, title, description, category, appeal_type=AppealType.HELP,
              subject_unit=None):
    return appeal_submit(submitter=submitter, title=title, description=description,
                         category=category, subtype=appeal_type, subject_unit=subject_unit)


def kept_case(*, dept, official, submitter, title, description, category,
              appeal_type=AppealType.HELP, subject_unit=None):
    """A case assigned to the official's unit and signed for (签收): the unit kept it."""
    case = submitted(submitter, title=title, description=description, category=category,
                     appeal_type=appeal_type, subject_unit=subject_unit)
    case = case_services.case_assign(case=case, actor=dept, unit=official.unit)
    return case_services.case_sign_for(case=case, actor=official)


def distinct_appeals(n, *, profiles, seed, noise=0.0):
    """`n` generated appeals spread evenly over `profiles`, without repeats (the case engine
    refuses an appeal submitted twice)."""
    per_profile = {key: [] for key in profiles}
    seen, round_ = set(), 0
    while any(len(found) < -(-n // len(profiles)) for found in per_profile.values()):
        for appeal in synthetic.generate(n * 2, profiles=profiles, seed=seed + round_,
                                         noise=noise):
            key = (appeal.title, appeal.description)
            if key not in seen:
                seen.add(key)
                per_profile[appeal.profile].append(appeal)
        round_ += 1000
    return [per_profile[profiles[i % len(profiles)]][i // len(profiles)] for i in range(n)]


def three_units():
    """Three units, each with an official: 税务 (tax), 人社 (hr), 住建 (build)."""
    made = {}
    for key, name in (("tax", "区税务局"), ("hr", "区人社局"), ("build", "区住建局")):
        unit = UnitFactory(code=f"routing-{key}", name=name, name_en=f"{key} bureau")
        made[key] = unit_official(unit)
    return made
