"""Shared fixtures. Tests run on real PostgreSQL and Redis (see Makefile: `make test`)."""

import importlib

import pytest
from django.apps import apps
from django.db.models.signals import post_migrate
from django.utils import translation

pytest_plugins = ["tests.fixtures.celery", "tests.fixtures.browser"]


def _reload_reference_data(sender, **kwargs):
    """Put back what data migrations load, after a transactional test's flush.

    A flush emits post_migrate, which already recreates roles and beat schedules; this adds
    the reference rows (industries, qualifications, case categories and deadline rules), so
    no test needs serialized_rollback (which clashes with those recreated rows)."""
    if sender.label != list(apps.get_app_configs())[-1].label:
        return  # post_migrate is sent once per app: do it once, at the last
    from portal.orgs.reference import load_reference_data

    load_reference_data()
    importlib.import_module("portal.cases.migrations.0002_defaults").forwards(apps, None)


post_migrate.connect(_reload_reference_data, dispatch_uid="tests-reference-data")


@pytest.fixture(autouse=True)
def _english():
    """Code called directly (validators, services) reads English, as pages do for the test
    client below. Without it the language would be whatever the thread's last request
    activated (LocaleMiddleware does not deactivate), so results would depend on test order."""
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _fresh_fragments():
    """Rendered fragments live in the process's memory across tests (their keys hold row ids,
    which a flushed database hands out again only if sequences are reset): start empty."""
    from django.core.cache import caches

    caches["fragments"].clear()
    caches["permissions"].clear()


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def client(client):
    """A test client that reads English: tests assert the source strings.

    Tests of the Chinese pages set the language cookie themselves (default is zh-hans)."""
    client.cookies["portal_language"] = "en"
    return client
