"""Appeal cases over five years with their timelines, ratings, reminders and supervision items.

Each case lives a simulated life (submit → accept → assign → sign for → answer → rate or
auto-close, with returns, information requests, extensions, redo after an unhappy rating, and a
few cases a unit never answers); the life is cut at the generator's "now", so the newest cases
are still open, a few are overdue and under supervision, and most are closed. Deadlines use the
portal's own working-day calendar and deadline rules; keywords and search tokens are the
engine's own (bench/text.py). Reminder marks reached more than `REMINDER_BACKLOG` before "now"
are recorded as sent, as if the five-minute scan had run until then; the rest is the backlog the
benchmark's scan catches up on.

Cases are generated in submission order, so each event's ledger entry is recorded as the event is
generated (the ledger spool "cases"), and the spool writes out every entry earlier than the next
submission; the events themselves go to PostgreSQL on a second connection meanwhile.
"""

from __future__ import annotations

import datetime
import functools
import json

from django.utils import timezone

from bench.registry import (
    BackgroundCopy,
    Context,
    LedgerSpool,
    copy_escape,
    copy_rows,
    pg_array,
    set_sequence,
    step,
)
from bench.text import NOTES, case_tokens, text_pool
from portal.appeals.kind import APPEAL
from portal.cases import deadlines
from portal.cases.constants import Stage
from portal.cases.kinds import GOVERNMENT
from portal.cases.models import Category, EngineSettings
from portal.workdays.services import add_working_days

REMINDER_BACKLOG = datetime.timedelta(hours=24)
YEARS = 5
HOUR = datetime.timedelta(hours=1)
DAY = datetime.timedelta(days=1)

APPEAL_TYPES = ["inquiry"] * 40 + ["help"] * 30 + ["suggestion"] * 15 + ["complaint"] * 15
SCORES = [5] * 60 + [4] * 25 + [3] * 8 + [2] * 4 + [1] * 3
CASE_COLUMNS = [
    "id", "kind", "reference", "subtype", "title", "description", "status", "submitted_at",
    "accepted_at", "assigned_at", "signed_for_at", "answered_at", "closed_at",
    "acceptance_due_date", "due_date", "extension_requested_until", "info_requested_at",
    "clock_started_on", "clock_due_on", "clock_cycle", "next_reminder_at", "satisfaction",
    "satisfaction_comment", "rated_at", "return_count", "reopen_count", "unhappy_count",
    "is_supervised", "keywords", "updated_at", "enterprise_id", "responsible_unit_id",
    "subject_unit_id", "submitter_id", "category_id",
]
EVENT_COLUMNS = ["id", "action", "note", "audience", "actor_side", "actor_unit_names",
                 "from_status", "to_status", "created_at", "extra", "actor_id", "case_id"]
# As what each step's actor acts (CaseEvent.actor_side); the generator's actors follow this.
ENTERPRISE_ACTIONS = frozenset({"submit", "provide_info", "rate", "supplement"})
DEPARTMENT_ACTIONS = frozenset({"accept", "reject", "assign", "approve_extension",
                                "refuse_extension", "close", "supervise", "supervision_closed"})


def _side(action: str, actor) -> str:
    if actor is None:
        return "system"
    if action in ENTERPRISE_ACTIONS:
        return "enterprise"
    return "department" if action in DEPARTMENT_ACTIONS else "unit"


@functools.lru_cache(maxsize=200_000)
def _add_wd(start: datetime.date, n: int) -> datetime.date:
    return add_working_days(start, n)


@functools.lru_cache(maxsize=200_000)
def _marks(start: datetime.date, due: datetime.date, early: int, late: int):
    return deadlines.reminder_marks(start=start, due=due, early_percent=early, late_multiple=late)


def _local(at: datetime.datetime) -> datetime.datetime:
    # timezone.localtime() without the thread-local look-up of the active time zone (none is
    # activated here), a few times per case.
    return at.astimezone(timezone.get_default_timezone())


def _local_date(at: datetime.datetime) -> datetime.date:
    return _local(at).date()


