"""People, places and clean per-process caches for routing tests."""

import pytest
from django.utils import translation

from portal.routing import learning, selectors
from tests.factories import department_staff, enterprise_user
from tests.routing.factories import CategoryFactory, three_units


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
    return three_units()
