"""Reads of the case engine, already limited to what the user may see (permissions.py).

Pages, the admin and the API all start from `case_list_visible_to` / `case_queue`, so none can
forget the permission filter or the select_related; each selector runs a fixed number of
queries whatever the number of rows.
"""

import datetime
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.postgres.search import SearchQuery
from django.core.cache import caches
from django.db.models import (
    CharField,
    Count,
    F,
    Prefetch,
    Q,
    QuerySet,
    Value,
    prefetch_related_objects,
)
from django.db.models.functions import Coalesce, NullIf
from django.utils import timezone

from portal.core.sql import all_columns, model_names
from portal.orgs.models import Unit
from portal.workdays.services import add_working_days

from . import deadlines, permissions
from .constants import HANDLING_STATUSES, UNIT_STATUSES, SupervisionStatus
from .kinds import registered_kinds
from .models import (
    CONFIG_MEMO_SECONDS,
    Attachment,
    Case,
    CaseEvent,
    Category,
    EngineSettings,
    ReplyTemplate,
    SupervisionItem,
    reference_memo_key,
)
from .text import query_tokens
from .timeline import names_person

REFERENCE_RE = re.compile(r"^YS-\d{4}-\d{6,}$", re.IGNORECASE)


def case_list_visible_to(*, user) -> QuerySet[Case]:
    """Return the cases `user` may see, newest first, with what lists show joined in."""
    return (Case.objects.filter(permissions.visible_cases_q(user))
            .select_related("category", "responsible_unit", "subject_unit", "enterprise",
                            "submitter")
            .order_by("-submitted_at", "-id"))


# What only search reads; no page prints it.
SEARCH_COLUMNS = ("keywords", "search_vector")
# What no page prints: what search reads, and the key of the form a case was filed from.
UNSHOWN_COLUMNS = (*SEARCH_COLUMNS, "submission_key")
# Columns no list shows: the long text and what search reads.
LIST_DEFERRED = ("description", "satisfaction_comment", *UNSHOWN_COLUMNS)
# What names a list row's printed state: every step saves `updated_at` with what it changes.
CASE_ROW_KEY = ("id", "submitted_at", "updated_at")
# What the case page prints of the reference tables: kept in the process's memory
# (with_reference_rows), not joined.
CASE_PAGE_REFERENCE = (("category", Category), ("responsible_unit", Unit), ("subject_unit", Unit))


def case_list_rows(qs: QuerySet[Case], *, related: tuple[str, ...] = ()) -> QuerySet[Case]:
    """Return `qs` as a list reads it: joined only to `related` (what its columns print),
    without the columns of LIST_DEFERRED (a case page reads them, a list never does)."""
    return qs.select_related(None).select_related(*related).defer(*LIST_DEFERRED)


def case_list_keys(qs: QuerySet[Case]) -> QuerySet[Case]:
    """Return `qs` read as only what names each row's printed state (CASE_ROW_KEY): the key of a
    cached list fragment (portal/core/fragments.py)."""
    return qs.select_related(None).only(*CASE_ROW_KEY)


def case_page_visible_to(*, user) -> QuerySet[Case]:
    """Return the cases `user` may see, read as the case page prints one: joined to nothing,
    without what search reads. The page takes its category and units from with_reference_rows
    and the names it prints from person_names: the query with its four joins was a fifth of a
    first view's time, and reading the submitter's name along a further twentieth
    (docs/performance.md, issue 11)."""
    return Case.objects.filter(permissions.visible_cases_q(user)).defer(*UNSHOWN_COLUMNS)


def person_name(relation: str = ""):
    """The name `User.get_full_name` gives the person at `relation` (a User row itself without
    one), read in SQL: their full name, else their e-mail; NULL without one."""
    at = f"{relation}__" if relation else ""
    return Coalesce(NullIf(F(f"{at}full_name"), Value("")), F(f"{at}email"),
                    output_field=CharField())


def person_names(ids, names: dict[int, str]) -> dict[int, str]:
    """Add to `names` (the names a page has at hand, by person) those `User.get_full_name` gives
    the people `ids` it lacks, in one query (none when it lacks none); return it. A case page
    names few people, most often the viewer themself (the enterprise's own steps)."""
    if missing := {pk for pk in ids if pk is not None} - names.keys():
        names.update(get_user_model().objects.filter(pk__in=missing)
                     .values_list("pk", person_name()))
    return names


