"""Shared fixtures. Tests run on real PostgreSQL and Redis (see Makefile: `make test`)."""

import pytest

pytest_plugins = ["tests.fixtures.celery", "tests.fixtures.browser"]


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def client(client):
    """A test client that reads English: tests assert the source strings.

    Tests of the Chinese pages set the language cookie themselves (default is zh-hans)."""
    client.cookies["portal_language"] = "en"
    return client
