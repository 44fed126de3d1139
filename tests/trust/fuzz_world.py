"""Real objects for the API fuzzer: people of each role, and for them cases in several states,
a report, a commitment, a join request and notifications, so that the fuzzer's detail and step
operations meet objects that exist, not only made-up ids."""

import re
from dataclasses import dataclass, field

from rest_framework.authtoken.models import Token

from complaints import services as complaint_services
from complaints.constants import Misconduct
from policies import services as policy_services
from policies.models import Topic
from portal.cases.models import Category
from portal.notifications.models import Notification
from portal.orgs.models import JoinRequest, Unit
from tests.cases.factories import (
    PDF_BYTES,
    answered_case,
    assigned_case,
    signed_case,
    submit_case,
    upload,
)
from tests.commitments.factories import commitment
from tests.complaints.factories import desk_staff
from tests.factories import UnitFactory, UserFactory, enterprise_user, unit_official
from tests.policies.factories import make_policy

ROLES = ("enterprise", "official", "department", "anonymous")


@dataclass
class World:
    users: dict = field(default_factory=dict)          # role -> User (anonymous: None)
    ids: list = field(default_factory=list)            # (path regex, {param: value}) pairs
    references: dict = field(default_factory=dict)     # input field -> real values it takes

    def headers(self, role: str) -> dict:
        user = self.users[role]
        if user is None:
            return {}
        token, _ = Token.objects.get_or_create(user=user)
        return {"Authorization": f"Token {token.key}"}

    def path_parameters(self, path: str) -> list[dict]:
        """The real objects' path parameters an operation's path may take."""
        return [params for pattern, params in self.ids if re.search(pattern, path)]


def build_world() -> World:
    unit = UnitFactory()
    official = unit_official(unit)
    desk = desk_staff()
    admin = enterprise_user(admin=True)
    world = World(users={"enterprise": admin, "official": official, "department": desk,
                         "anonymous": None})

    cases = [
        submit_case(admin, files=[upload("材料.pdf", PDF_BYTES, "application/pdf")]),
        assigned_case(desk, unit, submitter=admin),
        signed_case(desk, unit, official, submitter=admin),
        answered_case(desk, unit, official, submitter=admin),
    ]
    for case in cases:
        world.ids.append((r"^/api/v1/cases/\{id\}/(?!files)", {"id": case.pk}))
    for attachment in cases[0].attachments.all():
        world.ids.append((r"^/api/v1/cases/\{id\}/files/", {"id": cases[0].pk,
                                                            "attachment_id": attachment.pk}))

    complaint, _ = complaint_services.complaint_submit(
        user=admin, accused_unit=UnitFactory(), misconduct=Misconduct.BUCK_PASSING,
        title="窗口人员推诿不办", facts="多次前往办理，均被告知材料不全却不说明缺什么。")
    complaint_services.complaint_assign(complaint=complaint, actor=desk, unit=unit)
    world.ids.append((r"^/api/v1/cases/\{id\}/(?!files)", {"id": complaint.case.pk}))

    promise = commitment(unit=unit, enterprise=admin.enterprise, clauses=2)
    world.ids.append((r"^/api/v1/commitments/\{id\}/$", {"id": promise.pk}))
    for clause in promise.clauses.all():
        world.ids.append((r"^/api/v1/commitments/clauses/\{id\}/", {"id": clause.pk}))

    applicant = UserFactory()
    join = JoinRequest.objects.create(user=applicant, enterprise=admin.enterprise,
                                      message="我是公司财务。")
    world.ids.append((r"^/api/v1/orgs/join-requests/\{id\}/", {"id": join.pk}))

    for notification in Notification.objects.filter(recipient__in=[admin, official, desk]):
        world.ids.append((r"^/api/v1/notifications/\{id\}/", {"id": notification.pk}))

    # A policy in force the enterprise's facts leave undecided, for supplying facts and
    # marking it not relevant; a topic to subscribe to.
    policy = make_policy(unit=unit)
    policy_services.policy_publish(policy=policy, by=official)
    world.ids.append((r"^/api/v1/policies/\{id\}/", {"id": policy.pk}))
    Topic.objects.get_or_create(code="tech", defaults={"name": "科技创新"})

    units = [unit.pk, *Unit.objects.filter(is_active=True).exclude(pk=unit.pk)
             .values_list("pk", flat=True)[:4]]
    codes = list(Category.objects.values_list("code", flat=True)[:5])
    world.references = {"unit": units, "subject_unit": units, "accused_unit": units,
                        "category": codes, "topic": ["tech"],
                        "key": ["registered_capital", "qualification:high-tech"]}
    return world