def with_reference_rows(case: Case) -> Case:
    """Set `case`'s category, responsible unit and unit it is about (CASE_PAGE_REFERENCE) from
    this process's memory (ADR 0015, 2.), reading those not kept: at most one query per table,
    and none once they are kept. A row saved or deleted is dropped at once in the process that
    saved it (models._forget_reference); others see it within CONFIG_MEMO_SECONDS."""
    memo = caches["fragments"]
    wanted = {reference_memo_key(model, pk): (name, model, pk)
              for name, model in CASE_PAGE_REFERENCE if (pk := getattr(case, f"{name}_id"))}
    kept = memo.get_many(wanted)
    missing: dict = defaultdict(set)
    for key, (_name, model, pk) in wanted.items():
        if key not in kept:
            missing[model].add(pk)
    for model, pks in missing.items():
        found = {reference_memo_key(model, pk): row for pk, row in model.objects.in_bulk(pks).items()}
        memo.set_many(found, CONFIG_MEMO_SECONDS)
        kept.update(found)
    for key, (name, _model, _pk) in wanted.items():
        if key in kept:  # else (deleted meanwhile) Django reads it as usual
            setattr(case, name, kept[key])
    return case


def case_queue(*, user, status=None, overdue: bool = False, due_soon: bool = False,
               category=None, unit=None, kind: str | None = None, search: str = "",
               today: datetime.date | None = None) -> QuerySet[Case]:
    """Return a work queue: the visible cases filtered, the most urgent (earliest due) first.

    `status` is one status or several; `overdue` keeps cases whose unit clock ran past the due
    date; `due_soon` those due within EngineSettings.due_soon_working_days; `category` includes
    its sub-categories; `search` matches a reference number or words of title and description
    (segmented by jieba, every word must match).
    """
    today = today or timezone.localdate()
    qs = case_list_visible_to(user=user)
    if status:
        qs = qs.filter(status__in=[status] if isinstance(status, str) else list(status))
    if overdue:
        qs = qs.filter(status__in=HANDLING_STATUSES, due_date__lt=today)
    if due_soon:
        horizon = add_working_days(today, EngineSettings.load().due_soon_working_days)
        qs = qs.filter(status__in=HANDLING_STATUSES, due_date__gte=today, due_date__lte=horizon)
    if category:
        qs = qs.filter(Q(category=category) | Q(category__parent=category))
    if unit:
        qs = qs.filter(responsible_unit=unit)
    if kind:
        qs = qs.filter(kind=kind)
    search = (search or "").strip()
    if search:
        if REFERENCE_RE.match(search):
            qs = qs.filter(reference__iexact=search)
        else:
            tokens = query_tokens(search)
            match = Q(reference__icontains=search)
            if tokens:
                match |= Q(search_vector=SearchQuery(tokens, config="simple",
                                                     search_type="plain"))
            qs = qs.filter(match)
    return qs.order_by("due_date", "-submitted_at", "-id")


def case_timeline_for(*, case: Case, user, names: bool = True) -> QuerySet[CaseEvent]:
    """Return the steps of `case` that `user` may see, oldest first, each with its attachments
    in the list `files` (a list, not a manager: a timeline of 75 steps asking each step's
    manager for its prefetched files built 150 querysets a page), and with `names` each
    actor's name as `actor_name` (without, the caller sets those it prints: with_actor_names).

    Only the steps whose audience includes one of the viewer's (permissions.audience_of).
    """
    permissions.require_view(user, case)
    audience = permissions.audience_of(user, case)
    steps = case.events.filter(audience__sees=audience).order_by("created_at", "id")
    if names:  # the actor's name, not the actor's row: nothing else of them is printed
        steps = steps.annotate(actor_name=person_name("actor"))
    if not case.attachment_count:  # most cases: their steps keep CaseEvent.files, empty
        return steps
    return steps.prefetch_related(_files_seen_by(audience))


def _files_seen_by(audience: int) -> Prefetch:
    """A timeline's steps' files that `audience` may see, into each step's `files`."""
    return Prefetch("attachments", queryset=Attachment.objects.filter(audience__sees=audience),
                    to_attr="files")


