"""Uptake (applications and grants) imported from the unit's spreadsheet: an Excel workbook
(.xlsx, its first sheet) or a CSV file (UTF-8, as Excel's "CSV UTF-8" writes it). Columns
credit_code, kind (applied / granted, or 申请 / 兑现), date (YYYY-MM-DD, or a date cell),
amount (yuan, may be empty), named in the first row that is not empty. A preview checks every
row; the import saves all rows or none, naming each bad row by the spreadsheet's own number.

Which of the two a file is comes from its content, never its name: a workbook is a zip
archive holding a workbook part; anything named .xlsx that is not one is refused. A workbook
is read by openpyxl in read-only, data-only mode (the values Excel last computed, no formula
evaluated here), after its parts' unzipped sizes are checked against MAX_UNZIPPED, so a zip
bomb is refused before a byte of it is inflated; rows are read one by one and reading stops
past MAX_ROWS (docs/adr/0013-policies-eligibility.md).
"""

from __future__ import annotations

import csv
import datetime
import io
import logging
import warnings
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Count, Q
from django.utils.translation import gettext as _

from portal.ledger.services import ledger_append
from portal.orgs.models import Enterprise

from .models import Policy, PolicyMatch, Uptake

logger = logging.getLogger(__name__)

KINDS = {"applied": "applied", "申请": "applied", "granted": "granted", "兑现": "granted"}
COLUMNS = ("credit_code", "kind", "date", "amount")
MAX_ROWS = 10_000
MAX_BYTES = 5 * 1024 * 1024  # the file as uploaded, either kind
# A workbook's parts once unzipped: 10,000 rows of four columns are about 2.2 MB of XML, and
# reading the most this allows takes openpyxl 2-3 s (a worker is never held longer).
MAX_UNZIPPED = 8 * 1024 * 1024
MAX_PARTS = 500
MAX_COLUMNS = 16  # cells read per row; the four columns are among the first
CENT, LARGEST = Decimal("0.01"), Decimal(10) ** 12
EXCEL_ROWS = 1_048_576  # the most rows a sheet can have
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, or an .xlsx encrypted by a password


@dataclass
class ImportResult:
    rows: list[dict] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    saved: int = 0


class Refused(Exception):
    """The file as a whole cannot be read; the message says why, in the reader's language."""


def _megabytes(n: int) -> str:
    return f"{n / 1024 / 1024:g}"


