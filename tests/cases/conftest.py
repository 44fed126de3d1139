"""People and places most case tests need."""

import pytest

from tests.factories import UnitFactory, department_staff, enterprise_user, unit_official

from .factories import CategoryFactory


@pytest.fixture
def dept(db):
    return department_staff()


@pytest.fixture
def unit(db):
    return UnitFactory()


@pytest.fixture
def other_unit(db):
    return UnitFactory()


@pytest.fixture
def official(unit):
    return unit_official(unit)


@pytest.fixture
def other_official(other_unit):
    return unit_official(other_unit)


@pytest.fixture
def submitter(db):
    return enterprise_user()


@pytest.fixture
def colleague(submitter):
    """An ordinary member of the submitter's enterprise."""
    return enterprise_user(submitter.enterprise)


@pytest.fixture
def ent_admin(submitter):
    """The administrator of the submitter's enterprise."""
    return enterprise_user(submitter.enterprise, admin=True)


@pytest.fixture
def stranger(db):
    """A member of another enterprise."""
    return enterprise_user()


@pytest.fixture
def category(db):
    return CategoryFactory()
