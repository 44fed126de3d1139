"""The people and objects the permission matrix and the identity-leak check run against.

One of each role the portal has: enterprise A (an administrator) and enterprise B, an
official of the accused unit, of the investigating unit and of another unit, the complaint
desk, other department staff, an observer, an evaluator and an auditor. Enterprise A's appeal
and A's report are handled by the investigating unit, so every object-bearing URL points at
something that belongs to A or to the investigating unit: the other roles must be refused."""

from dataclasses import dataclass, field

from complaints import services as complaint_services
from complaints.constants import Misconduct
from portal.accounts.roles import Role
from portal.orgs.models import JoinRequest
from tests.cases.factories import PDF_BYTES, assigned_case, upload
from tests.commitments.factories import commitment
from tests.complaints.factories import desk_staff
from tests.factories import (
    UnitFactory,
    UserFactory,
    department_staff,
    enterprise_user,
    unit_official,
)
from tests.policies.factories import make_policy

ROLES = ("anonymous", "enterprise_a", "enterprise_b", "accused_official",
         "investigating_official", "other_official", "complaint_desk", "department_staff",
         "observer", "evaluator", "auditor")


@dataclass
class MatrixWorld:
    users: dict = field(default_factory=dict)      # role -> User (anonymous: None)
    objects: dict = field(default_factory=dict)    # name -> object


def build_matrix_world() -> MatrixWorld:
    accused, investigating, other = UnitFactory(), UnitFactory(), UnitFactory()
    desk = desk_staff()
    a = enterprise_user(admin=True)
    users = {
        "anonymous": None,
        "enterprise_a": a,
        "enterprise_b": enterprise_user(admin=True),
        "accused_official": unit_official(accused),
        "investigating_official": unit_official(investigating),
        "other_official": unit_official(other),
        "complaint_desk": desk,
        "department_staff": department_staff(),
        # Observers have their own role; evaluators and auditors are people holding the role.
        "observer": UserFactory(roles=[Role.OBSERVER]),
        "evaluator": UserFactory(roles=[Role.EVALUATOR]),
        "auditor": UserFactory(roles=[Role.AUDITOR]),
    }
    case = assigned_case(desk, investigating, submitter=a,
                         files=[upload("材料.pdf", PDF_BYTES, "application/pdf")])
    complaint, code = complaint_services.complaint_submit(
        user=a, accused_unit=accused, misconduct=Misconduct.BUCK_PASSING,
        title="窗口人员推诿不办", facts="多次前往办理，均被告知材料不全却不说明缺什么。")
    complaint_services.complaint_assign(complaint=complaint, actor=desk, unit=investigating)
    promise = commitment(unit=investigating, enterprise=a.enterprise, clauses=1)
    join = JoinRequest.objects.create(user=UserFactory(), enterprise=a.enterprise,
                                      message="我是公司财务，申请加入。")
    notification = a.notifications.order_by("pk").first()
    make_policy(unit=investigating)   # a draft of the investigating unit's
    objects = {"case": case, "attachment": case.attachments.first(), "complaint": complaint,
               "receipt_code": code, "commitment": promise, "clause": promise.clauses.first(),
               "join_request": join, "notification": notification,
               "units": {"accused": accused, "investigating": investigating, "other": other}}
    return MatrixWorld(users=users, objects=objects)