def _csv_rows(data: bytes) -> list[tuple[int, tuple]]:
    """Return (row number, values) of every line of a CSV UTF-8 file (numbered from 1)."""
    if b"\x00" in data:
        raise Refused(
            _("The file is neither an Excel workbook (.xlsx) nor text saved as “CSV UTF-8”.")
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise Refused(
            _(
                "The file is not UTF-8 text: save the spreadsheet as “CSV UTF-8”, "
                "or as an Excel workbook (.xlsx)."
            )
        ) from None
    try:
        # one record a row, an empty line an empty row: numbered as Excel numbers them when it
        # opens the file (a quoted cell over several lines is one row)
        return [
            (number, tuple(values))
            for number, values in enumerate(csv.reader(io.StringIO(text, newline="")), start=1)
        ]
    except csv.Error as exc:
        raise Refused(_("The CSV file cannot be read: %(e)s") % {"e": exc}) from None


def _xlsx_rows(data: bytes) -> list[tuple[int, tuple]]:
    """Return (row number, values) of the first sheet's rows, as Excel numbers them, up to the
    first MAX_ROWS + 1 rows that are not empty."""
    from openpyxl import load_workbook

    not_workbook = _(
        "The file is not an Excel workbook (.xlsx). Save the spreadsheet from "
        "Excel as “Excel Workbook (.xlsx)” or as “CSV UTF-8”."
    )
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        parts = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise Refused(not_workbook) from None
    names = {p.filename for p in parts}
    if "[Content_Types].xml" not in names or not any(
        n.startswith("xl/") and n.endswith(".xml") for n in names
    ):
        raise Refused(not_workbook)
    # zipfile inflates a part no further than the size its directory declares, so these
    # bound what reading can cost, whatever the compressed bytes hold.
    if len(parts) > MAX_PARTS or sum(p.file_size for p in parts) > MAX_UNZIPPED:
        raise Refused(
            _(
                "The workbook unpacks to more than %(mb)s MB: keep only the sheet of "
                "applications and grants, or save it as “CSV UTF-8”."
            )
            % {"mb": _megabytes(MAX_UNZIPPED)}
        )
    rows, filled = [], 0
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns of styles and extensions it skips
            book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            try:
                if not book.worksheets:
                    raise Refused(not_workbook)
                sheet = book.worksheets[0]
                for number, values in enumerate(
                    sheet.iter_rows(
                        min_row=1, max_row=EXCEL_ROWS, max_col=MAX_COLUMNS, values_only=True
                    ),
                    start=1,
                ):
                    if any(v not in (None, "") for v in values):
                        rows.append((number, tuple(values)))
                        filled += 1
                        if filled > MAX_ROWS + 1:  # the column names and MAX_ROWS rows
                            break
            finally:
                book.close()
    except Refused:
        raise
    except Exception as exc:  # any fault in reading a file we did not write is the file's
        logger.info("uptake workbook refused: %r", exc)
        raise Refused(
            _(
                "The workbook cannot be read (it may be damaged). Open it in Excel "
                "and save it again as .xlsx, or as “CSV UTF-8”."
            )
        ) from None
    return rows


def _rows(data: bytes, name: str) -> list[tuple[int, tuple]]:
    """Read the file by what its content is, whatever its name says."""
    if len(data) > MAX_BYTES:
        raise Refused(
            _("The file is larger than %(mb)s MB: import it in parts.")
            % {"mb": _megabytes(MAX_BYTES)}
        )
    if data.startswith(ZIP_MAGIC):
        return _xlsx_rows(data)
    if data.startswith(OLE_MAGIC):
        raise Refused(
            _(
                "This is an old Excel file (.xls) or a workbook protected by a "
                "password: save it from Excel as an unprotected workbook (.xlsx) or as "
                "“CSV UTF-8”."
            )
        )
    if name.lower().endswith((".xlsx", ".xlsm", ".xls")):
        raise Refused(
            _(
                "“%(name)s” is named as an Excel file but its content is not an Excel "
                "workbook (.xlsx). Save the spreadsheet from Excel as “Excel Workbook "
                "(.xlsx)” or as “CSV UTF-8”."
            )
            % {"name": name}
        )
    return _csv_rows(data)


def _text(value) -> str:
    """A cell as text: a whole number typed into Excel comes back as an int or a float."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _day(value) -> datetime.date | None:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(_text(value))
    except ValueError:
        return None


def _amount(value) -> Decimal:
    """A sum of yuan, or InvalidOperation."""
    if isinstance(value, bool):
        raise InvalidOperation
    if isinstance(value, float):  # a computed cell: what Excel shows, to the fen
        amount = Decimal(repr(value)).quantize(CENT)
    elif isinstance(value, int):
        amount = Decimal(value)
    else:
        amount = Decimal(_text(value).replace(",", ""))
    # what Uptake.amount holds (14 digits, 2 after the point)
    if not amount.is_finite() or amount < 0 or amount >= LARGEST or amount != amount.quantize(CENT):
        raise InvalidOperation
    return amount


def _parse(data: bytes, name: str = "") -> ImportResult:
    result = ImportResult()
    try:
        lines = _rows(data, name)
    except Refused as exc:
        result.errors.append(str(exc))
        return result
    # the first row that is not empty names the columns
    lines = [(n, v) for n, v in lines if any(_text(x) for x in v)]
    header = [_text(x) for x in lines[0][1]] if lines else []
    if not {"credit_code", "kind", "date"} <= set(header):
        result.errors.append(
            _("The first row must name the columns credit_code, kind, date and amount.")
        )
        return result
    raw = lines[1:]
    if len(raw) > MAX_ROWS:
        result.errors.append(_("At most %(n)s rows at a time.") % {"n": MAX_ROWS})
        return result
    position = {column: header.index(column) for column in COLUMNS if column in header}

    def cell(values, column):
        i = position.get(column)
        return values[i] if i is not None and i < len(values) else None

    codes = {_text(cell(v, "credit_code")).upper() for _n, v in raw}
    known = dict(Enterprise.objects.filter(credit_code__in=codes).values_list("credit_code", "pk"))
    seen = set()
    for number, values in raw:
        problems = []
        code = _text(cell(values, "credit_code")).upper()
        if code not in known:
            problems.append(_("no enterprise with credit code “%(c)s”") % {"c": code})
        kind_text = _text(cell(values, "kind"))
        kind = KINDS.get(kind_text.lower())
        if kind is None:
            problems.append(_("kind “%(k)s” is neither applied nor granted") % {"k": kind_text})
        day = _day(cell(values, "date"))
        if day is None:
            problems.append(
                _("date “%(d)s” is not YYYY-MM-DD") % {"d": _text(cell(values, "date"))}
            )
        amount = None
        if _text(cell(values, "amount")):
            try:
                amount = _amount(cell(values, "amount"))
            except (InvalidOperation, ValueError):
                problems.append(
                    _("amount “%(a)s” is not a sum of yuan") % {"a": _text(cell(values, "amount"))}
                )
        if code in known and kind and (code, kind) in seen:
            problems.append(_("the same enterprise and kind twice in the file"))
        seen.add((code, kind))
        if problems:
            result.errors.append(_("Row %(n)s: %(p)s.") % {"n": number, "p": "; ".join(problems)})
        else:
            result.rows.append(
                {
                    "row": number,
                    "credit_code": code,
                    "enterprise_id": known[code],
                    "kind": kind,
                    "on": day,
                    "amount": amount,
                }
            )
    return result


def uptake_import(*, policy: Policy, data: bytes, by, save: bool, name: str = "") -> ImportResult:
    """Check the file (preview) or, with `save`, import it: all rows or, at the first bad row,
    none (errors name every bad row). Rows already recorded are updated, not doubled.

    `data` is the file's content, an .xlsx workbook or CSV UTF-8 text (told apart by content);
    `name` is the name it was uploaded under, used only to say that a file named .xlsx is not
    one."""
    result = _parse(data, name)
    if result.errors or not save:
        return result
    with transaction.atomic():
        # one INSERT … ON CONFLICT DO UPDATE per thousand rows: a row already recorded is
        # updated (policy_uptake_once), never doubled
        Uptake.objects.bulk_create(
            [
                Uptake(
                    policy=policy,
                    enterprise_id=row["enterprise_id"],
                    kind=row["kind"],
                    on=row["on"],
                    amount=row["amount"],
                )
                for row in result.rows
            ],
            batch_size=1000,
            update_conflicts=True,
            unique_fields=["policy", "enterprise", "kind"],
            update_fields=["on", "amount"],
        )
        ledger_append(
            actor=by, action="policy.uptake_import", obj=policy, payload={"rows": len(result.rows)}
        )
    result.saved = len(result.rows)
    return result


def uptake_summary(*, policy: Policy) -> dict:
    """Eligible (at the latest version's push), applied, granted, and entitled but not
    received (eligible, nothing granted)."""
    version = policy.versions.order_by("-number").first()
    counts = Uptake.objects.filter(policy=policy).aggregate(
        applied=Count("id", filter=Q(kind="applied")), granted=Count("id", filter=Q(kind="granted"))
    )
    eligible = PolicyMatch.objects.filter(version=version, outcome="eligible")
    granted = Uptake.objects.filter(policy=policy, kind="granted").values("enterprise_id")
    return {
        "eligible": eligible.count(),
        **counts,
        "entitled_not_received": eligible.exclude(enterprise_id__in=granted).count(),
    }
