"""Routing's demo for `manage.py seed_demo` (issue 12: the demo shows every feature): the
department's routing rules, forty appeals the units handled in the past months, a suggestion
model trained on them, and one new appeal about a business licence waiting for dispatch, for
which the dispatcher sees the model's suggestion with its confidence.

Runs after the appeals' demo (INSTALLED_APPS order). Everything goes through the services, so
rules and model have their ledger entries and the past appeals their timelines. Idempotent: a
rule or an appeal that exists by its name or title is left alone, and the retrain does nothing
when no case was routed since the last model.
"""

import contextlib
import datetime
import logging
from zoneinfo import ZoneInfo

from django.utils import timezone

from portal.appeals.constants import AppealType
from portal.appeals.services import appeal_submit
from portal.cases import services as case_services
from portal.cases.models import Case, Category
from portal.workdays.services import add_working_days

from . import services, synthetic
from .constants import MIN_SAMPLES_PER_UNIT
from .models import RoutingRule

logger = logging.getLogger(__name__)
TZ = ZoneInfo("Asia/Shanghai")
DEPT = "dept@demo.gov.cn"

# name, priority, unit code, category code, keywords: the department's rules, first match wins.
RULES = [
    ("社保与用工", 10, "rsj", None, ["社保*", "养老保险", "招聘补贴", "稳岗补贴"]),
    ("退税与发票", 20, "swj", None, ["退税", "发票", "纳税申报"]),
    ("工程建设", 30, "zjj", "construction", []),
]

# What the units handled before (synthetic.py's words of each business), by unit code: the
# model learns from these; the rules above do not mention business licences on purpose.
HISTORY = {
    # unit code: (synthetic profile, category code, official who signed for and answered)
    "scjg": ("market", "market-access", "scjg@demo.gov.cn"),
    "swj": ("tax", "tax", "swj@demo.gov.cn"),
    "rsj": ("hr", "labour", "rsj@demo.gov.cn"),
    "zjj": ("build", "construction", "zjj@demo.gov.cn"),
}
HISTORY_PER_UNIT = MIN_SAMPLES_PER_UNIT
# The enterprises that filed them (not the main demo enterprise, whose lists stay short).
FILERS = ["admin@demo-bio.cn", "admin@demo-port.cn", "admin@demo-soft.cn",
          "assoc@demo-ict.org.cn"]

# The appeal the README tells the dispatcher to open.
LICENCE_APPEAL = {
    "by": "admin@demo-zhizao.cn", "category": "market-access", "type": AppealType.INQUIRY,
    "title": "营业执照住所变更登记咨询",
    "description": "我司拟将注册地址从科学大道迁至开源大道新厂区，请问营业执照住所变更登记"
                   "需要提交哪些材料，能否全程网上办理，经营范围是否需要同时调整？",
}


def _travel_to(moment: datetime.datetime):
    try:
        import time_machine
    except ImportError:  # production install without dev dependencies: no back-dating
        return contextlib.nullcontext()
    return time_machine.travel(moment, tick=True)


def _at(day: datetime.date, hour: int) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, 0), tzinfo=TZ)


def _seed_rules(dept, units, categories) -> int:
    made = 0
    for name, priority, unit, category, keywords in RULES:
        if RoutingRule.objects.filter(name=name).exists():
            continue
        services.routing_rule_save(actor=dept, rule=RoutingRule(
            name=name, priority=priority, unit=units[unit],
            category=categories[category] if category else None, keywords=keywords))
        made += 1
    return made


def _seed_history(people, units, categories) -> int:
    """Appeals answered and rated weeks ago, each kept by the unit that signed for it."""
    dept = people[DEPT]
    today = timezone.localdate()
    generated = synthetic.generate(HISTORY_PER_UNIT * len(HISTORY),
                                   profiles=[profile for profile, _c, _o in HISTORY.values()],
                                   seed=2026, noise=0.1)
    unit_of = {profile: code for code, (profile, _c, _o) in HISTORY.items()}
    made = 0
    for i, appeal in enumerate(generated):
        code = unit_of[appeal.profile]
        _profile, category, official = HISTORY[code]
        submitter = people[FILERS[i % len(FILERS)]]
        title = f"{appeal.title}（{i + 1:02d}）"
        if Case.objects.filter(enterprise_id=submitter.enterprise_id, title=title).exists():
            continue
        # One a working day or so, ending three weeks ago: answered and closed long since.
        day = add_working_days(today, -(15 + len(generated) - i))
        with _travel_to(_at(day, 9)):
            case = appeal_submit(submitter=submitter, title=title,
                                 description=appeal.description, category=categories[category],
                                 subtype=AppealType.HELP)
        with _travel_to(_at(day, 11)):
            case = case_services.case_assign(case=case, actor=dept, unit=units[code])
        with _travel_to(_at(day, 15)):
            case = case_services.case_sign_for(case=case, actor=people[official])
        with _travel_to(_at(add_working_days(day, 2), 10)):
            case = case_services.case_answer(
                case=case, actor=people[official],
                answer="已按规定办理完毕，具体办理结果和后续注意事项已电话告知企业经办人。")
        with _travel_to(_at(add_working_days(day, 3), 9)):
            case_services.case_rate(case=case, actor=submitter, score=5 - i % 2)
        made += 1
    return made


def seed(ctx: dict) -> None:
    people, units = ctx["people"], ctx["units"]
    categories = {c.code: c for c in Category.objects.all()}
    rules = _seed_rules(people[DEPT], units, categories)
    history = _seed_history(people, units, categories)
    trained = services.routing_model_train(min_samples_per_unit=MIN_SAMPLES_PER_UNIT)
    waiting = people[LICENCE_APPEAL["by"]]
    if not Case.objects.filter(enterprise_id=waiting.enterprise_id,
                               title=LICENCE_APPEAL["title"]).exists():
        appeal_submit(submitter=waiting, title=LICENCE_APPEAL["title"],
                      description=LICENCE_APPEAL["description"],
                      category=categories[LICENCE_APPEAL["category"]],
                      subtype=LICENCE_APPEAL["type"])
    ctx["routing"] = {"rules_made": rules, "history_made": history, "model": trained.status}
    logger.info("demo routing: %d rules, %d past appeals, model %s", rules, history,
                trained.status)
