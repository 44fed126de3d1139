"""Uptake imported from an Excel workbook (.xlsx) as from CSV: preview, the bad row named as
Excel numbers it, nothing half-imported; a file that is not a workbook, whatever its name, and
a zip bomb are refused with a message. Workbooks are built here with openpyxl."""

import datetime
import io
import time
import zipfile
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from openpyxl import Workbook

from policies import services
from policies.models import Uptake
from policies.uptake import MAX_ROWS, MAX_UNZIPPED, uptake_import
from tests.factories import EnterpriseFactory, unit_official
from tests.totp import login

from .factories import make_policy, qualification

pytestmark = pytest.mark.django_db

HEADER = ("credit_code", "kind", "date", "amount")


def _world():
    official = unit_official()
    enterprises = []
    for capital in (500, 600):
        e = EnterpriseFactory(registered_capital=capital)
        e.qualifications.add(qualification())
        enterprises.append(e)
    policy = make_policy(unit=official.unit)
    services.policy_publish(policy=policy, by=official)
    return official, policy, enterprises


def _xlsx(*rows, title="兑现台账") -> bytes:
    """A workbook whose first sheet holds `rows` from row 1 (None: an empty row)."""
    book = Workbook()
    sheet = book.active
    sheet.title = title
    for number, row in enumerate(rows, start=1):
        for column, value in enumerate(row or (), start=1):
            sheet.cell(row=number, column=column, value=value)
    book.create_sheet("说明").append(["第二张表不读"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _upload(data, name="uptake.xlsx"):
    return SimpleUploadedFile(name, data, "application/octet-stream")


def test_a_workbook_previews_then_imports_with_date_and_number_cells(client):
    official, policy, (a, b) = _world()
    data = _xlsx(
        HEADER,
        (a.credit_code, "申请", datetime.datetime(2026, 3, 1), None),
        None,  # an empty row in the middle is skipped
        (a.credit_code, "兑现", datetime.date(2026, 4, 1), 50000),
        (b.credit_code, "Applied", "2026-03-02", 1234.5),
    )
    login(client, official)
    url = f"/admin/policies/policy/{policy.pk}/uptake/"
    page = client.post(url, {"_preview": "1", "file": _upload(data)}).content.decode()
    assert "3 rows are ready to import." in page
    assert not Uptake.objects.exists()
    client.post(url, {"_import": "1", "file": _upload(data)})
    got = {
        (u.enterprise_id, u.kind): (u.on, u.amount) for u in Uptake.objects.filter(policy=policy)
    }
    assert got == {
        (a.pk, "applied"): (datetime.date(2026, 3, 1), None),
        (a.pk, "granted"): (datetime.date(2026, 4, 1), 50000),
        (b.pk, "applied"): (datetime.date(2026, 3, 2), Decimal("1234.50")),
    }
    # the same workbook again: updated, not doubled
    client.post(url, {"_import": "1", "file": _upload(data)})
    assert Uptake.objects.count() == 3


def test_a_workbook_with_one_bad_row_imports_nothing_and_names_the_row_as_excel_does(client):
    official, policy, (a, b) = _world()
    data = _xlsx(
        None,  # the column names on row 2, as some units' sheets have a title row left empty
        HEADER,
        (a.credit_code, "applied", datetime.date(2026, 3, 1), None),
        None,
        (b.credit_code, "granted", "2026-13-01", 5000),  # row 5: no such date
        (b.credit_code, "applied", datetime.date(2026, 3, 2), -3),  # row 6: negative
    )
    result = uptake_import(policy=policy, data=data, name="x.xlsx", by=official, save=True)
    assert result.errors == [
        "Row 5: date “2026-13-01” is not YYYY-MM-DD.",
        "Row 6: amount “-3” is not a sum of yuan.",
    ]
    assert not Uptake.objects.exists()
    login(client, official)
    page = client.post(
        f"/admin/policies/policy/{policy.pk}/uptake/", {"_import": "1", "file": _upload(data)}
    ).content.decode()
    assert "Nothing was imported" in page and "Row 5: date" in page
    assert not Uptake.objects.exists()


def _not_a_workbook_zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:  # a Word document's shape, not a workbook
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    return out.getvalue()


@pytest.mark.parametrize(
    "content",
    [
        b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n",
        b"credit_code,kind,date,amount\n",  # a CSV renamed .xlsx
        _not_a_workbook_zip(),
        b"PK\x03\x04 truncated",
    ],
    ids=["pdf", "csv", "zip", "broken-zip"],
)
def test_a_file_renamed_xlsx_that_is_not_a_workbook_is_refused(client, content):
    official, policy, (a, _b) = _world()
    login(client, official)
    page = client.post(
        f"/admin/policies/policy/{policy.pk}/uptake/",
        {"_import": "1", "file": _upload(content, "兑现台账.xlsx")},
    )
    text = page.content.decode()
    assert page.status_code == 200 and "Nothing was imported" in text
    assert "not an Excel workbook (.xlsx)" in text or "cannot be read" in text
    assert not Uptake.objects.exists()


def test_the_refusal_is_in_the_readers_language():
    official, policy, _enterprises = _world()
    with translation.override("zh-hans"):
        result = uptake_import(
            policy=policy, data=b"%PDF-1.4 x", name="台账.xlsx", by=official, save=False
        )
    assert result.errors and "Excel" in result.errors[0]
    assert "not an Excel workbook" not in result.errors[0]  # Chinese, not the English source


def test_a_zip_bomb_is_refused_before_it_is_inflated():
    official, policy, _enterprises = _world()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as part:
            chunk = b" " * (1024 * 1024)
            for _ in range(MAX_UNZIPPED // len(chunk) + 8):
                part.write(chunk)
    data = out.getvalue()
    assert len(data) < 200_000  # tiny on the wire
    started = time.monotonic()
    result = uptake_import(policy=policy, data=data, name="bomb.xlsx", by=official, save=True)
    assert time.monotonic() - started < 1
    assert result.errors == [
        f"The workbook unpacks to more than {MAX_UNZIPPED // 1024 // 1024} MB: keep only the "
        "sheet of applications and grants, or save it as “CSV UTF-8”."
    ]
    assert not Uptake.objects.exists()


def test_a_workbook_of_more_rows_than_allowed_is_refused_whole():
    official, policy, (a, _b) = _world()
    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(HEADER)
    for n in range(MAX_ROWS + 1):
        sheet.append((a.credit_code, "applied", "2026-03-01", n))
    out = io.BytesIO()
    book.save(out)
    result = uptake_import(policy=policy, data=out.getvalue(), by=official, save=True)
    assert result.errors == [f"At most {MAX_ROWS} rows at a time."]
    assert not Uptake.objects.exists()
