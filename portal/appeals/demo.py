"""Demo appeals for `manage.py seed_demo`: a dozen realistic cases in every state, made through
the engine's services (so each has its real timeline, clocks, ledger entries and messages),
back-dated where a state needs time to have passed (answered last week, overdue, ...).

Idempotent: an appeal whose title already exists for its enterprise is left alone. Back-dating
uses time-machine (a dev dependency, installed by `make run`); without it every appeal is
dated today and none is overdue.
"""

import contextlib
import datetime
import logging
from zoneinfo import ZoneInfo

from django.core.files.base import ContentFile
from django.utils import timezone

from portal.cases import services
from portal.cases.constants import ReturnReason
from portal.cases.models import Case, Category
from portal.workdays.services import add_working_days

from .constants import AppealType
from .services import appeal_submit

logger = logging.getLogger(__name__)
TZ = ZoneInfo("Asia/Shanghai")

# The smallest real PDF: the attachment check looks at content, not names.
_PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")

ZHIZAO_ADMIN = "admin@demo-zhizao.cn"
ZHIZAO_STAFF = "staff@demo-zhizao.cn"
BIO = "admin@demo-bio.cn"
PORT = "admin@demo-port.cn"
SOFT = "admin@demo-soft.cn"
ASSOC = "assoc@demo-ict.org.cn"
DEPT = "dept@demo.gov.cn"
SCJG, RSJ, SWJ, ZJJ = ("scjg@demo.gov.cn", "rsj@demo.gov.cn", "swj@demo.gov.cn",
                       "zjj@demo.gov.cn")

