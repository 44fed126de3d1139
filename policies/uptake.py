"""Uptake (applications and grants) imported from the unit's spreadsheet, saved as CSV (UTF-8,
as Excel's "CSV UTF-8" writes it): columns credit_code, kind (applied / granted, or 申请 /
兑现), date (YYYY-MM-DD), amount (yuan, may be empty). A preview checks every row; the import
saves all rows or none, naming each bad row."""

from __future__ import annotations

import csv
import datetime
import io
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Count, Q
from django.utils.translation import gettext as _

from portal.ledger.services import ledger_append
from portal.orgs.models import Enterprise

from .models import Policy, PolicyMatch, Uptake

KINDS = {"applied": "applied", "申请": "applied", "granted": "granted", "兑现": "granted"}
MAX_ROWS = 10_000


@dataclass
class ImportResult:
    rows: list[dict] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    saved: int = 0


def _parse(data: bytes) -> ImportResult:
    result = ImportResult()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        result.errors.append(_("The file is not UTF-8 text: save the spreadsheet as “CSV UTF-8”."))
        return result
    reader = csv.DictReader(io.StringIO(text))
    needed = {"credit_code", "kind", "date"}
    if not reader.fieldnames or not needed <= {f.strip() for f in reader.fieldnames}:
        result.errors.append(
            _("The first row must name the columns credit_code, kind, date and amount.")
        )
        return result
    raw = list(reader)
    if len(raw) > MAX_ROWS:
        result.errors.append(_("At most %(n)s rows at a time.") % {"n": MAX_ROWS})
        return result
    codes = {(r.get("credit_code") or "").strip().upper() for r in raw}
    known = dict(Enterprise.objects.filter(credit_code__in=codes).values_list("credit_code", "pk"))
    seen = set()
    for number, row in enumerate(raw, start=2):  # row 1 holds the column names
        row = {k.strip(): (v or "").strip() for k, v in row.items() if k}
        problems = []
        code = row.get("credit_code", "").upper()
        if code not in known:
            problems.append(_("no enterprise with credit code “%(c)s”") % {"c": code})
        kind = KINDS.get(row.get("kind", "").lower())
        if kind is None:
            problems.append(
                _("kind “%(k)s” is neither applied nor granted") % {"k": row.get("kind", "")}
            )
        try:
            day = datetime.date.fromisoformat(row.get("date", ""))
        except ValueError:
            day = None
            problems.append(_("date “%(d)s” is not YYYY-MM-DD") % {"d": row.get("date", "")})
        amount = None
        if row.get("amount"):
            try:
                amount = Decimal(row["amount"].replace(",", ""))
                if amount < 0 or not amount.is_finite():
                    raise InvalidOperation
            except InvalidOperation:
                problems.append(_("amount “%(a)s” is not a sum of yuan") % {"a": row["amount"]})
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


def uptake_import(*, policy: Policy, data: bytes, by, save: bool) -> ImportResult:
    """Check the file (preview) or, with `save`, import it: all rows or, at the first bad row,
    none (errors name every bad row). Rows already recorded are updated, not doubled."""
    result = _parse(data)
    if result.errors or not save:
        return result
    with transaction.atomic():
        for row in result.rows:
            Uptake.objects.update_or_create(
                policy=policy,
                enterprise_id=row["enterprise_id"],
                kind=row["kind"],
                defaults={"on": row["on"], "amount": row["amount"]},
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
