import pytest
from django.db import connection

from portal.accounts.roles import Role
from tests.factories import UserFactory, department_staff, enterprise_user, unit_official
from tests.totp import activate_totp


def staff_client(client, user):
    """Log `user` in with an authenticator, as staff must have one, and ask for English."""
    activate_totp(user)
    client.force_login(user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def auditor():
    return UserFactory(roles=[Role.AUDITOR])


@pytest.fixture
def auditor_client(client, auditor):
    return staff_client(client, auditor)


@pytest.fixture
def superuser_client(client):
    user = UserFactory(is_superuser=True, is_staff=True)
    return staff_client(client, user)


@pytest.fixture
def official_client(client):
    return staff_client(client, unit_official())


@pytest.fixture
def staff_member():
    return department_staff()


@pytest.fixture
def enterprise_client(client):
    client.force_login(enterprise_user())
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def tamper(sql: str, params=()) -> None:
    """Run `sql` as a DBA would: with the ledger's triggers disabled for that statement."""
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE ledger_ledgerentry DISABLE TRIGGER USER")
        cursor.execute(sql, params)
        cursor.execute("ALTER TABLE ledger_ledgerentry ENABLE TRIGGER USER")
