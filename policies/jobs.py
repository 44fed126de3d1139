"""Daily jobs of policies: expiry alerts (60 and 30 days before, once each), expired status,
and the reminder of a missing guide 7 working days after issue (the unit), then 10 (the
department). Each sends at most once: what was sent is recorded on the policy."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from portal.accounts.models import User
from portal.cases.services import department_staff, unit_officials
from portal.ledger.services import ledger_append
from portal.notifications.services import notify
from portal.workdays.calendar import nth_working_after

from .models import Policy, PolicyMatch, PolicyStatus, Uptake

ALERT_DAYS = (60, 30)
APPLY_REMINDER_DAYS = 7
GUIDE_DAYS_UNIT = 7
GUIDE_DAYS_DEPARTMENT = 10


@transaction.atomic
def run_daily(today: datetime.date | None = None) -> dict:
    today = today or timezone.localdate()
    counts = {"alerts": 0, "expired": 0, "guide": 0, "apply": 0}
    # the guide and the unit with each policy (read below for every one); FOR UPDATE only of
    # the policies (PostgreSQL refuses it on the nullable side of the join to the guide)
    in_force = (Policy.objects.select_related("guide", "unit")
                .select_for_update(skip_locked=True, of=("self",))
                .filter(status=PolicyStatus.IN_FORCE))
    for policy in in_force:
        url = reverse("policies:detail", args=[policy.pk])
        if policy.ends_on < today:
            policy.status = PolicyStatus.EXPIRED
            policy.save(update_fields=["status"])
            ledger_append(actor=None, action="policy.expire", obj=policy)
            counts["expired"] += 1
            continue
        left = (policy.ends_on - today).days
        # One alert: the nearest threshold reached (30 swallows 60 if both are due).
        due = [d for d in ALERT_DAYS if left <= d and d not in policy.expiry_alerts_sent]
        if due:
            notify(recipients=unit_officials(policy.unit_id),
                   subject=format_lazy(_("Policy expires in {} days: {}"), left, policy.title),
                   body=_("Decide whether to extend, revise or let it expire."),
                   url=url, dedup_key=f"policy:{policy.pk}:expiry:{min(due)}")
            policy.expiry_alerts_sent = sorted(set(policy.expiry_alerts_sent) | set(due))
            policy.save(update_fields=["expiry_alerts_sent"])
            counts["alerts"] += 1
        has_guide = hasattr(policy, "guide")
        if (has_guide and policy.guide.apply_by and not policy.apply_reminder_sent
                and today <= policy.guide.apply_by
                and (policy.guide.apply_by - today).days <= APPLY_REMINDER_DAYS):
            counts["apply"] += _remind_to_apply(policy, url)
        if not has_guide and policy.guide_reminders_sent < 2:
            unit_day = nth_working_after(policy.issued_on, GUIDE_DAYS_UNIT)
            dept_day = nth_working_after(policy.issued_on, GUIDE_DAYS_DEPARTMENT)
            if policy.guide_reminders_sent == 0 and today >= unit_day:
                notify(recipients=unit_officials(policy.unit_id),
                       subject=format_lazy(_("Write the guide of policy: {}"), policy.title),
                       body=_("A policy in force needs its interpretation and application "
                              "guide within 7 working days of issue."),
                       url=url, dedup_key=f"policy:{policy.pk}:guide:unit")
                policy.guide_reminders_sent = 1
                policy.save(update_fields=["guide_reminders_sent"])
                counts["guide"] += 1
            elif policy.guide_reminders_sent == 1 and today >= dept_day:
                notify(recipients=department_staff(),
                       subject=format_lazy(_("Policy still without a guide: {}"), policy.title),
                       body=format_lazy(_("Issuing unit: {}"), policy.unit.display_name),
                       url=url, dedup_key=f"policy:{policy.pk}:guide:department")
                policy.guide_reminders_sent = 2
                policy.save(update_fields=["guide_reminders_sent"])
                counts["guide"] += 1
    return counts


def _remind_to_apply(policy, url) -> int:
    """Remind the members of the enterprises eligible at the latest version that have neither
    applied nor received the benefit; once per policy."""
    from portal.notifications.services import Message, notify_many

    version = policy.versions.order_by("-number").first()
    took = Uptake.objects.filter(policy=policy).values("enterprise_id")
    enterprise_ids = (PolicyMatch.objects.filter(version=version, outcome="eligible")
                      .exclude(enterprise_id__in=took).values("enterprise_id"))
    people = list(User.objects.filter(enterprise_id__in=enterprise_ids, is_active=True))
    notify_many([Message(people, format_lazy(_("Apply by {}: {}"),
                                             policy.guide.apply_by.isoformat(), policy.title),
                         _("Your enterprise meets the conditions of this policy and has not "
                           "applied yet."), url, f"policy:{policy.pk}:apply-reminder")])
    policy.apply_reminder_sent = True
    policy.save(update_fields=["apply_reminder_sent"])
    return len({u.enterprise_id for u in people})