def _in_daytime(at: datetime.datetime) -> datetime.datetime:
    """Move a night-time submission back into the day before: people write in the daytime."""
    hour = _local(at).hour
    if 8 <= hour < 22:
        return at
    return at - datetime.timedelta(hours=(hour - 8) % 24 // 2)


class _Life:
    """The events of one case, in time order, and the case's fields after each."""

    __slots__ = ("case", "events", "status", "now")

    def __init__(self, case: dict, now):
        self.case, self.events, self.status, self.now = case, [], "", now

    def add(self, at, action, actor, to_status=None, note="", extra=None, visible=None):
        """Append a step; return False (and record nothing) once `at` is past "now"."""
        if at > self.now:
            return False
        from_status = self.status
        if to_status:
            self.status = to_status
        self.events.append((action, note, APPEAL.sees(action) if visible is None
                            else (APPEAL.sees("submit") if visible else int(GOVERNMENT)),
                            "" if action == "submit" else from_status, self.status, at,
                            extra or {}, actor))
        return True


@step("cases", after=["orgs"])
def load_cases(ctx: Context) -> None:
    rnd, now = ctx.rnd, ctx.now
    settings = EngineSettings.load()
    for year in range(now.year - YEARS - 1, now.year + 2):  # load the calendar before COPY
        add_working_days(datetime.date(year, 6, 1), 1)
    early, late = settings.early_reminder_percent, settings.late_reminder_multiple
    categories = {c.code: c for c in Category.objects.filter(parent__isnull=True)}
    pool = text_pool(size=min(6000, max(300, ctx.n(1_000_000) // 20)), seed=ctx.seed)
    codes = [code for code in pool if code in categories]
    weights = {"tax": 14, "policy": 14, "permits": 12, "market-access": 10, "finance": 9,
               "labour": 9, "land": 7, "construction": 6, "utilities": 7, "enforcement": 5,
               "ip": 4, "other": 3}
    category_choices = [code for code in codes for _ in range(weights.get(code, 3))]
    handling_days = {(code, t): _handling_days(categories[code], t)
                     for code in codes for t in set(APPEAL_TYPES)}
    acceptance_days = {(code, t): _acceptance_days(categories[code], t)
                       for code in codes for t in set(APPEAL_TYPES)}

    units = ctx.ids["units"]
    unit_weights = [max(1, 40 // (k + 1)) for k in range(len(units))]
    unit_choices = [u for u, w in zip(units, unit_weights, strict=True) for _ in range(w)]
    # What the engine's events record of a unit they name (portal.cases.services: assign,
    # return, sign for), so that English timelines show English names.
    unit_details = {unit: {"unit": unit, "unit_name": name, "unit_name_en": name_en}
                    for unit, (name, name_en) in ctx.ids["unit_names"].items()}
    staff, officials, members = ctx.ids["staff"], ctx.ids["officials"], ctx.ids["members"]
    first_ent, last_ent = ctx.ids["enterprises"]
    n_cases = ctx.n(1_000_000, 200)
    n_heavy = max(40, int(n_cases * 0.004))

    # Submission times: five years, growing towards now, in the daytime mostly; sorted, so that
    # ids and references follow time and the ledger entries can be released case by case.
    span = YEARS * 365 * 86400
    offsets = sorted((1 - rnd.random() ** 0.75) * span for _ in range(n_cases))
    submissions = sorted(_in_daytime(now - datetime.timedelta(seconds=offset))
                         for offset in offsets)
    heavy_slots = set(rnd.sample(range(n_cases), n_heavy))
    long_slot = min((s for s in heavy_slots if offsets[s] > 150 * 86400),  # ~half a year ago
                    default=max(heavy_slots))

    counters: dict[int, int] = {}
    reminder_rows, supervision_rows = [], []
    event_id = 0
    esc_json = json.dumps
    recorded_before = now - REMINDER_BACKLOG
    stats = {"open": 0, "overdue": 0, "events": 0}

    def lives(events: BackgroundCopy, ledger: LedgerSpool):
        nonlocal event_id
        for index, submitted in enumerate(submissions):
            case_id = index + 1
            # Every later event comes at or after this submission: the entries up to it are
            # in their final order.
            ledger.release(submitted)
            year = _local(submitted).year
            counters[year] = counters.get(year, 0) + 1
            reference = f"YS-{year}-{counters[year]:06d}"
            slot = n_cases - 1 - index
            if slot in heavy_slots:
                enterprise = first_ent
            else:
                enterprise = first_ent + 1 + int((last_ent - first_ent - 1) * rnd.random() ** 2.2)
            people = members[enterprise]
            submitter = people[0] if rnd.random() < 0.75 else rnd.choice(people)
            code = rnd.choice(category_choices)
            text = rnd.choice(pool[code])
            subtype = rnd.choice(APPEAL_TYPES)
            unit = rnd.choice(unit_choices)
            subject = None
            if rnd.random() < 0.05:
                subject = rnd.choice(units)
                if subject == unit:
                    subject = None
            case = {
                "id": case_id, "reference": reference, "submitted_at": submitted,
                "enterprise": enterprise, "submitter": submitter, "category": categories[code].pk,
                "subtype": subtype, "unit": None, "subject": subject, "text": text,
                "hdays": handling_days[(code, subtype)],
                "adays": acceptance_days[(code, subtype)],
            }
            life = _simulate(case, rnd=rnd, now=now, unit=unit, units=units,
                             unit_details=unit_details, staff=staff, officials=officials,
                             long=(slot == long_slot))
            if slot == long_slot:
                ctx.bench["long_case_id"] = case_id
            row = _case_row(case, life, now=now, early=early, late=late,
                            recorded_before=recorded_before, reminder_rows=reminder_rows,
                            supervision_rows=supervision_rows, staff=staff, stats=stats)
            lines = []
            for action, note, visible, from_s, to_s, at, extra, actor in life.events:
                event_id += 1
                lines.append("\t".join((
                    str(event_id), action, copy_escape(note), str(int(visible)),
                    _side(action, actor), "{}", from_s, to_s, at.isoformat(), copy_escape(esc_json(extra, ensure_ascii=False)),
                    "\\N" if actor is None else str(actor), str(case_id))) + "\n")
                # The entry record_step appends (portal.cases.services._steps).
                ledger.add(at, actor, f"cases.{action}", "cases.case", str(case_id), {
                    "reference": reference, "event": event_id, "from": from_s, "to": to_s,
                    **extra})
            events.write("".join(lines))
            stats["events"] += len(life.events)
            yield row

    create_stage_table(ctx)
    with BackgroundCopy(ctx, "cases_caseevent", EVENT_COLUMNS) as events:
        copy_rows(ctx, "bench_case_stage", [*CASE_COLUMNS, "tokens"],
                  lives(events, ctx.ledger_spool("cases")))
    ctx.log(f"  cases staged: {n_cases:,}, events loaded: {stats['events']:,}, "
            f"open {stats['open']:,}, overdue {stats['overdue']:,}")
    columns = ", ".join(CASE_COLUMNS)
    with ctx.connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO cases_case ({columns}, search_vector) "  # noqa: S608
                       f"SELECT {columns}, to_tsvector('simple'::regconfig, tokens) "
                       f"FROM bench_case_stage")
        cursor.execute("DROP TABLE bench_case_stage")
    ctx.counts["cases_case"] = ctx.counts.pop("bench_case_stage")
    copy_rows(ctx, "cases_casereminder", ["id", "cycle", "stage", "mark", "due_on", "skipped",
                                          "created_at", "case_id"],
              ((i, *row) for i, row in enumerate(reminder_rows, start=1)))
    copy_rows(ctx, "cases_supervisionitem", [
        "id", "source", "status", "topic", "period_start", "period_end", "target", "due_date",
        "created_at", "closed_at", "closing_note", "case_id", "category_id", "closed_by_id",
        "created_by_id", "unit_id"], ((i, *row) for i, row in enumerate(supervision_rows, 1)))
    for table in ("cases_case", "cases_caseevent", "cases_casereminder", "cases_supervisionitem"):
        set_sequence(ctx, table)
    with ctx.connection.cursor() as cursor:
        for year, last in counters.items():
            cursor.execute("INSERT INTO cases_casecounter (year, last) VALUES (%s, %s) "
                           "ON CONFLICT (year) DO UPDATE SET last = EXCLUDED.last", [year, last])
    ctx.bench["heavy_case_count"] = n_heavy
    ctx.bench["open_cases"] = stats["open"]
    ctx.bench["overdue_cases"] = stats["overdue"]


def create_stage_table(ctx: Context) -> None:
    with ctx.connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_case_stage")
        cursor.execute("CREATE UNLOGGED TABLE bench_case_stage "
                       "(LIKE cases_case INCLUDING DEFAULTS)")
        cursor.execute("ALTER TABLE bench_case_stage ADD COLUMN tokens text")


def _handling_days(category, subtype) -> int:
    return deadlines.deadline_working_days(kind="appeal", stage=Stage.HANDLING,
                                           subtype=subtype, category=category)


def _acceptance_days(category, subtype) -> int:
    return deadlines.deadline_working_days(kind="appeal", stage=Stage.ACCEPTANCE,
                                           subtype=subtype, category=category)


def _simulate(case, *, rnd, now, unit, units, unit_details, staff, officials, long) -> _Life:
    life = _Life(case, now)
    t = case["submitted_at"]
    submitter = case["submitter"]
    desk = rnd.choice(staff)
    case["clock"] = (_local_date(t), _add_wd(_local_date(t), case["adays"]), "acceptance")
    case["cycle"] = 1
    case["acceptance_due"] = case["clock"][1]
    life.add(t, "submit", submitter, "submitted")
    t += datetime.timedelta(minutes=rnd.randint(20, 60 * 20))
    if rnd.random() < 0.03:
        life.add(t, "reject", desk, "not_accepted", note="不属于本平台受理范围，请通过司法途径解决。",
                 extra={"reason": "out_of_scope"})
        return life
    if not life.add(t, "accept", desk, "accepted"):
        return life
    case["accepted_at"] = t

    def assign(at, to_unit):
        case["unit"] = to_unit
        case["assigned_at"] = at
        return life.add(at, "assign", desk, "assigned", extra=unit_details[to_unit])

    if not assign(t, unit):
        return life
    if rnd.random() < 0.04:  # 退单: the unit hands it back, the department reassigns
        t += datetime.timedelta(hours=rnd.randint(2, 30))
        officer = rnd.choice(officials[unit])
        if not life.add(t, "return", officer, "returned", note="该事项不属于我单位职能。",
                        extra={"reason": "not_competent", **unit_details[unit],
                               "return_count": 1}, visible=False):
            return life
        case["return_count"] = 1
        case["cycle"] += 1
        day = _local_date(t)
        case["clock"] = (day, _add_wd(day, case["adays"]), "acceptance")
        t += datetime.timedelta(hours=rnd.randint(1, 8))
        unit = rnd.choice([u for u in units if u != unit and u != case["subject"]])
        if not assign(t, unit):
            return life
    if case["subject"] == case["unit"]:
        case["subject"] = None
    officer = rnd.choice(officials[unit])
    t += datetime.timedelta(minutes=rnd.randint(30, 60 * 30))

    def sign_for(at):
        day = _local_date(at)
        due = _add_wd(day, case["hdays"])
        case["due_date"], case["signed_for_at"] = due, at
        case["cycle"] += 1
        case["clock"] = (day, due, "handling")
        return life.add(at, "sign_for", officer, "signed_for",
                        extra={"due_date": due.isoformat(), "working_days": case["hdays"],
                               **unit_details[unit]})

    if not sign_for(t):
        return life
    stuck = rnd.random() < 0.006
    if rnd.random() < 0.5 or long:
        t += datetime.timedelta(hours=rnd.randint(1, 20))
        if not life.add(t, "start", officer, "in_progress"):
            return life
    if long:
        t = _long_timeline(case, life, t, rnd=rnd, officer=officer, desk=desk)
        return life
    if rnd.random() < 0.08:
        t += datetime.timedelta(hours=rnd.randint(4, 40))
        if not life.add(t, "request_info", officer, "info_requested",
                        note="请补充提供营业执照副本及项目备案证明。"):
            return life
        case["info_requested_at"] = t
        case["clock"] = None  # paused
        t += datetime.timedelta(hours=rnd.randint(6, 96))
        old_due = case["due_date"]
        waited = max(1, (_local_date(t) - _local_date(case["info_requested_at"])).days * 5 // 7)
        case["due_date"] = _add_wd(old_due, waited)
        case["clock"] = (case["clock_start_handling"] if "clock_start_handling" in case
                         else _local_date(case["signed_for_at"]), case["due_date"], "handling")
        if not life.add(t, "provide_info", submitter, "in_progress", note="已补充上传相关材料。",
                        extra={"paused_working_days": waited, "old_due_date": old_due.isoformat(),
                               "due_date": case["due_date"].isoformat()}):
            return life
        case["info_requested_at"] = None
    if rnd.random() < 0.03:
        t += datetime.timedelta(hours=rnd.randint(4, 60))
        until = _add_wd(case["due_date"], 5)
        if not life.add(t, "request_extension", officer, "extension_requested",
                        note="需会同多部门研究，申请延期。",
                        extra={"due_date": case["due_date"].isoformat(),
                               "requested_until": until.isoformat()}):
            return life
        case["extension_requested_until"] = until
        t += datetime.timedelta(hours=rnd.randint(2, 30))
        case["due_date"] = until
        case["clock"] = (case["clock"][0], until, "handling")
        if not life.add(t, "approve_extension", desk, "in_progress",
                        extra={"due_date": until.isoformat()}):
            return life
    if stuck:
        return life  # the unit never answers: overdue, escalated by the scan
    rounds = 0
    while True:
        rounds += 1
        late_answer = rnd.random() < 0.05
        wd = case["hdays"] * (rnd.uniform(1.0, 2.5) if late_answer else rnd.uniform(0.1, 0.95))
        t += datetime.timedelta(days=wd * 7 / 5, hours=rnd.randint(0, 6))
        if late_answer:
            case["late"] = True
        if not life.add(t, "answer", officer, "answered",
                        note=case["text"].answer):
            return life
        case["answered_at"] = t
        case["clock"] = None
        if rnd.random() < 0.25:  # not rated in time: closed automatically
            t = _local(t).replace(hour=2, minute=0) + datetime.timedelta(days=8)
            if life.add(t, "auto_close", None, "closed", extra={"rating_days": 5}):
                case["closed_at"] = t
            return life
        t += datetime.timedelta(hours=rnd.randint(2, 96))
        score = rnd.choice(SCORES) if rounds == 1 else rnd.choice([3, 4, 4, 5, 5, 5, 2])
        if score <= 2 and rounds < 3:
            day = _local_date(t)
            due = _add_wd(day, case["hdays"])
            if not life.add(t, "rate", submitter, "reopened", note="答复未解决实际问题。",
                            extra={"score": score, "due_date": due.isoformat()}):
                return life
            case["satisfaction"], case["rated_at"] = score, t
            case["unhappy_count"] = case.get("unhappy_count", 0) + 1
            case["reopen_count"] = case.get("reopen_count", 0) + 1
            case["due_date"] = due
            case["cycle"] += 1
            case["clock"] = (day, due, "handling")
            case["answered_at"] = None
            continue
        if not life.add(t, "rate", submitter, "closed", note="" if score > 2 else "仍不满意。",
                        extra={"score": score}):
            return life
        case["satisfaction"], case["rated_at"], case["closed_at"] = score, t, t
        return life


def _long_timeline(case, life, t, *, rnd, officer, desk):
    """The case of the detail-page benchmark: months of questions, extensions and notes."""
    submitter = case["submitter"]
    for round_no in range(30):
        t += datetime.timedelta(hours=rnd.randint(20, 60))
        life.add(t, "note", officer, note=rnd.choice(NOTES), visible=False)
        t += datetime.timedelta(hours=rnd.randint(2, 10))
        life.add(t, "request_info", officer, "info_requested",
                 note=f"第{round_no + 1}次补充材料：请提供项目用地红线图及相关批复文件。")
        t += datetime.timedelta(hours=rnd.randint(6, 48))
        old = case["due_date"]
        case["due_date"] = _add_wd(old, 2)
        life.add(t, "provide_info", submitter, "in_progress", note="已按要求补充材料，请查收。",
                 extra={"paused_working_days": 2, "old_due_date": old.isoformat(),
                        "due_date": case["due_date"].isoformat()})
        if round_no % 3 == 0:
            t += datetime.timedelta(hours=rnd.randint(4, 30))
            until = _add_wd(case["due_date"], 10)
            life.add(t, "request_extension", officer, "extension_requested",
                     note="涉及跨部门协调，申请延期。",
                     extra={"due_date": case["due_date"].isoformat(),
                            "requested_until": until.isoformat()})
            t += datetime.timedelta(hours=rnd.randint(2, 20))
            case["due_date"] = until
            life.add(t, "approve_extension", desk, "in_progress",
                     extra={"due_date": until.isoformat()})
    case["clock"] = (_local_date(case["signed_for_at"]), case["due_date"], "handling")
    return t


def _case_row(case, life, *, now, early, late, recorded_before, reminder_rows, supervision_rows,
              staff, stats):
    status = life.status
    text = case["text"]
    open_ = status not in ("closed", "not_accepted")
    clock = case.get("clock") if open_ and status not in ("answered", "info_requested") else None
    next_at = None
    overdue = False
    if clock:
        start, due, stage = clock
        marks = _marks(start, due, early, late)
        for mark in marks:
            if mark.at <= recorded_before:
                reminder_rows.append((case["cycle"], stage, mark.mark, due, False, mark.at,
                                      case["id"]))
            elif next_at is None:
                next_at = mark.at
        overdue = stage == "handling" and now.date() > due
        if stage == "handling" and marks[1].at <= recorded_before:  # escalated at DUE: 督办
            supervision_rows.append((
                "overdue", "open", "", None, None, "", _add_wd(due, 5), marks[1].at, None, "",
                case["id"], None, None, None, case["unit"]))
            life.events.append(("supervise", "", int(GOVERNMENT), status, status, marks[1].at,
                                {"supervision_item": len(supervision_rows), "source": "overdue"},
                                None))
            life.events.sort(key=lambda e: e[5])
            case["supervised"] = True
    if case.get("late") and not open_ and case.get("signed_for_at"):
        due = case["due_date"]
        opened = timezone.make_aware(datetime.datetime.combine(
            due + DAY, datetime.time.min), timezone.get_default_timezone())
        closed = case.get("closed_at") or opened + DAY
        if opened < closed:
            supervision_rows.append((
                "overdue", "closed", "", None, None, "", _add_wd(due, 5), opened, closed,
                "单位已答复，督办办结。", case["id"], None, staff[0], None, case["unit"]))
            life.events.append(("supervise", "", int(GOVERNMENT), "in_progress", "in_progress", opened,
                                {"supervision_item": len(supervision_rows), "source": "overdue"},
                                None))
            life.events.sort(key=lambda e: e[5])
    if open_:
        stats["open"] += 1
        stats["overdue"] += overdue
    last_at = life.events[-1][5]
    return (
        case["id"], "appeal", case["reference"], case["subtype"], text.title,
        text.description, status, case["submitted_at"], case.get("accepted_at"),
        case.get("assigned_at"), case.get("signed_for_at"), case.get("answered_at"),
        case.get("closed_at"), case["acceptance_due"], case.get("due_date"),
        case.get("extension_requested_until"), case.get("info_requested_at"),
        clock[0] if clock else None, clock[1] if clock else None, case["cycle"], next_at,
        case.get("satisfaction"), "", case.get("rated_at"), case.get("return_count", 0),
        case.get("reopen_count", 0), case.get("unhappy_count", 0), bool(case.get("supervised")),
        pg_array(text.keywords), last_at, case["enterprise"], case["unit"], case["subject"],
        case["submitter"], case["category"], case_tokens(case["reference"], text),
    )
