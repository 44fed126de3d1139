"""Reference data shipped with the portal: GB/T 4754-2017 sections and common qualifications.

Loaded by migration 0002 and, in tests that empty the database, by `load_reference_data()`.
"""

import csv
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data" / "industries-gbt4754-2017.csv"

QUALIFICATIONS = [
    ("high-tech", "高新技术企业", "高新技術企業", "High-tech enterprise"),
    ("specialized-sme", "专精特新中小企业", "專精特新中小企業", "Specialised and innovative SME"),
    ("little-giant", "专精特新“小巨人”企业", "專精特新“小巨人”企業", "“Little giant” enterprise"),
    ("tech-sme", "科技型中小企业", "科技型中小企業", "Technology-based SME"),
    ("foreign-invested", "外商投资企业", "外商投資企業", "Foreign-invested enterprise"),
    ("above-scale", "规模以上工业企业", "規模以上工業企業", "Industrial enterprise above designated size"),
]


def load_reference_data(Industry=None, Qualification=None) -> None:
    """Create or update the rows; pass historical models from a migration."""
    if Industry is None or Qualification is None:
        from .models import Industry, Qualification
    with DATA.open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            Industry.objects.update_or_create(section=row.pop("section"), defaults=row)
    for code, hans, hant, en in QUALIFICATIONS:
        Qualification.objects.update_or_create(
            code=code, defaults={"name_zh_hans": hans, "name_zh_hant": hant, "name_en": en})