# Each appeal: who files it, what about, and its steps as
# (working days ago, "HH:MM", action, actor e-mail, arguments). The first step is the submit.
APPEALS = [
    {  # submitted today: waits for the department
        "by": ZHIZAO_ADMIN, "type": AppealType.HELP, "category": "construction",
        "title": "新厂房消防验收何时能排期",
        "description": "我司位于科学大道的新厂房已于上月完成消防设施施工并提交验收申请，至今未收到"
                       "现场验收排期通知。生产线设备已进场，希望尽快安排验收，以免影响投产计划。",
        "files": [("消防验收申请回执.pdf", _PDF)],
        "steps": [(0, "09:10", "submit", ZHIZAO_ADMIN, {})],
    },
    {  # assigned, not yet signed for
        "by": ZHIZAO_STAFF, "type": AppealType.INQUIRY, "category": "policy",
        "title": "高新技术企业认定奖励资金何时兑现",
        "description": "我司去年通过高新技术企业认定，按区里的扶持政策可申领认定奖励。材料已于三月"
                       "提交，请问目前审核到哪一步，资金预计何时拨付？",
        "steps": [(2, "10:05", "submit", ZHIZAO_STAFF, {}),
                  (1, "09:20", "assign", DEPT, {"unit": "kjj", "note": "请核实申领进度并答复企业"})],
    },
    {  # signed for and in progress
        "by": PORT, "type": AppealType.INQUIRY, "category": "tax",
        "title": "出口退税办理进度咨询",
        "description": "我司8月申报的出口退税至今未到账，电子税务局显示“审核中”。请问是否需要补充"
                       "材料，大致还需要多长时间？",
        "steps": [(2, "14:30", "submit", PORT, {}),
                  (2, "16:00", "assign", DEPT, {"unit": "swj"}),
                  (1, "09:00", "sign_for", SWJ, {}),
                  (1, "09:30", "start", SWJ, {"note": "已转退税科核查"})],
    },
    {  # the unit has a question for the enterprise (the clock pauses)
        "by": ZHIZAO_ADMIN, "type": AppealType.HELP, "category": "labour",
        "title": "员工社保转移接续手续繁琐",
        "description": "我司从外省引进的三名技术骨干办理社保关系转入，被要求分别往返原参保地开具"
                       "证明，耗时近一个月仍未办结。希望协助打通跨省转移接续流程。",
        "steps": [(4, "11:00", "submit", ZHIZAO_ADMIN, {}),
                  (3, "10:00", "assign", DEPT, {"unit": "rsj"}),
                  (3, "15:00", "sign_for", RSJ, {}),
                  (2, "10:30", "request_info", RSJ, {
                      "question": "请提供三名员工的姓名、原参保地及已开具的参保缴费凭证，"
                                  "我们将通过全国社保转移平台协助办理。"})],
    },
    {  # answered yesterday: waits for the enterprise's rating
        "by": ZHIZAO_ADMIN, "type": AppealType.SUGGESTION, "category": "construction",
        "title": "厂区周边道路破损影响货车通行",
        "description": "开源大道至我司厂区约800米路段路面破损严重，雨后积水，大型货车通行困难，"
                       "建议尽快修复并完善排水设施。",
        "steps": [(6, "09:40", "submit", ZHIZAO_ADMIN, {}),
                  (5, "10:00", "assign", DEPT, {"unit": "zjj"}),
                  (5, "14:00", "sign_for", ZJJ, {}),
                  (4, "09:00", "start", ZJJ, {}),
                  (1, "16:20", "answer", ZJJ, {
                      "answer": "经现场查看，该路段已列入本季度市政道路维修计划，将于下月上旬"
                                "完成路面修复并增设排水沟。施工期间请贵司车辆按指示绕行。",
                      "files": [("道路修复计划.pdf", _PDF)]})],
    },
    {  # answered, waiting for the rating (another enterprise)
        "by": SOFT, "type": AppealType.INQUIRY, "category": "market-access",
        "title": "营业执照经营范围变更咨询",
        "description": "我司拟增加“人工智能应用软件开发”经营范围，请问能否全程网上办理，"
                       "需要准备哪些材料？",
        "steps": [(3, "10:00", "submit", SOFT, {}),
                  (3, "11:00", "assign", DEPT, {"unit": "scjg"}),
                  (2, "09:10", "sign_for", SCJG, {}),
                  (1, "10:00", "answer", SCJG, {
                      "answer": "可通过广东省市场主体登记全程电子化平台办理，需股东会决议和"
                                "章程修正案，审核通过后可领取电子营业执照。"})],
    },
    {  # closed with a good rating
        "by": BIO, "type": AppealType.SUGGESTION, "category": "permits",
        "title": "建议简化食品经营许可现场核查流程",
        "description": "我司申请食品经营许可变更时，同一场地在一年内被现场核查两次。建议对近期已"
                       "核查且布局未变的场地实行告知承诺，免于重复核查。",
        "steps": [(15, "09:00", "submit", BIO, {}),
                  (14, "10:00", "assign", DEPT, {"unit": "scjg"}),
                  (14, "14:00", "sign_for", SCJG, {}),
                  (10, "15:00", "answer", SCJG, {
                      "answer": "感谢建议。自下月起，对一年内已核查且布局未变化的场地实行告知"
                                "承诺制，企业提交承诺书后免于现场核查。"}),
                  (9, "09:30", "rate", BIO, {"score": 5, "comment": "答复及时，措施实在，谢谢！"})],
    },
    {  # closed with a rating of 4
        "by": ZHIZAO_ADMIN, "type": AppealType.HELP, "category": "tax",
        "title": "申请研发费用加计扣除政策辅导",
        "description": "我司今年研发投入较大，希望税务部门上门辅导研发费用归集和加计扣除申报，"
                       "避免申报口径错误。",
        "steps": [(20, "10:00", "submit", ZHIZAO_ADMIN, {}),
                  (19, "09:00", "assign", DEPT, {"unit": "swj"}),
                  (19, "11:00", "sign_for", SWJ, {}),
                  (16, "16:00", "answer", SWJ, {
                      "answer": "已安排税源管理科于本周四上午上门辅导，并附研发费用辅助账"
                                "模板，请财务负责人参加。"}),
                  (15, "10:00", "rate", ZHIZAO_ADMIN, {"score": 4, "comment": "辅导很有帮助。"})],
    },
    {  # a complaint about a service, overdue: the deadline scan puts it under supervision
        "by": ZHIZAO_ADMIN, "type": AppealType.COMPLAINT, "category": "permits",
        "about": "zsj", "title": "窗口工作人员多次要求补交相同材料",
        "description": "我司在政务服务中心办理建设工程规划许可时，窗口工作人员先后三次要求补交"
                       "同一份租赁合同复印件，每次只告知一项问题，没有一次性告知。",
        "steps": [(22, "09:30", "submit", ZHIZAO_ADMIN, {}),
                  (21, "10:00", "assign", DEPT, {"unit": "yshj"}),
                  (21, "15:00", "sign_for", DEPT, {}),
                  (20, "09:00", "start", DEPT, {"note": "已调取窗口办件记录"})],
    },
    {  # overdue help request: supervised by the scan
        "by": BIO, "type": AppealType.HELP, "category": "land",
        "title": "厂房用地规划调整审批进度缓慢",
        "description": "我司申请将研发楼用地容积率由1.5调整至2.0，方案已于两个月前报送，至今没有"
                       "审批结果，影响二期项目开工。",
        "steps": [(18, "14:00", "submit", BIO, {}),
                  (17, "10:00", "assign", DEPT, {"unit": "zjj"}),
                  (16, "09:00", "sign_for", ZJJ, {})],
    },
    {  # returned by the unit (退单): waits for the department to reassign it
        "by": ASSOC, "type": AppealType.INQUIRY, "category": "utilities",
        "title": "水电气报装联合办理咨询",
        "description": "协会多家会员企业反映，新建厂房水、电、气需分别报装。请问区里是否已开通"
                       "水电气网联合报装，如何申请？",
        "steps": [(3, "09:00", "submit", ASSOC, {}),
                  (2, "10:00", "assign", DEPT, {"unit": "scjg"}),
                  (1, "11:00", "return", SCJG, {
                      "reason": ReturnReason.WRONG_UNIT,
                      "note": "联合报装由政务服务数据管理局牵头，建议改派。"})],
    },
    {  # rated 2: sent back to the unit for redo (重办)
        "by": ZHIZAO_STAFF, "type": AppealType.HELP, "category": "labour",
        "title": "招聘补贴申领被退回原因不明",
        "description": "我司为新招用的12名高校毕业生申领一次性吸纳就业补贴，系统显示“退回”，"
                       "但没有说明原因。",
        "steps": [(8, "09:00", "submit", ZHIZAO_STAFF, {}),
                  (7, "10:00", "assign", DEPT, {"unit": "rsj"}),
                  (7, "14:00", "sign_for", RSJ, {}),
                  (4, "11:00", "answer", RSJ, {
                      "answer": "经查，退回原因是部分人员社保缴费不足3个月，请补足后重新申报。"}),
                  (2, "09:15", "rate", ZHIZAO_STAFF, {
                      "score": 2, "comment": "12人均已连续缴费4个月，答复与事实不符，请重新核查。"})],
    },
    {  # not accepted, with the reason
        "by": SOFT, "type": AppealType.INQUIRY, "category": "tax",
        "title": "个人所得税年度汇算问题咨询",
        "description": "我本人去年有两处工资收入，年度汇算需要补税，想咨询能否分期缴纳。",
        "steps": [(5, "20:00", "submit", SOFT, {}),
                  (4, "09:30", "reject", DEPT, {
                      "reason": "本平台受理企业诉求；个人纳税事项请拨打12366纳税服务热线咨询。"})],
    },
]


