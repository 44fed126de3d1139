"""The names a statement written out in SQL uses, taken from the model (ADR 0017).

    table, recipient, read_at = model_names(Notification, "recipient", "read_at")

A renamed field or column then changes the statement with the model, and nothing but names the
model declares goes into the text: the values are always parameters.
"""

from django.db import connection


def model_names(model, *fields: str) -> tuple[str, ...]:
    """`model`'s table, then the column of each of `fields` (field names, "pk" the primary
    key), each quoted for the database."""
    meta, quote = model._meta, connection.ops.quote_name
    return (quote(meta.db_table),
            *(quote((meta.pk if name == "pk" else meta.get_field(name)).column)
              for name in fields))


def all_columns(model, *, pk: bool = True) -> str:
    """Every concrete column of `model` (without the primary key unless `pk`), quoted and
    joined by commas, in the model's order: a SELECT or INSERT list."""
    quote = connection.ops.quote_name
    return ", ".join(quote(f.column) for f in model._meta.concrete_fields
                     if pk or not f.primary_key)
