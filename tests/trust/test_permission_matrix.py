"""Every URL the portal serves × every role, generated from the URL configuration.

Each URL is requested by each role (GET; a POST with an empty body where GET is not allowed)
against objects that belong to enterprise A or to the investigating unit, and the outcome,
allowed or refused, is compared with its declaration in `permission_matrix.py`. A URL with
no declaration fails the test by name, so a new page, admin view or API endpoint cannot
escape the matrix. Refused means 401/403/404, or a redirect to a sign-in page."""

import os
import re
from fnmatch import fnmatch
from urllib.parse import urlsplit

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from tests.totp import login
from tests.trust.matrix_world import ROLES, build_matrix_world
from tests.trust.permission_matrix import DECLARATIONS, NOT_REQUESTED

SIGN_IN = ("/accounts/login/", "/admin/login/")
# The admin answers an object its user may not see with a redirect to its index ("does not
# exist"): a refusal.
REFUSED_REDIRECTS = (*SIGN_IN, "/admin/")
# Requests that would end the role's session (then every later cell would read "refused").
NO_POST = {"account_logout", "admin:logout"}


def url_patterns(patterns=None, prefix="", namespace=None):
    """(route, name) of every URL pattern; name includes its namespace, None if unnamed."""
    for p in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(p, URLResolver):
            ns = namespace
            if p.namespace:
                ns = f"{namespace}:{p.namespace}" if namespace else p.namespace
            yield from url_patterns(p.url_patterns, prefix + str(p.pattern), ns)
        elif isinstance(p, URLPattern):
            name = p.name and (f"{namespace}:{p.name}" if namespace else p.name)
            yield prefix + str(p.pattern), name


def key(route, name):
    return name or route


def declared(k):
    for pattern, allowed in DECLARATIONS:
        if fnmatch(k, pattern):
            return allowed
    return None


def _admin_object(route, world):
    m = re.match(r"admin/(\w+)/(\w+)/", route)
    model = apps.get_model(m.group(1), m.group(2))
    mine = {"cases.case": world.objects["case"], "complaints.complaint": world.objects["complaint"],
            "commitments.commitment": world.objects["commitment"],
            "commitments.clause": world.objects["clause"],
            "orgs.joinrequest": world.objects["join_request"],
            "notifications.notification": world.objects["notification"],
            "accounts.user": world.users["enterprise_a"],
            "orgs.enterprise": world.users["enterprise_a"].enterprise,
            "orgs.unit": world.objects["units"]["investigating"]}.get(model._meta.label_lower)
    obj = mine or model._default_manager.order_by("pk").first()
    return obj.pk if obj else 0


def concrete(route, name, world):
    """The path to request for a route, its parameters filled with the world's objects."""
    o = world.objects
    if name == "admin:app_list":
        return "/admin/cases/"
    if route.endswith("(?P<url>.*)$"):
        return "/admin/no-such-page/"
    if name == "account_confirm_email":
        return "/accounts/confirm-email/not-a-key/"
    if name == "account_reset_password_from_key":
        return "/accounts/password/reset/key/1-not-a-key/"
    pk = {"cases": o["case"].pk, "api:cases": o["case"].pk, "notifications": o["notification"].pk,
          "api:notifications": o["notification"].pk, "orgs:decide": o["join_request"].pk,
          "api:join-request": o["join_request"].pk, "commitments:detail": o["commitment"].pk,
          "api:commitments-detail": o["commitment"].pk, "commitments:confirm": o["clause"].pk,
          "commitments:dispute": o["clause"].pk, "api:commitments-confirm": o["clause"].pk,
          "api:commitments-dispute": o["clause"].pk, "admin:commitments_clause": o["clause"].pk,
          "api:commitments-record": o["clause"].pk}
    values = {
        "attachment_id": o["attachment"].pk,
        "file_id": 0,
        "content_type_id": ContentType.objects.get_for_model(o["case"]).pk,
        "id": world.users["enterprise_a"].pk,
        "slug": "assign",
    }
    if name:
        values["pk"] = next((v for prefix, v in sorted(pk.items(), key=lambda kv: -len(kv[0]))
                             if name.startswith(prefix)), None)
        if values["pk"] is None:
            # the API's writes on a policy get the world's draft: not in force, so not found
            model = {"policies:": "policies.policy", "commitments:evidence": "commitments.evidencefile",
                     "api:api-policy-facts": "policies.policy",
                     "api:api-policy-not-relevant": "policies.policy"}
            label = next((v for p, v in model.items() if name.startswith(p)), None)
            obj = label and apps.get_model(label).objects.order_by("pk").first()
            values["pk"] = obj.pk if obj else 0
    if "<path:object_id>" in route:
        values["object_id"] = (o["case"].pk if name == "admin:view_on_site"
                               else _admin_object(route, world))

    def fill(m):
        return str(values[m.group(1)])

    path = re.sub(r"<(?:\w+:)?(\w+)>", fill, route)
    return "/" + path


def outcome(response):
    if response.status_code >= 500:
        return "error"
    if response.status_code in (401, 403, 404):
        return "refused"
    if response.status_code in (301, 302) and urlsplit(response["Location"]).path in REFUSED_REDIRECTS:
        return "refused"
    return "allowed"


@pytest.fixture
def world(db):
    return build_matrix_world()


def role_clients(world):
    clients = {}
    for role in ROLES:
        c = Client(HTTP_ACCEPT_LANGUAGE="en")
        c.cookies["portal_language"] = "en"
        if world.users[role] is not None:
            login(c, world.users[role])
        clients[role] = c
    return clients


def test_every_url_against_every_role(world, settings):
    settings.RATELIMIT_ENABLE = False
    clients = role_clients(world)
    routes = list(url_patterns())
    undeclared = [key(r, n) for r, n in routes if declared(key(r, n)) is None]
    assert not undeclared, (
        "URLs not declared in tests/trust/permission_matrix.py: " + ", ".join(undeclared))

    failures, observed, cells = [], {}, 0
    for route, name in routes:
        k = key(route, name)
        if any(fnmatch(k, p) for p in NOT_REQUESTED):
            continue
        path = concrete(route, name, world)
        allowed_roles = declared(k)
        seen = set()
        for role in ROLES:
            client = clients[role]
            response = client.get(path)
            if response.status_code == 405 and name not in NO_POST:
                response = client.post(path, {})
            result = outcome(response)
            cells += 1
            if result == "allowed":
                seen.add(role)
            expected = "allowed" if role in allowed_roles else "refused"
            if result != expected:
                failures.append(f"{k} ({path}) as {role}: {result} "
                                f"[{response.status_code}], declared {expected}")
        observed[k] = seen
    if os.environ.get("TRUST_MATRIX_DUMP"):
        with open(os.environ["TRUST_MATRIX_DUMP"], "w") as out:
            for k, seen in observed.items():
                out.write(f"{k!r}: {sorted(seen)!r}\n")
    print(f"permission matrix: {len(routes)} URLs x {len(ROLES)} roles = {cells} cells")
    assert not failures, f"{len(failures)} cells differ:\n" + "\n".join(failures)
