"""The daily overdue job's stored description says it also repairs the clauses' stored working
days. sync_periodic_tasks writes a description only when it creates the row, so an existing row
is rewritten here: only while it still reads the old text, in whichever language it was written
(the department's own wording stays). Texts are frozen here, not read from the catalogue."""

from django.db import migrations

NAME = "commitments: overdue clauses to supervision"

# old text -> new text, per language (zh-hans, zh-hant, en)
REWORDED = {
    "将已过期限（节假日顺延至下一个工作日）仍未兑现的承诺事项转入督办，每项只转一次。": (
        "先按工作日历更正每项尚未兑现的承诺事项的到期工作日（修复日历调整时未能随之更正的日期），"
        "再将已过到期工作日仍未兑现的承诺事项转入督办，每项只转一次。"
    ),
    "將已過期限（節假日順延至下一個工作日）仍未兑現的承諾事項轉入督辦，每項只轉一次。": (
        "先按工作日曆更正每項尚未兑現的承諾事項的到期工作日（修復日曆調整時未能隨之更正的日期），"
        "再將已過到期工作日仍未兑現的承諾事項轉入督辦，每項只轉一次。"
    ),
    (
        "Send every commitment clause past its due date (a holiday moves it to the next working "
        "day) and not yet fulfilled to supervision (督办), once per clause."
    ): (
        "First move the working day each pending commitment clause falls due on to the one the "
        "working-day calendar now gives (repairing days a calendar correction failed to move); "
        "then send every clause past that day and not yet fulfilled to supervision (督办), once "
        "per clause."
    ),
}


def reword(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    db = schema_editor.connection.alias
    for old, new in REWORDED.items():
        PeriodicTask.objects.using(db).filter(name=NAME, description=old).update(description=new)


class Migration(migrations.Migration):
    dependencies = [
        ("commitments", "0006_clause_pending_falls_due_index"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(reword, migrations.RunPython.noop)]
