"""Data: link each support policy commitment to its policy, and name the supervision items of
commitments by what happened.

- A support policy commitment whose document number (文号, as printed) is exactly the number of
  one published policy gets that policy; with none, or two or more, it keeps its text only, for
  an official to choose in the admin. Drafts are not counted: a commitment never rests on one.
- The engine's items opened for a clause (ClauseSupervision) under the engine's nearest cause
  ("unhappy" for a dispute, "overdue" for a clause past its date) take the kind's own source.
"""

from django.db import migrations
from django.db.models import Count

SUPPORT_POLICY = "support_policy"
SOURCES = {"disputed": ("unhappy", "commitment_disputed"),
           "overdue": ("overdue", "commitment_overdue")}


def fill_policy(apps, schema_editor):
    Commitment = apps.get_model("commitments", "Commitment")
    Policy = apps.get_model("policies", "Policy")
    numbers = set(Commitment.objects.filter(kind=SUPPORT_POLICY, policy__isnull=True)
                  .exclude(document_number="").values_list("document_number", flat=True))
    if not numbers:
        return
    published = Policy.objects.exclude(status="draft").filter(document_number__in=numbers)
    unique = {row["document_number"] for row in published.values("document_number")
              .annotate(n=Count("id")).filter(n=1)}
    for policy_id, number in published.filter(document_number__in=unique).values_list(
            "id", "document_number"):
        Commitment.objects.filter(kind=SUPPORT_POLICY, policy__isnull=True,
                                  document_number=number).update(policy_id=policy_id)


def name_sources(apps, schema_editor):
    ClauseSupervision = apps.get_model("commitments", "ClauseSupervision")
    SupervisionItem = apps.get_model("cases", "SupervisionItem")
    for cause, (old, new) in SOURCES.items():
        SupervisionItem.objects.filter(
            source=old, pk__in=ClauseSupervision.objects.filter(cause=cause).values("item_id"),
        ).update(source=new)


def unname_sources(apps, schema_editor):
    ClauseSupervision = apps.get_model("commitments", "ClauseSupervision")
    SupervisionItem = apps.get_model("cases", "SupervisionItem")
    for cause, (old, new) in SOURCES.items():
        SupervisionItem.objects.filter(
            source=new, pk__in=ClauseSupervision.objects.filter(cause=cause).values("item_id"),
        ).exclude(case__supervision_items__source=old).update(source=old)


class Migration(migrations.Migration):

    dependencies = [
        ("commitments", "0003_commitment_policy"),
        ("cases", "0008_supervision_source_kinds"),
    ]

    operations = [
        # Backwards: the link goes with the column (0003); the text was never changed.
        migrations.RunPython(fill_policy, migrations.RunPython.noop),
        migrations.RunPython(name_sources, unname_sources),
    ]
