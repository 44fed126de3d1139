"""Policies bench (issue 15): publish-to-all-notices-enqueued on the bench data (300,000
enterprises at scale 1), and notices per enterprise after publishing twice.

    python -m bench.policies            # on DATABASE_URL (default ys_bench), Redis REDIS_URL

Publishes a policy whose conditions cover every enterprise (eligible or unknown), times the
publish transaction (ONE INSERT … SELECT into the match table) and the push planning that queues
every batch task; then delivers every batch in this process, publishes again, runs the push and
the sweeper again, and counts notices per recipient. Everything it created is removed at the end
(policy, matches, notices), so the pages' benchmarks are unaffected. Figures to
bench/out/policies-<date>.json.
"""

from __future__ import annotations

import datetime
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/ys_bench")
    os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/6")
    os.environ.setdefault("CELERY_BROKER_URL", os.environ["REDIS_URL"])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.dev")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from policies import services
    from policies.models import Policy, PolicyClause, PolicyMatch, PolicyTestCase
    from policies.tasks import policy_push
    from portal.celery import app
    from portal.notifications.models import Notification
    from portal.orgs.models import Enterprise, Unit

    call_command("migrate", verbosity=0, interactive=False)
    enterprises = Enterprise.objects.count()
    unit = Unit.objects.order_by("id").first()
    # Industry sections C or I or M with a registered capital of at least 100 (10,000 yuan), or
    # any high-tech enterprise: a realistic mix of eligible, unknown and not.
    conditions = {"any": [
        {"all": [{"field": "industry_section", "values": ["C", "I", "M"], "clause": "第二条"},
                 {"field": "registered_capital", "min": 100, "clause": "第三条"}]},
        {"field": "qualification", "values": ["high-tech"], "clause": "第二条"},
    ]}
    policy = Policy.objects.create(title="基准测试政策", unit=unit, conditions=conditions)
    PolicyClause.objects.create(policy=policy, number="第二条", text="-")
    PolicyClause.objects.create(policy=policy, number="第三条", text="-")
    PolicyTestCase.objects.create(policy=policy, name="c", expected="eligible",
                                  profile={"qualifications": ["high-tech"]})
    app.control.purge()
    published = {}
    try:
        t0 = time.perf_counter()
        version = services.policy_publish(policy=policy, by=None)  # commits, queues policy_push
        t_publish = time.perf_counter() - t0
        t1 = time.perf_counter()
        batches = policy_push.run(version.pk)  # what the worker does: queue every batch
        t_plan = time.perf_counter() - t1
        app.control.purge()  # the batches are delivered below, in this process
        published["publish_seconds"] = round(t_publish, 2)
        published["plan_and_enqueue_seconds"] = round(t_plan, 2)
        published["publish_to_all_enqueued_seconds"] = round(t_publish + t_plan, 2)
        published["batches"] = batches
        published["matched"] = version.matched
        published["eligible"] = PolicyMatch.objects.filter(version=version,
                                                           outcome="eligible").count()
        t2 = time.perf_counter()
        for first, last in services.push_plan(version_id=version.pk):
            services.push_batch(version_id=version.pk, first_id=first, last_id=last)
        published["deliver_all_seconds_one_process"] = round(time.perf_counter() - t2, 2)
        # Publish again, run the push and a batch over everything again: nothing new.
        again = services.policy_publish(policy=policy, by=None)
        policy_push.run(again.pk)
        app.control.purge()
        first = PolicyMatch.objects.filter(version=version).order_by("id").first().pk
        last = PolicyMatch.objects.filter(version=version).order_by("-id").first().pk
        services.push_batch(version_id=version.pk, first_id=first, last_id=last)
        key = f"policy:{policy.pk}:v{version.number}"
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*), count(DISTINCT recipient_id), "
                "count(DISTINCT u.enterprise_id) FROM notifications_notification n "
                "JOIN accounts_user u ON u.id = n.recipient_id WHERE n.dedup_key = %s", [key])
            notices, recipients, notified_enterprises = cursor.fetchone()
            cursor.execute(
                "SELECT count(*) FROM policies_policymatch m WHERE m.version_id = %s AND "
                "EXISTS (SELECT 1 FROM accounts_user u WHERE u.enterprise_id = m.enterprise_id "
                "AND u.is_active)", [version.pk])
            with_members = cursor.fetchone()[0]
        published.update({
            "second_publish_same_version": again.pk == version.pk,
            "notices": notices, "recipients": recipients,
            "notices_per_recipient": round(notices / recipients, 3) if recipients else None,
            "enterprises_notified": notified_enterprises,
            "matched_enterprises_with_members": with_members,
            "unnotified_matches": PolicyMatch.objects.filter(
                version=version, notified_at__isnull=True).count(),
        })
        published["meets_target"] = (published["publish_to_all_enqueued_seconds"] < 10
                                     and notices == recipients
                                     and notified_enterprises == with_members)
    finally:
        Notification.objects.filter(dedup_key__startswith=f"policy:{policy.pk}:").delete()
        PolicyMatch.objects.filter(version__policy=policy).delete()
        policy.versions.all().delete()
        policy.delete()
        app.control.purge()
    result = {"enterprises": enterprises, "at": datetime.datetime.now(datetime.UTC).isoformat(),
              **published}
    out = ROOT / "bench" / "out" / f"policies-{datetime.datetime.now():%Y-%m-%d-%H%M}.json"
    out.write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
