"""People, places and clean per-process caches for routing tests."""

import pytest
from django.utils import translation

from portal.routing import learning, selectors
from tests.factories import UnitFactory, department_staff, enterprise_user, unit_official
from tests.routing.factories import CategoryFactory


@pytest.fixture(autouse=True)
def _fresh_routing_caches():
    """Each test starts without a cached model or cached rules, as a new process would."""
    learning.cache_clear()
    selectors.rules_cache_clear()
    yield
    learning.cache_clear()
    selectors.rules_cache_clear()


@pytest.fixture
def english():
    """Read the messages in English (the source strings the tests assert)."""
    with translation.override("en"):
        yield


@pytest.fixture
def dept(db):
    return department_staff()


@pytest.fixture
def submitter(db):
    return enterprise_user()


@pytest.fixture
def category(db):
    return CategoryFactory(code="routing-general")


@pytest.fixture
def units(db):
    """Three units, each with an official: 税务 (tax), 人社 (hr), 住建 (build)."""
    made = {}
    for key, name in (("tax", "区税务局"), ("hr", "区人社局"), ("build", "区住建局")):
        unit = UnitFactory(code=f"routing-{key}", name=name, name_en=f"{key} bureau")
        made[key] = unit_official(unit)
    return made
