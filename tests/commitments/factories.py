"""Commitments made for tests: rows as an official would enter them in the admin."""

import datetime

from policies.commitments import services
from policies.commitments.constants import CommitmentKind
from policies.commitments.models import Clause, Commitment
from tests.factories import EnterpriseFactory, UnitFactory


def commitment(
    *,
    unit=None,
    enterprise=None,
    kind=CommitmentKind.AGREEMENT,
    clauses=1,
    due=datetime.date(2026, 6, 30),
    title="招商引资协议",
    number="穗埔投协〔2026〕12号",
    stored_day=True,
):
    """`stored_day`: each clause's working day of falling due stored as the admin stores it on
    save (False: empty, as for a clause written outside the admin)."""
    if kind == CommitmentKind.AGREEMENT and enterprise is None:
        enterprise = EnterpriseFactory()
    c = Commitment.objects.create(
        kind=kind,
        title=title,
        document_number=number,
        unit=unit or UnitFactory(),
        enterprise=enterprise,
        summary="区政府与企业约定的扶持事项。",
    )
    for n in range(1, clauses + 1):
        clause = Clause(commitment=c, number=n, text=f"第{n}项：给予落户奖励100万元", due_date=due)
        if stored_day:
            clause.falls_due_on = services.effective_due_date(clause)
        clause.save()
    return c
