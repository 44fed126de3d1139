"""Load GB/T 4754-2017 industry sections (shared/reference, zh-hant by OpenCC s2t) and the
qualifications policies most often target."""

from django.db import migrations


def load(apps, schema_editor):
    from portal.orgs.reference import load_reference_data

    load_reference_data(apps.get_model("orgs", "Industry"), apps.get_model("orgs", "Qualification"))


class Migration(migrations.Migration):
    dependencies = [("orgs", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
