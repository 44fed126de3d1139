"""People, units and reports the complaint tests need. Reports are made through the services,
so each has the case, timeline, sealed reporter and ledger entries a real one has."""

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile

from complaints import services
from complaints.constants import Finding, Misconduct
from portal.accounts.roles import Role, role_grant
from portal.cases import services as case_services
from tests.cases.factories import PDF_BYTES
from tests.factories import EnterpriseFactory, UnitFactory, UserFactory, department_staff

# The reporter, as only the sealed table may hold them.
REPORTER = {"full_name": "王秘密", "phone": "13800138000", "email": "whistle@example.cn",
            "credit_code": "91440112MA5SEALED1", "enterprise": "广州保密举报科技有限公司"}


def pdf(name="证据.pdf"):
    return SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")


def desk_staff(**kwargs):
    """Department staff at the complaint desk (sees who reported)."""
    user = department_staff(**kwargs)
    role_grant(user=user, role=Role.COMPLAINT_DESK)
    return user


def named_reporter():
    enterprise = EnterpriseFactory(name=REPORTER["enterprise"],
                                   credit_code=REPORTER["credit_code"])
    return UserFactory(full_name=REPORTER["full_name"], phone=REPORTER["phone"],
                       email=REPORTER["email"], enterprise=enterprise,
                       roles=[Role.ENTERPRISE_USER])


def report(*, user=None, accused_unit=None, misconduct=Misconduct.BUCK_PASSING, files=(),
           title="窗口人员推诿不办", facts="多次前往办理，均被告知材料不全却不说明缺什么。"):
    """File a report; return (complaint, receipt code or None)."""
    return services.complaint_submit(
        user=user, accused_unit=accused_unit or UnitFactory(), misconduct=misconduct,
        title=title, facts=facts, occurred_on=datetime.date(2026, 11, 2), place="政务服务中心3号窗口",
        official_name="李某", files=files)


def investigated(complaint, *, desk, unit, official, finding=Finding.VERIFIED):
    """Take a report through triage, assignment, sign-for and finding."""
    services.complaint_assign(complaint=complaint, actor=desk, unit=unit)
    case_services.case_sign_for(case=complaint.case, actor=official)
    return services.complaint_record_finding(complaint=complaint, actor=official,
                                             finding=finding, reasoning="调取窗口录像，属实。")


__all__ = ["REPORTER", "desk_staff", "investigated", "named_reporter", "pdf", "report"]
