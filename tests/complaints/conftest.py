import pytest

from tests.factories import UnitFactory, department_staff, unit_official

from .factories import desk_staff, named_reporter


@pytest.fixture
def desk(db):
    return desk_staff()


@pytest.fixture
def supervisor(db):
    """A second desk member, who decides others' identity requests."""
    return desk_staff()


@pytest.fixture
def dept(db):
    """Department staff who are not at the desk."""
    return department_staff()


@pytest.fixture
def bureau(db):
    """The accused unit's parent."""
    return UnitFactory()


@pytest.fixture
def accused(bureau):
    return UnitFactory(parent=bureau)


@pytest.fixture
def sub_unit(accused):
    return UnitFactory(parent=accused)


@pytest.fixture
def investigator(db):
    return UnitFactory()


@pytest.fixture
def official(investigator):
    return unit_official(investigator)


@pytest.fixture
def accused_official(accused):
    return unit_official(accused)


@pytest.fixture
def reporter_user(db):
    return named_reporter()
