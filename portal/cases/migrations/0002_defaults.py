"""Defaults the department then edits in the admin: categories, deadline rules (DESIGN §9),
engine settings."""

from django.db import migrations

CATEGORIES = [
    ("market-access", "市场准入", "市場准入", "Market access and registration"),
    ("permits", "审批服务", "審批服務", "Permits and approvals"),
    ("tax", "税费", "稅費", "Taxes and fees"),
    ("finance", "融资", "融資", "Financing"),
    ("land", "用地与规划", "用地與規劃", "Land and planning"),
    ("construction", "工程建设", "工程建設", "Construction projects"),
    ("labour", "用工与人才", "用工與人才", "Employment and talent"),
    ("ip", "知识产权", "知識產權", "Intellectual property"),
    ("policy", "政策兑现", "政策兌現", "Policy benefits"),
    ("utilities", "水电气网", "水電氣網", "Water, power, gas and internet"),
    ("enforcement", "执法监管", "執法監管", "Inspections and law enforcement"),
    ("other", "其他", "其他", "Other"),
]

# (kind, stage, appeal type or "" for any, working days)
RULES = [
    ("appeal", "acceptance", "", 1),
    ("appeal", "handling", "inquiry", 2),
    ("appeal", "handling", "help", 10),
    ("appeal", "handling", "suggestion", 10),
    ("appeal", "handling", "complaint", 15),
    ("complaint", "acceptance", "", 1),
    ("complaint", "handling", "", 15),
]


def forwards(apps, schema_editor):
    Category = apps.get_model("cases", "Category")
    DeadlineRule = apps.get_model("cases", "DeadlineRule")
    EngineSettings = apps.get_model("cases", "EngineSettings")
    for position, (code, hans, hant, en) in enumerate(CATEGORIES):
        Category.objects.get_or_create(code=code, defaults={
            "name_zh_hans": hans, "name_zh_hant": hant, "name_en": en, "position": position})
    # The column is `subtype` since 0005; tests call this with today's models (conftest.py).
    type_field = ("subtype" if any(f.name == "subtype" for f in DeadlineRule._meta.fields)
                  else "appeal_type")
    for kind, stage, appeal_type, days in RULES:
        DeadlineRule.objects.get_or_create(kind=kind, stage=stage, category=None,
                                           defaults={"working_days": days},
                                           **{type_field: appeal_type})
    EngineSettings.objects.get_or_create(pk=1)


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
