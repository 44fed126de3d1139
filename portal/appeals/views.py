"""The enterprise's case pages (phone-first, no JavaScript): file an appeal, "my cases", the case
page with its public timeline, answering the unit's question, rating the answer, and
downloading attachments through a permission check.

Views translate the request and call one service or selector; who may see and do what is
decided by permissions.py and the services, never here.
"""

import datetime
import hashlib
import json
import secrets

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.cache import caches
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms.models import ModelChoiceIteratorValue
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import Promise, SimpleLazyObject
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from portal.cases import permissions, selectors, services
from portal.cases.constants import Action, Status
from portal.cases.models import Case, CaseEvent
from portal.cases.timeline import actor_label
from portal.core.forms import PortalFormRenderer
from portal.core.fragments import rows_in_order, rows_key
from portal.core.keyset import keyset_page

from .constants import KIND
from .forms import AppealForm, CaseFilterForm, ProvideInfoForm, RateForm, SupplementForm
from .services import AlreadySubmitted, appeal_submit

PAGE_SIZE = 20
# The appeal form's one-time key: a random nonce, signed with the person it was handed to and
# when, so that showing the form writes nothing. The case a post opens keeps the nonce
# (Case.submission_key): a second post of the same form (double click, reload, back button)
# is shown the case it already created instead of creating another.
FORM_TOKEN_SALT = "appeals.form-token"  # noqa: S105 (a salt naming the use, not a secret)
FORM_TOKEN_MAX_AGE = 24 * 60 * 60  # seconds a form may stay open before it must be reloaded
UNHAPPY_AT_MOST = 2  # as the engine: 1 or 2 sends the case back for redo


def _forbidden(request, message: str):
    return render(request, "appeals/forbidden.html", {"message": message}, status=403)


def _visible_case(request, pk: int) -> Case:
    """Return the case if the user may see it; 404 otherwise (never say that it exists)."""
    case = selectors.with_reference_rows(get_object_or_404(
        selectors.case_page_visible_to(user=request.user).filter(kind=KIND), pk=pk))
    # The people the page names, read once each, the viewer at hand (selectors.person_names)
    case.names_at_hand = names = {request.user.pk: request.user.get_full_name()}
    case.submitter_name = SimpleLazyObject(
        lambda: selectors.person_names([case.submitter_id], names).get(case.submitter_id))
    return case


# --- My cases --------------------------------------------------------------------------------

@login_required
@require_GET
def case_list(request):
    """List the cases the user may see, newest first, 20 a page, filtered by status."""
    form = CaseFilterForm(request.GET or None)
    status, overdue, params = None, False, {}
    if form.is_bound and form.is_valid():
        status = form.cleaned_data["status"] or None
        overdue = form.cleaned_data["overdue"]
        params = {k: v for k, v in (("status", status), ("overdue", "on" if overdue else None))
                  if v}
    qs = selectors.case_queue(user=request.user, status=status, overdue=overdue, kind=KIND)
    # The page's rows are first read as their ids and change stamps only: the rendered table
    # is cached under exactly those (ADR 0009), and the full rows are read only to render it.
    page = keyset_page(selectors.case_list_keys(qs), field="submitted_at",
                       query=request.GET, size=PAGE_SIZE, params=params)
    return render(request, "appeals/list.html", {
        "form": form, "page_rows": page.rows, "links": page.links, "filtered": bool(params),
        "rows_key": rows_key(page.rows, selectors.CASE_ROW_KEY), "today": timezone.localdate(),
        "cases": rows_in_order(selectors.case_list_rows(qs), page.rows),  # the list prints
        "can_submit": permissions.is_enterprise_member(request.user),     # no related row
    })


# --- Submit an appeal ------------------------------------------------------------------------

def _plain(value):
    """A widget context's value JSON does not know, as the text its template prints; TypeError
    for anything else (then the widget is drawn as usual, not memoized)."""
    if isinstance(value, Promise):  # a lazy translation: the text of the current language
        return str(value)
    if isinstance(value, ModelChoiceIteratorValue):
        return str(value)
    raise TypeError(type(value).__name__)


