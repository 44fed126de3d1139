import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from portal.cases import services
from portal.cases.constants import Action, SupervisionSource, SupervisionStatus
from portal.cases.models import Case, CaseEvent, SupervisionItem
from portal.ledger.models import LedgerEntry
from portal.notifications.models import Notification

from .factories import signed_case

pytestmark = pytest.mark.django_db
LATER = datetime.date(2099, 1, 1)


def test_department_supervises_a_case_and_closes_it(dept, unit, official,
                                                    django_capture_on_commit_callbacks):
    case = signed_case(dept, unit, official)
    with django_capture_on_commit_callbacks(execute=True):
        item = services.supervision_open(actor=dept, case=case, target="三日内答复",
                                         due_date=LATER)
    assert (item.source, item.unit, item.created_by) == (SupervisionSource.MANUAL, unit, dept)
    assert Case.objects.get(pk=case.pk).is_supervised
    event = CaseEvent.objects.get(case=case, action=Action.SUPERVISE)
    assert not event.seen_by_submitter
    assert Notification.objects.filter(recipient=official, subject__contains="supervision").exists()
    with pytest.raises(ValidationError) as exc:
        services.supervision_close(item=item, actor=dept, note="")
    assert exc.value.message_dict == {"note": ["Record the outcome of the supervision."]}
    item = services.supervision_close(item=item, actor=dept, note="已答复，企业满意")
    assert item.status == SupervisionStatus.CLOSED and item.closed_by == dept
    assert not Case.objects.get(pk=case.pk).is_supervised
    with pytest.raises(ValidationError, match="already closed"):
        services.supervision_close(item=item, actor=dept, note="again")
    assert LedgerEntry.objects.filter(action="cases.supervision_closed").count() == 1


def test_supervision_of_a_unit_without_a_case(dept, unit):
    item = services.supervision_open(actor=dept, unit=unit, target="压缩审批时限",
                                     due_date=LATER)
    assert item.case is None
    assert LedgerEntry.objects.filter(action="cases.supervision_opened",
                                      object_id=str(item.pk)).exists()
    with pytest.raises(ValidationError) as exc:
        services.supervision_open(actor=dept, target="t", due_date=LATER)
    assert exc.value.message_dict == {"unit": ["Choose the unit that must act."]}


def test_units_and_enterprises_cannot_open_or_close_supervision(dept, unit, official, submitter):
    case = signed_case(dept, unit, official, submitter=submitter)
    for person in (official, submitter):
        with pytest.raises(PermissionDenied):
            services.supervision_open(actor=person, case=case, target="t", due_date=LATER)
    item = services.supervision_open(actor=dept, case=case, target="t", due_date=LATER)
    with pytest.raises(PermissionDenied):
        services.supervision_close(item=item, actor=official, note="done")
    assert SupervisionItem.objects.get().status == SupervisionStatus.OPEN


def test_a_closed_case_cannot_be_supervised(dept, unit, official, submitter):
    case = signed_case(dept, unit, official, submitter=submitter)
    case = services.case_answer(case=case, actor=official, answer="答复")
    case = services.case_rate(case=case, actor=submitter, score=5)
    with pytest.raises(services.InvalidTransition, match="while it is “Closed”"):
        services.supervision_open(actor=dept, case=case, target="t", due_date=LATER)
