"""Case.attachment_count: how many files the case's steps carry, so a timeline with none reads
no attachments (issue 11). Counted here for the cases that have some; new files are counted
by services.attachments_save. The column keeps its default in the database (db_default), so
rows loaded by COPY without it (bench/steps/cases.py) count none."""

from django.db import migrations, models

COUNT = """
UPDATE cases_case AS c SET attachment_count = a.n
FROM (SELECT case_id, count(*) AS n FROM cases_attachment GROUP BY case_id) AS a
WHERE a.case_id = c.id
"""


class Migration(migrations.Migration):

    dependencies = [
        ("cases", "0009_case_submission_key"),
    ]

    operations = [
        migrations.AddField(
            model_name="case",
            name="attachment_count",
            field=models.PositiveIntegerField(default=0, db_default=0, editable=False,
                                              verbose_name="attachments"),
        ),
        migrations.RunSQL(COUNT, reverse_sql=migrations.RunSQL.noop, elidable=False),
    ]