class WidgetMemoRenderer(PortalFormRenderer):
    """The portal's form renderer, keeping each widget's HTML under a digest of everything its
    template is given (name, value, attributes, every choice with its label and whether it is
    selected) and the language, in the fragments cache.

    Django's widget templates read only their context, so the same context gives the same
    HTML: a new category, a renamed unit or another value is another key, never a stale hit.
    The choices are still read on every request; what is saved is rendering them (the appeal
    form's category and unit lists were 70 % of its page; docs/performance.md, issue 11).
    """

    def render(self, template_name, context, request=None):
        if not template_name.startswith("django/forms/widgets/") or set(context) != {"widget"}:
            return super().render(template_name, context, request=request)
        try:
            frozen = json.dumps([template_name, get_language(), context["widget"]],
                                default=_plain, ensure_ascii=False)
        except (TypeError, ValueError):
            return super().render(template_name, context, request=request)
        key = "widget:" + hashlib.sha256(frozen.encode()).hexdigest()
        html = caches["fragments"].get(key)
        if html is None:
            html = super().render(template_name, context, request=request)
            caches["fragments"].set(key, html)
        return html


WIDGET_MEMO = WidgetMemoRenderer()


def _new_token(request) -> str:
    return signing.TimestampSigner(salt=FORM_TOKEN_SALT).sign(
        f"{request.user.pk}:{secrets.token_urlsafe(16)}")


def _submission_key(request, token: str) -> str | None:
    """The nonce of a form token handed to this person within FORM_TOKEN_MAX_AGE, else None."""
    try:
        value = signing.TimestampSigner(salt=FORM_TOKEN_SALT).unsign(
            token, max_age=FORM_TOKEN_MAX_AGE)
    except signing.BadSignature:  # forged, altered or expired
        return None
    user_pk, _sep, nonce = value.partition(":")
    return nonce if user_pk == str(request.user.pk) and nonce else None


@login_required
@require_http_methods(["GET", "POST"])
def case_new(request):
    """File an appeal; one form is sent once, however often it is posted."""
    if not permissions.is_enterprise_member(request.user):
        return _forbidden(request, _("Only a member of a registered enterprise may submit an "
                                     "appeal. If you have just asked to join your enterprise, "
                                     "wait for its administrator's approval."))
    if request.method == "GET":
        return render(request, "appeals/new.html", {"form": AppealForm(renderer=WIDGET_MEMO),
                                                  "form_token": _new_token(request)})

    token = request.POST.get("form_token", "")
    key = _submission_key(request, token)
    form = AppealForm(request.POST, request.FILES, renderer=WIDGET_MEMO)
    if key is None:
        form.is_valid()  # show what was typed, with a fresh token
        form.add_error(None, _("This form has expired or was already sent. Check “My cases” "
                               "to see whether your appeal arrived; if it did not, send it "
                               "again."))
        token = _new_token(request)
    elif form.is_valid():
        data = form.cleaned_data
        try:
            case = appeal_submit(
                submitter=request.user, title=data["title"], description=data["description"],
                category=data["category"], subtype=data["appeal_type"],
                subject_unit=data["subject_unit"], files=data["attachments"],
                submission_key=key,
            )
        except AlreadySubmitted as sent:
            messages.info(request, _("This form was already sent: your appeal is %(ref)s. "
                                     "It was not submitted a second time.")
                          % {"ref": sent.reference})
            return redirect("cases:detail", pk=sent.case_id)
        except PermissionDenied as exc:
            return _forbidden(request, str(exc))
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("Your appeal was submitted. Its reference number is "
                                        "%(ref)s; it will be accepted by %(date)s.")
                             % {"ref": case.reference,
                                "date": date_format(case.acceptance_due_date, "DATE_FORMAT")})
            return redirect("cases:detail", pk=case.pk)
    files_lost = bool(request.FILES) and not form.has_error("attachments")
    return render(request, "appeals/new.html", {"form": form, "form_token": token,
                                              "files_lost": files_lost})