def _timeline_sql() -> str:
    """case_timeline_rows' statement: every column of a step, as the model has them."""
    table, case, audience, created_at, pk = model_names(CaseEvent, "case", "audience",
                                                        "created_at", "pk")
    return (f"SELECT {all_columns(CaseEvent)} FROM {table} "  # noqa: S608 (the model's names)
            f"WHERE {case} = %s AND ({audience} & %s) <> 0 ORDER BY {created_at}, {pk}")


_TIMELINE_SQL = _timeline_sql()


def case_timeline_rows(*, case: Case, user) -> list[CaseEvent]:
    """The case page's timeline: what case_timeline_for(names=False) reads, as a list, in one
    statement written out (_TIMELINE_SQL) instead of compiled by the ORM on every call.

    A first view of a case reads its steps once; compiling that query (the filter, the
    `sees` lookup and the two-column ORDER BY) was 0.35 of the read's 0.55 ms of Python, the
    rows themselves the rest (docs/performance.md, issue 11). The rows are Django's models all
    the same (Manager.raw), files prefetched as case_timeline_for does;
    tests/cases/test_selectors.py holds the two to the same steps for every audience.
    """
    permissions.require_view(user, case)
    audience = permissions.audience_of(user, case)
    steps = list(CaseEvent.objects.raw(_TIMELINE_SQL, [case.pk, audience]))
    if case.attachment_count:
        prefetch_related_objects(steps, _files_seen_by(audience))
    return steps


def case_latest_step(*, case: Case, user, action: str,
                     names: bool = True) -> CaseEvent | None:
    """Return the newest step `action` of `case` that `user` may see, with its files."""
    return (case_timeline_for(case=case, user=user, names=names)
            .filter(action=action).order_by("-created_at", "-id").first())


def with_actor_names(events, *, internal: bool, names: dict[int, str]) -> list[CaseEvent]:
    """Set `actor_name` on the `events` whose label prints a person (timeline.names_person),
    from `names` (person_names: nothing read when those are all at hand)."""
    events = list(events)
    named = [event for event in events if names_person(event, internal=internal)]
    person_names({event.actor_id for event in named}, names)
    for event in named:
        event.actor_name = names.get(event.actor_id)
    return events


def case_attachments_for(*, case: Case, user) -> QuerySet[Attachment]:
    """Return the files of `case` that `user` may download."""
    permissions.require_view(user, case)
    return case.attachments.filter(audience__sees=permissions.audience_of(user, case))


def unit_workload(*, user, today: datetime.date | None = None) -> list[Unit]:
    """Return the active units with `open_count`, `overdue_count`, `due_soon_count` and
    `open_supervision_count` set (department dashboard), the most overdue first.

    Three queries: one pass over the open cases only (index case_unit_queue), one over the
    open supervision items, and the units. Department only.
    """
    permissions.require_dispatch(user)
    today = today or timezone.localdate()
    horizon = add_working_days(today, EngineSettings.load().due_soon_working_days)
    handling = Q(status__in=HANDLING_STATUSES)
    counts = {
        row["responsible_unit"]: row
        for row in Case.objects.filter(status__in=UNIT_STATUSES, responsible_unit__isnull=False)
        .order_by().values("responsible_unit").annotate(
            open_count=Count("id"),
            overdue_count=Count("id", filter=handling & Q(due_date__lt=today)),
            due_soon_count=Count("id", filter=handling & Q(due_date__gte=today,
                                                           due_date__lte=horizon)),
        )
    }
    items = dict(SupervisionItem.objects.filter(status=SupervisionStatus.OPEN, unit__isnull=False)
                 .order_by().values("unit").annotate(n=Count("id")).values_list("unit", "n"))
    units = list(Unit.objects.filter(is_active=True).order_by("code"))
    for unit in units:
        row = counts.get(unit.pk, {})
        unit.open_count = row.get("open_count", 0)
        unit.overdue_count = row.get("overdue_count", 0)
        unit.due_soon_count = row.get("due_soon_count", 0)
        unit.open_supervision_count = items.get(unit.pk, 0)
    units.sort(key=lambda u: (-u.overdue_count, -u.open_count, u.code))
    return units


