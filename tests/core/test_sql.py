"""The names a statement written out in SQL takes from the model (portal/core/sql.py, ADR 0017)."""

from portal.cases.models import CaseEvent
from portal.core.sql import all_columns, model_names
from portal.notifications.models import Notification


def test_names_are_the_models_table_and_columns_quoted():
    assert model_names(Notification, "pk", "recipient", "read_at") == (
        '"notifications_notification"', '"id"', '"recipient_id"', '"read_at"')


def test_all_columns_follow_the_model_with_or_without_its_key():
    columns = [f'"{f.column}"' for f in CaseEvent._meta.concrete_fields]
    assert all_columns(CaseEvent) == ", ".join(columns)
    assert all_columns(CaseEvent, pk=False) == ", ".join(c for c in columns if c != '"id"')