# --- The case page ---------------------------------------------------------------------------

def _day(value) -> str:
    """A date the step recorded (ISO text in `extra`), written the language's way."""
    try:
        return date_format(datetime.date.fromisoformat(value), "DATE_FORMAT")
    except (TypeError, ValueError):  # not a date: shown as recorded
        return str(value)


def _detail_line(event: CaseEvent) -> str:
    """The facts of a step worth a line of their own: unit, score, due dates."""
    extra = event.extra or {}
    if event.action in (Action.ASSIGN, Action.TRANSFER) and event.unit_name:
        return _("To: %(unit)s") % {"unit": event.unit_name}
    if event.action == Action.SIGN_FOR and extra.get("due_date"):
        return _("Answer due by %(date)s") % {"date": _day(extra["due_date"])}
    if event.action == Action.RATE and extra.get("score"):
        if extra.get("due_date"):
            return _("Score: %(score)s of 5 — sent back for redo, due by %(date)s") % {
                "score": extra["score"], "date": _day(extra["due_date"])}
        return _("Score: %(score)s of 5") % {"score": extra["score"]}
    if event.action == Action.APPROVE_EXTENSION and extra.get("due_date"):
        return _("New due date: %(date)s") % {"date": _day(extra["due_date"])}
    if event.action == Action.PROVIDE_INFO and extra.get("paused_working_days"):
        return _("The due date moved to %(date)s") % {"date": _day(extra.get("due_date"))}
    return ""


def _timeline(case: Case, user, *, internal: bool) -> list[CaseEvent]:
    timeline = selectors.with_actor_names(selectors.case_timeline_rows(case=case, user=user),
                                          internal=internal, names=case.names_at_hand)
    for event in timeline:
        event.actor_label = actor_label(event, case, internal=internal)
        event.detail_line = _detail_line(event)
    return timeline


def _latest_step(case: Case, user, action: str, *, internal: bool) -> CaseEvent | None:
    event = selectors.case_latest_step(case=case, user=user, action=action, names=False)
    if event is not None:
        selectors.with_actor_names([event], internal=internal, names=case.names_at_hand)
        event.actor_label = actor_label(event, case, internal=internal)
    return event


def _render_detail(request, case: Case, *, info_form=None, rate_form=None, supplement_form=None,
                   status: int = 200):
    """The case page. Its timeline is rendered once per version (the case's change stamp, moved by every step), viewer side
    (internal or public) and language, then served from the "fragments" cache: a timeline of
    75 steps was two thirds of the page's time. The steps are read only when it is rendered."""
    user = request.user
    audience = permissions.audience_of(user, case)
    internal = permissions.sees_internal(user, case)
    can_act = permissions.can_act_for_submitter(user, case)
    can_supplement = can_act and case.is_open and case.spec.allows_supplement
    if can_supplement and supplement_form is None:
        supplement_form = SupplementForm(renderer=WIDGET_MEMO)
    question = answer = None
    if case.status == Status.INFO_REQUESTED:
        question = _latest_step(case, user, Action.REQUEST_INFO, internal=internal)
    elif case.status == Status.ANSWERED:
        answer = _latest_step(case, user, Action.ANSWER, internal=internal)
    if can_act and case.status == Status.INFO_REQUESTED and info_form is None:
        info_form = ProvideInfoForm(renderer=WIDGET_MEMO)
    if can_act and case.status == Status.ANSWERED and rate_form is None:
        rate_form = RateForm(renderer=WIDGET_MEMO)
    return render(request, "appeals/detail.html", {
        "case": case, "internal": internal, "can_act": can_act, "audience": audience,
        "supplement_form": supplement_form if can_supplement else None,
        "timeline": SimpleLazyObject(lambda: _timeline(case, user, internal=internal)),
        # every step moves the case's change stamp (record_step): the timeline's version
        "timeline_version": case.updated_at.isoformat(),
        "question": question, "answer": answer,
        "info_form": info_form if can_act and case.status == Status.INFO_REQUESTED else None,
        "rate_form": rate_form if can_act and case.status == Status.ANSWERED else None,
    }, status=status)


