"""Every page an enterprise user can reach fits a phone (issue 12), at 390 x 844, in normal and
large-text mode: no sideways scroll.

The pages come from the URL configuration, not from a list kept by hand: every route outside
the admin and the API, reversed with an object of the signed-in enterprise where it needs one
(OBJECTS below), opened first with Django's test client to keep what answers with an HTML page
(a POST-only step answers 405, a file download is not HTML, a redirect lands on a page that is
walked anyway). A route added later joins by itself; one that needs an object fails the test
until OBJECTS says which. One browser page walks them all, so the walk stays quick.
"""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from allauth.account.utils import user_pk_to_url_str
from django.contrib.auth.tokens import default_token_generator
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from portal.orgs.services import join_request_submit
from tests.cases.factories import PDF_BYTES, submit_case, upload
from tests.e2e.signin import sign_in
from tests.factories import UserFactory, enterprise_user
from tests.fixtures.browser import fits_the_phone, overflow_px
from tests.notifications.factories import NotificationFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# Not pages for people: the admin (officials, the axe walk covers it), the API and its schema
# (programs), the language and text-size switches (POST), the JavaScript catalogue.
SKIPPED_NAMESPACES = {"admin", "api"}
SKIPPED_NAMES = {"schema", "javascript-catalog", "set_language", "healthz"}


def routes() -> list[tuple[str, list[str]]]:
    """Return (URL name with namespace, parameter names) of every named route."""
    found = []

    def walk(patterns, namespace: str | None, params: list[str]):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                ns = namespace
                if entry.namespace:
                    ns = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
                if ns and ns.split(":")[0] in SKIPPED_NAMESPACES:
                    continue
                walk(entry.url_patterns, ns, params + list(entry.pattern.regex.groupindex))
            elif isinstance(entry, URLPattern) and entry.name:
                name = f"{namespace}:{entry.name}" if namespace else entry.name
                if name not in SKIPPED_NAMES:
                    found.append((name, params + list(entry.pattern.regex.groupindex)))

    walk(get_resolver().url_patterns, None, [])
    return found


def _commitment_of(user):
    """An agreement with the user's enterprise whose clause has a recorded fulfilment (履约)."""
    from policies.commitments.services import fulfilment_record
    from tests.commitments.factories import commitment
    from tests.factories import unit_official

    official = unit_official()
    clause = commitment(unit=official.unit, enterprise=user.enterprise).clauses.get()
    fulfilment = fulfilment_record(actor=official, clause=clause, note="落户奖励已拨付。",
                                   files=[upload("拨付凭证.pdf", PDF_BYTES)])
    return clause, fulfilment.files.get()


def _policy_for(user):
    """A published policy the user's enterprise may qualify for (a fact missing)."""
    from policies.services import policy_publish
    from tests.factories import unit_official
    from tests.policies.factories import make_policy

    official = unit_official()
    policy = make_policy(unit=official.unit)
    policy_publish(policy=policy, by=official)
    return policy


def objects_for(user) -> dict[str, dict]:
    """The objects of the signed-in enterprise that pages with parameters show."""
    case = submit_case(user, files=[upload("营业执照.pdf", PDF_BYTES)])
    attachment = case.attachments.get()
    notification = NotificationFactory(recipient=user, subject="您的诉求已受理",
                                       body="区营商环境改革局已受理您的诉求。")
    applicant = UserFactory()
    join = join_request_submit(user=applicant, enterprise=user.enterprise, message="我是新同事")
    new_address = EmailAddress.objects.create(user=user, email="second@example.com",
                                              verified=False, primary=False)
    clause, evidence = _commitment_of(user)
    policy = _policy_for(user)
    return {
        "policies:detail": {"pk": policy.pk},
        "policies:facts": {"pk": policy.pk},
        "policies:not_relevant": {"pk": policy.pk},
        "commitments:detail": {"pk": clause.commitment_id},
        "commitments:confirm": {"pk": clause.pk},
        "commitments:dispute": {"pk": clause.pk},
        "commitments:evidence": {"pk": evidence.pk},
        "cases:detail": {"pk": case.pk},
        "cases:provide_info": {"pk": case.pk},
        "cases:rate": {"pk": case.pk},
        "cases:supplement": {"pk": case.pk},
        "cases:attachment": {"pk": case.pk, "attachment_id": attachment.pk},
        "notifications:open": {"pk": notification.pk},
        "notifications:mark_read": {"pk": notification.pk},
        "orgs:decide": {"pk": join.pk},
        "account_confirm_email": {"key": EmailConfirmationHMAC(new_address).key},
        "account_reset_password_from_key": {
            "uidb36": user_pk_to_url_str(user), "key": default_token_generator.make_token(user)},
    }


def pages(client: Client, objects: dict[str, dict]) -> list[str]:
    """Return the paths that answer `client` with an HTML page: those that show one, then
    those that redirect to a page no other path shows."""
    direct, redirected, missing = {}, {}, []
    for name, params in routes():
        if params and name not in objects:
            missing.append(f"{name} ({', '.join(params)})")
            continue
        path = reverse(name, kwargs=objects.get(name) or None)
        response = client.get(path, follow=True)
        assert response.status_code < 500, f"{path} answers {response.status_code}"
        if response.status_code == 200 and response["Content-Type"].startswith("text/html"):
            final = response.request["PATH_INFO"]
            (redirected if response.redirect_chain else direct).setdefault(final, path)
    found = list(direct.values())
    found += [path for final, path in redirected.items() if final not in direct]
    assert not missing, ("these routes need an object to show: add one to objects_for(): "
                         + "; ".join(missing))
    return found


def walk(page, base: str, paths: list[str], shot, label: str) -> None:
    for mode in ("normal", "large"):
        page.context.add_cookies([{"name": "portal_text_size", "value": mode, "url": base}])
        wide = []
        for path in paths:
            response = page.goto(base + path)
            assert response is not None and response.ok, f"{path}: {response and response.status}"
            overflow = overflow_px(page)
            if overflow > 0:
                wide.append(f"{path} ({overflow}px)")
                shot(page, f"wide-{label}-{mode}-{path}")
        assert not wide, f"sideways scroll at 390 px, {mode} text: " + ", ".join(wide)


def test_every_enterprise_page_fits_a_phone_in_normal_and_large_text(
        phone_page, live_server, shot):
    base = live_server.url
    user = enterprise_user(admin=True, email="phone@zhizao.example.cn", full_name="手机用户",
                           language="zh-hans")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    objects = objects_for(user)

    anonymous = pages(Client(), objects)
    signed_in_client = Client()
    signed_in_client.force_login(user)
    signed_in = pages(signed_in_client, objects)
    # The walk reaches the pages people use most; the rest come from the URLconf.
    assert {"/accounts/login/", "/accounts/signup/", "/"} <= set(anonymous)
    assert {"/cases/new/", "/enterprise/", "/enterprise/members/", "/inbox/",
            "/accounts/sessions/", reverse("cases:detail", kwargs=objects["cases:detail"])
            } <= set(signed_in)

    walk(phone_page, base, anonymous, shot, "anonymous")
    sign_in(phone_page, base, user.email)
    phone_page.goto(base + "/")  # the sessions page lists the session once it was used
    walk(phone_page, base, signed_in, shot, "signed-in")

    phone_page.goto(base + "/accounts/sessions/")
    fits_the_phone(phone_page)
    shot(phone_page, "sessions-large")
    phone_page.context.add_cookies([{"name": "portal_text_size", "value": "normal", "url": base}])
    phone_page.reload()
    shot(phone_page, "sessions-normal")