def supervision_items_visible_to(*, user, status: str | None = None) -> QuerySet[SupervisionItem]:
    """Return the supervision items `user` may see: all for the department, a unit's own for
    its officials; open ones first, earliest due first."""
    qs = SupervisionItem.objects.select_related("case", "unit", "category", "created_by")
    if not (permissions.is_department(user) or permissions.can_manage_supervision(user)):
        if permissions.is_unit_official(user):
            qs = qs.filter(unit_id=user.unit_id)
        else:
            qs = qs.none()
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-status", "due_date", "-id")  # "open" sorts after "closed"


def reply_templates_for(*, user) -> QuerySet[ReplyTemplate]:
    """Return the active reply templates of the official's unit and the shared ones."""
    if not (permissions.is_unit_official(user) or permissions.is_department(user)):
        return ReplyTemplate.objects.none()
    return ReplyTemplate.objects.filter(Q(unit__isnull=True) | Q(unit_id=user.unit_id),
                                        is_active=True)


def categories_for_choice() -> QuerySet[Category]:
    """Return the categories an enterprise may choose for a new appeal."""
    return Category.objects.filter(is_active=True).select_related("parent")


# --- pain points (Art. 6(1)) --------------------------------------------------------------

@dataclass
class PainPoint:
    """The appeals of one category and topic in a period: a recurring problem."""

    category: Category | None
    topic: str  # "" when no keyword stands out: the category itself is the topic
    count: int
    start: datetime.date
    end: datetime.date
    case_ids: list[int] = field(default_factory=list)

    @property
    def label(self) -> str:
        name = self.category.name if self.category else "—"
        return f"{name} · {self.topic}" if self.topic else name


def pain_point_kinds() -> list[str]:
    """The kinds whose cases are sorted into pain points (Art. 6(1): enterprises' appeals)."""
    return [spec.code for spec in registered_kinds() if spec.pain_points]


def _groups(*, start, end, category=None, min_support: int = 3) -> dict:
    """Group the period's appeals by (category id, topic); see pain_points."""
    qs = Case.objects.filter(kind__in=pain_point_kinds(), parent__isnull=True, submitted_at__gte=deadlines.day_start(start),
                             submitted_at__lt=deadlines.day_start(end + datetime.timedelta(1)))
    if category is not None:
        qs = qs.filter(category=category)
    by_category = defaultdict(list)
    for pk, category_id, keywords in qs.order_by("id").values_list("id", "category_id",
                                                                   "keywords"):
        by_category[category_id].append((pk, keywords or []))
    groups = defaultdict(list)
    for category_id, items in by_category.items():
        support = Counter(k for _pk, keywords in items for k in set(keywords))
        for pk, keywords in items:
            frequent = [k for k in keywords if support[k] >= min_support]
            # The keyword most appeals of the category share; ties go to the case's own ranking.
            topic = max(frequent, key=lambda k: (support[k], -keywords.index(k)), default="")
            groups[(category_id, topic)].append(pk)
    return groups


def pain_points(*, user, start: datetime.date, end: datetime.date, category=None,
                min_support: int = 3, limit: int = 50) -> list[PainPoint]:
    """Return the recurring problems of the period [start, end], most appeals first.

    Each appeal belongs to its category and to one topic: among its stored keywords (jieba
    TF-IDF of title and description, see text.py), the one shared by the most appeals of the
    same category, if at least `min_support` share it; otherwise the topic is the category
    itself. Two queries whatever the number of appeals.
    """
    permissions.require(permissions.can_view_pain_points(user))
    groups = _groups(start=start, end=end, category=category, min_support=min_support)
    categories = Category.objects.in_bulk([c for c, _t in groups if c])
    points = [PainPoint(category=categories.get(c), topic=topic, count=len(ids), start=start,
                        end=end, case_ids=ids) for (c, topic), ids in groups.items()]
    points.sort(key=lambda p: (-p.count, p.category.code if p.category else "", p.topic))
    return points[:limit]


def pain_point_cases(*, category, topic: str, start: datetime.date, end: datetime.date,
                     min_support: int = 3) -> list[int]:
    """Return the ids of the appeals in one pain-point group (for the supervision service)."""
    groups = _groups(start=start, end=end, category=category, min_support=min_support)
    return groups.get((getattr(category, "pk", None), topic or ""), [])