@login_required
@require_GET
def case_detail(request, pk: int):
    """Show a case: facts, the timeline the user may see, and what the enterprise may do now."""
    return _render_detail(request, _visible_case(request, pk))


def _act(request, case: Case, form, call, *, form_key: str, success):
    """Validate `form`, call one service; redirect on success, else show the page again."""
    if form.is_valid():
        try:
            updated = call(form.cleaned_data)
        except PermissionDenied as exc:
            return _forbidden(request, str(exc))
        except ValidationError as exc:
            if not hasattr(exc, "error_dict"):
                # Wrong state (already rated, no longer waiting...): the form is gone anyway.
                messages.error(request, " ".join(exc.messages))
                return redirect("cases:detail", pk=case.pk)
            form.add_service_errors(exc)
        else:
            messages.success(request, success(updated))
            return redirect("cases:detail", pk=case.pk)
    return _render_detail(request, case, **{form_key: form})


@login_required
@require_POST
def case_provide_info(request, pk: int):
    """Answer the unit's question (the unit's clock runs again)."""
    case = _visible_case(request, pk)
    form = ProvideInfoForm(request.POST, request.FILES)
    return _act(
        request, case, form, form_key="info_form",
        call=lambda data: services.case_provide_info(
            case=case, actor=request.user, information=data["information"],
            files=data["attachments"]),
        success=lambda updated: _("Your answer was sent to %(unit)s.")
        % {"unit": updated.responsible_unit.display_name},
    )


def _rated_message(case: Case) -> str:
    if case.status == Status.REOPENED:
        return _("You rated the answer %(score)d of 5. The appeal goes back to %(unit)s, which "
                 "must work on it again by %(date)s.") % {
            "score": case.satisfaction, "unit": case.responsible_unit.display_name,
            "date": date_format(case.due_date, "DATE_FORMAT")}
    return _("Thank you for rating the answer %(score)d of 5. The appeal is closed.") % {
        "score": case.satisfaction}


@login_required
@require_POST
def case_supplement(request, pk: int):
    """Add a note or files to an open appeal (补充材料); the unit is told."""
    case = _visible_case(request, pk)
    form = SupplementForm(request.POST, request.FILES)
    return _act(
        request, case, form, form_key="supplement_form",
        call=lambda data: services.case_supplement(
            case=case, actor=request.user, note=data["note"], files=data["attachments"]),
        success=lambda event: _("Your material was added to %(ref)s.") % {"ref": case.reference},
    )


@login_required
@require_POST
def case_rate(request, pk: int):
    """Rate the answer 1–5; 1 or 2 sends the case back for redo (重办)."""
    case = _visible_case(request, pk)
    form = RateForm(request.POST)
    return _act(
        request, case, form, form_key="rate_form",
        call=lambda data: services.case_rate(case=case, actor=request.user,
                                             score=data["score"], comment=data["comment"]),
        success=_rated_message,
    )


@login_required
@require_GET
def attachment_download(request, pk: int, attachment_id: int):
    """Send a file of a case to someone who may see the step it came with."""
    case = _visible_case(request, pk)
    attachment = get_object_or_404(selectors.case_attachments_for(case=case, user=request.user),
                                   pk=attachment_id)
    try:
        handle = attachment.file.open("rb")
    except (FileNotFoundError, OSError) as exc:
        raise Http404(_("The file is no longer available.")) from exc
    return FileResponse(handle, as_attachment=True, filename=attachment.original_name,
                        content_type=attachment.content_type)
