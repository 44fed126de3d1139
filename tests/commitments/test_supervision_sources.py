"""A clause goes to supervision (督办) under a source that says what happened — "Disputed by the
enterprise", "Commitment overdue" — declared by the commitment kind and shown by the engine's
admin list, its filter, the item's page and the department's dashboard in each language."""

import datetime

import pytest
import time_machine

from policies.commitments import services
from policies.commitments.kind import COMMITMENT
from portal.cases.kinds import KindSpec, register, supervision_source_choices
from portal.cases.models import SupervisionItem
from portal.cases.workflows import STANDARD_TRANSITIONS
from portal.notifications.models import Notification
from tests.cases.factories import local_dt
from tests.factories import department_staff, enterprise_user, unit_official
from tests.totp import login

from .factories import commitment

pytestmark = pytest.mark.django_db

LABELS = {
    "en": {
        "commitment_disputed": "Disputed by the enterprise",
        "commitment_overdue": "Commitment overdue",
    },
    "zh-hans": {"commitment_disputed": "企业对履约有异议", "commitment_overdue": "承诺逾期未兑现"},
}


def disputed_item():
    official = unit_official()
    c = commitment(unit=official.unit)
    clause = c.clauses.get()
    services.fulfilment_record(actor=official, clause=clause, note="奖励资金已拨付。", files=[])
    services.fulfilment_dispute(
        actor=enterprise_user(c.enterprise), clause=clause, reason="资金只到账一半。"
    )
    return SupervisionItem.objects.get(case__commitment_clause=clause)


def overdue_item():
    official = unit_official()
    c = commitment(unit=official.unit, due=datetime.date(2026, 6, 30))  # a Tuesday
    with time_machine.travel(local_dt(2026, 7, 1, 10, 0), tick=False):
        assert services.clauses_scan_overdue() == 1
    return SupervisionItem.objects.get(case__commitment_clause=c.clauses.get())


def shown(client, item, language) -> dict[str, str]:
    """What the department reads about `item` in `language`: the list's row, the filter's
    choices, the item's page and the dashboard."""
    client.cookies["portal_language"] = language
    listing = client.get("/admin/cases/supervisionitem/").content.decode()
    row = listing.split(f'href="/admin/cases/supervisionitem/{item.pk}/change/')[1].split("</tr>")[
        0
    ]
    by_source = client.get("/admin/cases/supervisionitem/", {"source__exact": item.source})
    return {
        "row": row,
        "filter": listing.split('id="changelist-filter"')[1],
        "filtered": by_source.content.decode(),
        "page": client.get(f"/admin/cases/supervisionitem/{item.pk}/change/").content.decode(),
        "dashboard": client.get("/admin/cases/dashboard/").content.decode(),
    }


@pytest.mark.parametrize(
    "make, source", [(disputed_item, "commitment_disputed"), (overdue_item, "commitment_overdue")]
)
def test_the_item_says_what_happened_in_the_admin_in_chinese_and_english(client, make, source):
    item = make()
    assert item.source == source
    login(client, department_staff())
    for language, labels in LABELS.items():
        seen = shown(client, item, language)
        label = labels[source]
        assert label in seen["row"], language
        assert f"?source__exact={source}" in seen["filter"] and label in seen["filter"]
        assert item.case.reference in seen["filtered"]
        assert label in seen["page"]
        assert label in seen["dashboard"].split('id="supervision-table"')[1]
        # Never the engine's cause for an unhappy rating.
        unhappy = {"en": "Unhappy rating twice", "zh-hans": "两次评价不满意"}[language]
        assert unhappy not in seen["row"] and unhappy not in seen["page"]


def test_the_department_is_told_the_cause_in_its_language():
    chinese, english = department_staff(language="zh-hans"), department_staff(language="en")
    item = disputed_item()
    told = {
        n.recipient_id: n.subject
        for n in Notification.objects.filter(subject__contains=item.case.reference).filter(
            subject__contains="督办"
        )
    }
    assert "企业对履约有异议" in told[chinese.pk]
    assert "Disputed by the enterprise" in told[english.pk]


def test_a_kind_cannot_take_a_source_the_engine_or_another_kind_has():
    assert (
        dict(supervision_source_choices())["commitment_disputed"]
        == COMMITMENT.supervision_sources["commitment_disputed"]
    )
    for taken in ("overdue", "commitment_disputed"):
        spec = KindSpec(
            code="test_thief",
            label="thief",
            transitions=STANDARD_TRANSITIONS,
            audiences={},
            supervision_sources={taken: "mine"},
        )
        with pytest.raises(ValueError, match="is taken"):
            register(spec)
    assert "test_thief" not in dict(supervision_source_choices())
