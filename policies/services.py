"""Writes of policies. Other apps may call: nothing yet.

`policy_publish` puts a policy in force as a new version and starts the precise push: one
set-based INSERT … SELECT of every enterprise that is eligible or unknown into the match table,
then notices in batches by Celery tasks queued after commit; each match row is notified once
(its `notified_at`, set in the transaction that creates the notices, and the notices' own
dedup key), so a repeated publish, a task run twice or a worker killed mid-batch sends no
enterprise a second notice and loses none (docs/adr/0013).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from portal.core.queue import enqueue_on_commit
from portal.ledger.services import ledger_append
from portal.notifications.services import Message, notify_many
from portal.orgs.models import Enterprise, Qualification

from . import conditions as cond
from .models import (
    Certificate,
    Declaration,
    Grant,
    NotRelevant,
    Policy,
    PolicyMatch,
    PolicyStatus,
    PolicyVersion,
    TopicSubscription,
)

PUSH_TASK = "policies.tasks.policy_push"
BATCH = 500


def policy_check_conditions(*, policy: Policy) -> list[str]:
    clauses = {c.number for c in policy.clauses.all()}
    return cond.validate_tree(policy.conditions, clauses=clauses)


def policy_run_test_cases(*, policy: Policy) -> list[str]:
    """Return one translated line per failing test case (empty: all pass)."""
    today = timezone.localdate()
    failures = []
    for case in policy.test_cases.order_by("id"):
        try:
            profile = cond.Profile.from_json(case.profile)
        except (ValueError, TypeError, ArithmeticError):
            failures.append(gettext("Test case “%(name)s”: its profile cannot be read.")
                            % {"name": case.name})
            continue
        got = cond.evaluate(policy.conditions, profile, today=today).outcome
        if got != case.expected:
            labels = dict(PolicyStatus.choices) | {
                "eligible": gettext("Eligible"), "not_eligible": gettext("Not eligible"),
                "unknown": gettext("Not yet known")}
            failures.append(gettext("Test case “%(name)s” expects “%(want)s” but the conditions "
                                    "give “%(got)s”.") % {"name": case.name,
                                                          "want": labels[case.expected],
                                                          "got": labels[got]})
    return failures


@transaction.atomic
def policy_publish(*, policy: Policy, by) -> PolicyVersion:
    """Put `policy` in force as a new version and push it to the enterprises it concerns.

    Refused (ValidationError, nothing saved) when the policy is expired, repealed or
    superseded, or past its last day (`ends_on`, before the daily job marks it expired), when
    the conditions are unsound, the policy has no test case, or a test case fails (named). Publishing again a policy already in force
    with the same conditions changes nothing and returns its current version.
    """
    policy = Policy.objects.select_for_update().get(pk=policy.pk)
    if by is not None and not by.is_superuser and by.unit_id != policy.unit_id:
        raise PermissionDenied(gettext("Only the issuing unit publishes this policy."))
    if policy.status not in (PolicyStatus.DRAFT, PolicyStatus.IN_FORCE):
        raise ValidationError(gettext("A policy that is expired, repealed or superseded cannot "
                                      "be published again."))
    # Past its last day (the day itself included, as the daily job counts it) a policy is over
    # even before the job marks it expired; a draft whose last day has passed never starts.
    if policy.ends_on < timezone.localdate():
        raise ValidationError(gettext("A policy whose validity ended on %(date)s cannot be "
                                      "published; set a later “in force until” date first.")
                              % {"date": policy.ends_on.isoformat()})
    errors = policy_check_conditions(policy=policy)
    if errors:
        raise ValidationError(errors)
    if not policy.test_cases.exists():
        raise ValidationError(gettext("Add at least one test case before publishing."))
    failures = policy_run_test_cases(policy=policy)
    if failures:
        raise ValidationError(failures)
    current = policy.versions.order_by("-number").first()
    if (policy.status == PolicyStatus.IN_FORCE and current is not None
            and current.conditions == policy.conditions):
        return current  # a repeated publish: no new version, no second push
    policy.version += 1
    policy.status = PolicyStatus.IN_FORCE
    if policy.expires_on is None:
        policy.expires_on = cond.years_before(policy.issued_on, -3)  # Art. 10
    policy.save(update_fields=["version", "status", "expires_on"])
    version = PolicyVersion.objects.create(policy=policy, number=policy.version,
                                           conditions=policy.conditions, published_by=by)
    version.matched = match_insert(version=version)
    version.save(update_fields=["matched"])
    policy_index(policy=policy)
    ledger_append(actor=by, action="policy.publish", obj=policy,
                  payload={"version": version.number, "conditions": policy.conditions,
                           "matched": version.matched})
    if policy.granted_without_application:
        grants_propose(version=version)
    enqueue_on_commit(PUSH_TASK, version.pk)
    return version


def grants_propose(*, version: PolicyVersion) -> int:
    """免申即享: propose every enterprise found eligible (not unknown) for `version`; one
    set-based statement."""
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO policies_grant (version_id, enterprise_id, status, reason) "
            "SELECT version_id, enterprise_id, 'proposed', '' FROM policies_policymatch "
            "WHERE version_id = %s AND outcome = 'eligible' "
            "ON CONFLICT (version_id, enterprise_id) DO NOTHING", [version.pk])
        return cursor.rowcount


@transaction.atomic
def grants_decide(*, grants, by, confirm: bool, reason: str = "") -> int:
    """Confirm proposed grants (each enterprise's members are told it received the benefit) or
    remove them with a reason (they are told why). Only the issuing unit decides; a grant
    already decided is left as it is. Return how many were decided."""
    from portal.accounts.models import User

    reason = (reason or "").strip()
    if not confirm and not reason:
        raise ValidationError(gettext("Give the reason for removing an enterprise."))
    rows = list(Grant.objects.select_for_update().select_related("version__policy")
                .filter(pk__in=[g.pk for g in grants], status=Grant.Status.PROPOSED))
    for grant in rows:
        if by is not None and not by.is_superuser and by.unit_id != grant.version.policy.unit_id:
            raise PermissionDenied(gettext("Only the issuing unit decides these grants."))
    now = timezone.now()
    members: dict[int, list] = {}
    for user in User.objects.filter(enterprise_id__in=[g.enterprise_id for g in rows],
                                    is_active=True):
        members.setdefault(user.enterprise_id, []).append(user)
    messages = []
    for grant in rows:
        policy = grant.version.policy
        grant.status = Grant.Status.CONFIRMED if confirm else Grant.Status.REMOVED
        grant.reason = "" if confirm else reason
        grant.decided_by, grant.decided_at = by, now
        grant.save(update_fields=["status", "reason", "decided_by", "decided_at"])
        ledger_append(actor=by, action="policy.grant_" + grant.status, obj=grant,
                      payload={"reason": grant.reason})
        url = reverse("policies:detail", args=[policy.pk])
        if confirm:
            subject = format_lazy(_("You received a benefit without applying: {}"), policy.title)
            body = _("Your enterprise meets the conditions; the issuing unit granted the benefit "
                     "without an application.")
        else:
            subject = format_lazy(_("Not granted without applying: {}"), policy.title)
            body = format_lazy(_("Reason given by the issuing unit: {}"), reason)
        messages.append(Message(members.get(grant.enterprise_id, []), subject, body, url,
                                f"policy-grant:{grant.pk}"))
    notify_many(messages)
    return len(rows)


def match_insert(*, version: PolicyVersion) -> int:
    """ONE set-based statement: every enterprise eligible or unknown for `version` into the
    match table (ON CONFLICT DO NOTHING: running it again adds nobody twice)."""
    today = timezone.localdate()
    expr, params = cond.to_sql(version.conditions, today=today)
    missing, mparams = cond.missing_sql(version.conditions, today=today)
    # The fragments are compiled from a checked tree; every value is a parameter.
    sql = (
        "INSERT INTO policies_policymatch (version_id, enterprise_id, outcome, missing) "  # noqa: S608
        f"SELECT %s, e.id, CASE WHEN r.ok THEN 'eligible' ELSE 'unknown' END, "
        f"CASE WHEN r.ok THEN ARRAY[]::varchar[] ELSE {missing} END "
        f"FROM orgs_enterprise e CROSS JOIN LATERAL (SELECT {expr} AS ok) r "
        "WHERE r.ok IS NOT FALSE "
        "ON CONFLICT (version_id, enterprise_id) DO NOTHING"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [version.pk, *mparams, *params])
        return cursor.rowcount


def push_plan(*, version_id: int) -> list[tuple[int, int]]:
    """The id ranges of the matches still to notify, BATCH at a time."""
    ids = list(PolicyMatch.objects.filter(version_id=version_id, notified_at__isnull=True)
               .order_by("id").values_list("id", flat=True))
    return [(ids[i], ids[min(i + BATCH, len(ids)) - 1]) for i in range(0, len(ids), BATCH)]


@transaction.atomic
def push_batch(*, version_id: int, first_id: int, last_id: int) -> int:
    """Notify the members of the enterprises of matches first_id..last_id not yet notified;
    return how many enterprises were notified. Rows another worker holds are skipped (it
    notifies them, or its death rolls back and the redelivered task does)."""
    from portal.accounts.models import User

    matches = list(PolicyMatch.objects.select_for_update()
                   .filter(version_id=version_id, id__gte=first_id, id__lte=last_id,
                           notified_at__isnull=True).order_by("id"))
    if not matches:
        return 0
    version = PolicyVersion.objects.select_related("policy").get(pk=version_id)
    policy = version.policy
    members: dict[int, list] = {}
    for user in User.objects.filter(enterprise_id__in=[m.enterprise_id for m in matches],
                                    is_active=True):
        members.setdefault(user.enterprise_id, []).append(user)
    url = reverse("policies:detail", args=[policy.pk])
    key = f"policy:{policy.pk}:v{version.number}"
    messages = []
    for m in matches:
        if m.outcome == "eligible":
            subject = format_lazy(_("A policy for your enterprise: {}"), policy.title)
            body = _("Your enterprise meets the conditions of this policy. The page gives the "
                     "reasons and how to apply.")
        else:
            subject = format_lazy(_("A policy your enterprise may qualify for: {}"),
                                  policy.title)
            body = _("Some facts about your enterprise are missing to decide. Supply them on "
                     "the policy's page and the result is given at once.")
        messages.append(Message(members.get(m.enterprise_id, []), subject, body, url, key))
    notify_many(messages)
    PolicyMatch.objects.filter(pk__in=[m.pk for m in matches]).update(notified_at=timezone.now())
    return len(matches)


def policy_index(*, policy: Policy) -> None:
    """Store the jieba tokens of the policy, its clauses and its guide for search."""
    from portal.cases.text import search_tokens

    parts = [policy.title, policy.document_number, policy.summary]
    parts += [c.text for c in policy.clauses.all()]
    guide = getattr(policy, "guide", None)
    if guide is not None:
        parts += [guide.who_benefits, guide.conditions, guide.amount, guide.how_to_apply]
    tokens = search_tokens(" ".join(p for p in parts if p))
    with connection.cursor() as cursor:
        cursor.execute("UPDATE policies_policy SET search_tokens = to_tsvector('simple', %s) "
                       "WHERE id = %s", [tokens, policy.pk])


# --- enterprise side ------------------------------------------------------------------------

FACT_FIELDS = ("registered_capital", "founded_on", "street", "park", "ownership",
               "industry_division")


def fact_not_missing_message() -> str:
    """Why a fact sent for a policy is not saved (in the request's language): the policy is not
    missing it, because it was supplied meanwhile (the page open in another tab) or the policy
    never asks for it. One wording for the page and the API."""
    return gettext("This policy does not need this fact: it was already given, or the policy "
                   "does not ask for it.")


@transaction.atomic
def fact_supply(*, enterprise: Enterprise, by, key: str, value=None, holds: bool | None = None,
                certificate=None) -> None:
    """Record one fact an enterprise supplies for eligibility (a figure, a qualification with
    its certificate, or an answer to a free-text condition). Refused with a translated
    ValidationError, nothing saved, when the value is not acceptable."""
    kind, _sep, rest = key.partition(":")
    if key in FACT_FIELDS:
        if value in (None, ""):
            raise ValidationError(gettext("Enter a value."))
        setattr(enterprise, key, value)
        enterprise.full_clean(exclude=[f.name for f in Enterprise._meta.concrete_fields
                                       if f.name != key] + ["qualifications"],
                              validate_unique=False, validate_constraints=False)
        enterprise.save(update_fields=[key])
    elif kind == "qualification":
        qualification = Qualification.objects.filter(code=rest).first()
        if qualification is None:
            raise ValidationError(gettext("Unknown qualification."))
        if holds:
            if certificate is None:
                raise ValidationError(gettext("Attach the certificate of the qualification."))
            # Checked by content like every upload (a program named .pdf is refused), and
            # stored under a name of ours, not the client's (issue 16, tests/trust/test_uploads).
            from portal.cases.attachments import attachment_inspect
            from portal.cases.models import EngineSettings

            info = attachment_inspect(
                certificate, max_bytes=EngineSettings.load().attachment_max_bytes)
            certificate.name = f"certificate{info.extension}"
            Certificate.objects.create(enterprise=enterprise, qualification=qualification,
                                       file=certificate)
            enterprise.qualifications.add(qualification)
            Declaration.objects.filter(enterprise=enterprise, key=key).delete()
        else:
            enterprise.qualifications.remove(qualification)
            Declaration.objects.update_or_create(enterprise=enterprise, key=key,
                                                 defaults={"value": False, "declared_by": by})
    elif kind == "declared" and rest:
        if holds is None:
            raise ValidationError(gettext("Answer yes or no."))
        Declaration.objects.update_or_create(enterprise=enterprise, key=key,
                                             defaults={"value": bool(holds), "declared_by": by})
    else:
        raise ValidationError(gettext("Unknown fact."))
    ledger_append(actor=by, action="policy.fact_supply", obj=enterprise, payload={"key": key})


@transaction.atomic
def policy_mark_not_relevant(*, enterprise: Enterprise, policy: Policy, relevant: bool) -> None:
    if relevant:
        NotRelevant.objects.filter(enterprise=enterprise, policy=policy).delete()
    else:
        NotRelevant.objects.get_or_create(enterprise=enterprise, policy=policy)


@transaction.atomic
def topic_subscribe(*, enterprise: Enterprise, topic, subscribed: bool) -> None:
    if subscribed:
        TopicSubscription.objects.get_or_create(enterprise=enterprise, topic=topic)
    else:
        TopicSubscription.objects.filter(enterprise=enterprise, topic=topic).delete()


def unfinished_pushes() -> list[int]:
    return list(PolicyMatch.objects.filter(notified_at__isnull=True)
                .values_list("version_id", flat=True).distinct())
