"""Factories shared by every app's tests."""

import random

import factory
from django.contrib.auth import get_user_model

from portal.accounts.roles import Role, role_grant
from portal.orgs.models import Enterprise, Industry, Unit
from portal.orgs.validators import CHARSET, credit_code_check_char, org_code_check_char

_ORG_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def make_credit_code(seed: int | None = None, region: str = "440112") -> str:
    """Return a valid 统一社会信用代码 (GB 32100-2015) in Huangpu district (440112)."""
    rnd = random.Random(seed)
    while True:
        body = "".join(rnd.choice(_ORG_CHARS) for _ in range(8))
        org_check = org_code_check_char(body)
        if org_check in CHARSET:
            first17 = "91" + region + body + org_check
            return first17 + credit_code_check_char(first17)


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"unit-{n}")
    name = factory.Sequence(lambda n: f"测试单位{n}")
    name_en = factory.Sequence(lambda n: f"Test Unit {n}")
    kind = Unit.Kind.DISTRICT

    class Params:
        department = factory.Trait(
            code="yshj", name="区营商环境改革局",
            name_en="District Business Environment Reform Bureau", kind=Unit.Kind.DEPARTMENT,
        )


def industry(section: str = "I") -> Industry:
    """Return an industry section, reloading reference data a flushed test database lost."""
    found = Industry.objects.filter(section=section).first()
    if found is None:
        from portal.orgs.reference import load_reference_data

        load_reference_data()
        found = Industry.objects.get(section=section)
    return found


class EnterpriseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enterprise

    credit_code = factory.Sequence(lambda n: make_credit_code(seed=n))
    name = factory.Sequence(lambda n: f"广州测试科技有限公司{n}")
    industry = factory.LazyFunction(industry)
    industry_division = "65"
    size = Enterprise.Size.SMALL


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    full_name = factory.Sequence(lambda n: f"用户{n}")
    # Tests assert on the English text of what a user receives; tests about Chinese readers
    # say language="zh-hans" (or "" for the site default) explicitly.
    language = "en"
    password = factory.PostGenerationMethodCall("set_password", "correct-horse-battery")

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if self.pk and extracted:
            for role in extracted:
                role_grant(user=self, role=role)
        self.save()


def enterprise_user(enterprise=None, *, admin=False, **kwargs):
    enterprise = enterprise or EnterpriseFactory()
    roles = [Role.ENTERPRISE_USER] + ([Role.ENTERPRISE_ADMIN] if admin else [])
    return UserFactory(enterprise=enterprise, roles=roles, **kwargs)


def unit_official(unit=None, **kwargs):
    return UserFactory(unit=unit or UnitFactory(), roles=[Role.UNIT_OFFICIAL], **kwargs)


def department_staff(**kwargs):
    return UserFactory(unit=UnitFactory(department=True), roles=[Role.DEPARTMENT_STAFF], **kwargs)
