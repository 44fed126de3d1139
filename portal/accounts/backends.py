"""The session's user and their permissions in one query, and allauth's sign-in.

Every signed-in page loads its user (Django's backends: one query) and checks at least one
permission (ModelBackend: two more, the user's own and their groups'). `PortalBackend`, the only
authentication backend, is allauth's (sign-in by e-mail and password, unchanged) with two
differences:

- `get_user`, which loads the session's user on each request, reads the user's row and the
  names of their permissions (own and through their groups, that is their roles) in one
  statement, and leaves the names where ModelBackend keeps them (`user._perm_cache`);
- `get_all_permissions`, for a user loaded some other way, reads them with one query instead
  of two.

Both queries are written by hand: the ORM's UNION of two five-table joins took PostgreSQL
0.5 ms to plan on every request (the page's other queries plan in a tenth of that), and the
ORM spent about as long again compiling the user's query. Permissions are read afresh on every
request, as before: a role taken away is gone on the next page.

A superuser's permissions are every permission; they are read only when asked for (the
`is_superuser` check answers `has_perm` before any backend is asked).
"""

from functools import cache

from allauth.account.auth_backends import AuthenticationBackend
from asgiref.sync import sync_to_async
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connections, router

# The names ("app_label.codename") of the permissions of user {user_id}: own and via groups.
_PERMISSION_NAMES = (
    "SELECT ct.app_label || '.' || p.codename FROM {permission} p "
    "JOIN {content_type} ct ON ct.id = p.content_type_id "
    "WHERE p.id IN (SELECT permission_id FROM {user_permissions} WHERE user_id = {user_id} "
    "UNION ALL SELECT gp.permission_id FROM {group_permissions} gp "
    "JOIN {user_groups} ug ON ug.group_id = gp.group_id WHERE ug.user_id = {user_id})"
)


def _tables() -> dict:
    user = get_user_model()
    return {"permission": Permission._meta.db_table,
            "content_type": ContentType._meta.db_table,
            "user_permissions": user.user_permissions.through._meta.db_table,
            "user_groups": user.groups.through._meta.db_table,
            "group_permissions": Group.permissions.through._meta.db_table}


@cache
def _own_permissions_sql() -> str:
    """The permissions query, with the tables' names read from the models (no input reaches
    it but the user's id, as a parameter)."""
    return _PERMISSION_NAMES.format(**_tables(), user_id="%s")


@cache
def _user_sql(alias: str) -> tuple[str, list[str], list]:
    """The user's row and, unless a superuser, an array of their permissions' names; the
    attribute names of the row's columns, in the model's order (Model.from_db's fast path); and
    the converters the ORM would apply to them (none for today's fields: a JSON or custom field
    added later gets its conversion here too)."""
    user = get_user_model()
    connection = connections[alias]
    quote = connection.ops.quote_name
    fields = user._meta.concrete_fields
    converters = [(i, field, [*connection.ops.get_db_converters(field),
                              *field.get_db_converters(connection)])
                  for i, field in enumerate(fields)]
    columns = ", ".join(f"u.{quote(field.column)}" for field in fields)
    names = _PERMISSION_NAMES.format(**_tables(), user_id="u." + quote(user._meta.pk.column))
    # Only the model's table and column names, quoted, go into the text; the id is a parameter.
    sql = (f"SELECT {columns}, CASE WHEN u.{quote('is_superuser')} THEN NULL "  # noqa: S608
           f"ELSE ARRAY({names}) END FROM {quote(user._meta.db_table)} u "
           f"WHERE u.{quote(user._meta.pk.column)} = %s")
    return sql, [field.attname for field in fields], [c for c in converters if c[2]]


class PortalBackend(AuthenticationBackend):
    def get_user(self, user_id):
        user_model = get_user_model()
        alias = router.db_for_read(user_model)
        sql, attnames, converters = _user_sql(alias)
        connection = connections[alias]
        with connection.cursor() as cursor:
            cursor.execute(sql, [user_id])
            row = cursor.fetchone()
        if row is None:
            return None
        values = list(row[:-1])
        for i, field, functions in converters:
            for convert in functions:
                values[i] = convert(values[i], field, connection)
        user = user_model.from_db(alias, attnames, values)
        if row[-1] is not None:
            user._perm_cache = set(row[-1])
        return user if self.user_can_authenticate(user) else None

    async def aget_user(self, user_id):
        return await sync_to_async(self.get_user)(user_id)

    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            if user_obj.is_superuser:
                rows = Permission.objects.values_list("content_type__app_label", "codename")
                user_obj._perm_cache = {f"{app_label}.{codename}" for app_label, codename
                                        in rows.order_by()}
            else:
                alias = router.db_for_read(type(user_obj))
                with connections[alias].cursor() as cursor:
                    cursor.execute(_own_permissions_sql(), [user_obj.pk, user_obj.pk])
                    user_obj._perm_cache = {name for (name,) in cursor.fetchall()}
        return user_obj._perm_cache