def _travel_to(moment: datetime.datetime):
    try:
        import time_machine
    except ImportError:  # production install without dev dependencies: no back-dating
        return contextlib.nullcontext()
    return time_machine.travel(moment, tick=True)


def _moment(days_ago: int, hhmm: str, today: datetime.date) -> datetime.datetime:
    day = add_working_days(today, -days_ago) if days_ago else today
    hour, minute = (int(x) for x in hhmm.split(":"))
    moment = datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=TZ)
    # "Today at 09:10" must not lie in the future when the demo is seeded at dawn.
    return min(moment, timezone.now() - datetime.timedelta(minutes=30))


def _files(specs):
    return [ContentFile(data, name=name) for name, data in specs or ()]


def _step(case, action: str, actor, args: dict, units: dict):
    if action == "assign":
        return services.case_assign(case=case, actor=actor, unit=units[args["unit"]],
                                    note=args.get("note", ""))
    if action == "sign_for":
        return services.case_sign_for(case=case, actor=actor)
    if action == "start":
        return services.case_start(case=case, actor=actor, note=args.get("note", ""))
    if action == "request_info":
        return services.case_request_info(case=case, actor=actor, question=args["question"])
    if action == "answer":
        return services.case_answer(case=case, actor=actor, answer=args["answer"],
                                    files=_files(args.get("files")))
    if action == "rate":
        return services.case_rate(case=case, actor=actor, score=args["score"],
                                  comment=args.get("comment", ""))
    if action == "return":
        return services.case_return(case=case, actor=actor, reason=args["reason"],
                                    note=args.get("note", ""))
    if action == "reject":
        return services.case_reject(case=case, actor=actor, reason=args["reason"])
    raise ValueError(f"unknown demo step {action}")


def seed(ctx: dict) -> None:
    people, units = ctx["people"], ctx["units"]
    today = timezone.localdate()
    categories = {c.code: c for c in Category.objects.all()}
    made = 0
    for spec in APPEALS:
        submitter = people[spec["by"]]
        if Case.objects.filter(enterprise_id=submitter.enterprise_id,
                               title=spec["title"]).exists():
            continue
        (days_ago, hhmm, _submit, _by, _args), *rest = spec["steps"]
        with _travel_to(_moment(days_ago, hhmm, today)):
            case = appeal_submit(
                submitter=submitter, title=spec["title"], description=spec["description"],
                category=categories[spec["category"]], subtype=spec["type"],
                subject_unit=units[spec["about"]] if spec.get("about") else None,
                files=_files(spec.get("files")))
        for days_ago, hhmm, action, email, args in rest:
            with _travel_to(_moment(days_ago, hhmm, today)):
                case = _step(case, action, people[email], args, units)
        made += 1
    # What the periodic deadline scan would do within five minutes: reminders, and
    # supervision items (督办) for the cases now overdue.
    services.case_reminders_send_due()
    ctx["cases_made"] = made
    logger.info("demo appeals: %d created", made)
