"""The reporter's pages (phone-first, no JavaScript): file a report (named when signed in,
anonymous otherwise), the receipt, following a report by reference and receipt code (rate
limited per client, a wrong code says only "not found"), answering a question, adding
evidence, seeing the outcome and rating it. Named reporters also find their reports under
"My reports".

No page here names the reporter: the reporter sees their own report, never as "you, X".
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from portal.cases.constants import Action, Status

from . import ratelimit, selectors, services
from .forms import (
    AnswerForm,
    ComplaintForm,
    FollowForm,
    MaterialForm,
    PublishedFilterForm,
    RateForm,
    ReceiptSavedForm,
    RetaliationForm,
)

# The reports this browser session has proved it may follow (by receipt code), and the one its
# pages show now: report pages carry no number in their address, so none can be guessed.
SESSION_FOLLOWED = "complaints.followed"
SESSION_CURRENT = "complaints.current"
# The receipt of the report just filed: its code is shown once, until the reporter confirms.
SESSION_RECEIPT = "complaints.receipt"
ANONYMOUS_PER_HOUR = ratelimit.ANONYMOUS_PER_HOUR
FOLLOW_ATTEMPTS = ratelimit.FOLLOW_ATTEMPTS
FOLLOW_LOCKOUT_SECONDS = ratelimit.FOLLOW_LOCKOUT_SECONDS


def _named(request) -> bool:
    return request.user.is_authenticated


@require_http_methods(["GET", "POST"])
def complaint_new(request):
    """File a report: under one's name when signed in (unless one chooses anonymous), else
    anonymously with a receipt code."""
    named = _named(request)
    bound = request.method == "POST"
    form = ComplaintForm(request.POST if bound else None, request.FILES if bound else None,
                         named=named)
    limited = False
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        anonymous = not named or data.get("anonymous")
        if anonymous and ratelimit.is_limited("submit", request, limit=ANONYMOUS_PER_HOUR):
            limited = True
            form.add_error(None, _("Too many anonymous reports were sent from this connection. "
                                   "Please try again in an hour."))
        else:
            try:
                complaint, code = services.complaint_submit(
                    user=None if anonymous else request.user,
                    accused_unit=data["accused_unit"], misconduct=data["misconduct"],
                    title=data["title"], facts=data["facts"], occurred_on=data["occurred_on"],
                    place=data["place"], official_name=data["official_name"],
                    phone=data.get("phone", "") if not anonymous else "",
                    files=data["attachments"])
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                if anonymous:
                    ratelimit.count("submit", request, window=3600)
                    request.session[SESSION_RECEIPT] = {"pk": complaint.pk, "code": code}
                    _remember(request, complaint.pk)
                    return redirect("complaints:receipt")
                messages.success(request, _("Your report was filed as %(ref)s. Only the "
                                            "complaint desk knows it came from you.")
                                 % {"ref": complaint.reference})
                request.session[SESSION_CURRENT] = complaint.pk
                return redirect("complaints:report")
    files_lost = bool(request.FILES) and form.is_bound and not form.is_valid()
    return render(request, "complaints/new.html", {
        "form": form, "named": named, "files_lost": files_lost},
        status=429 if limited else 200)


def _remember(request, pk: int) -> None:
    followed = [p for p in request.session.get(SESSION_FOLLOWED, []) if p != pk]
    request.session[SESSION_FOLLOWED] = (followed + [pk])[-10:]
    request.session[SESSION_CURRENT] = pk


def _receipt(request):
    held = request.session.get(SESSION_RECEIPT)
    if not held:
        return None, None
    complaint = selectors.complaint_for_reporter(pk=held["pk"])
    return complaint, held["code"]


@require_http_methods(["GET", "POST"])
def complaint_receipt(request):
    """The receipt of the anonymous report just filed: its code, shown until confirmed saved."""
    complaint, code = _receipt(request)
    if complaint is None:
        return redirect("complaints:follow")
    form = ReceiptSavedForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        del request.session[SESSION_RECEIPT]
        messages.success(request, _("Thank you. Follow your report here with its reference "
                                    "and your receipt code."))
        return redirect("complaints:report")
    return render(request, "complaints/receipt.html", {
        "complaint": complaint, "code": code, "code_groups": _groups(code), "form": form})


def _groups(code: str) -> str:
    return " ".join(code[i:i + 4] for i in range(0, len(code), 4))


@require_GET
def complaint_receipt_download(request):
    """The receipt as a text file: reference, date, what was filed, the code; no identity."""
    complaint, code = _receipt(request)
    if complaint is None:
        raise Http404(_("There is no receipt to download."))
    case = complaint.case
    lines = [
        _("Receipt of a report to the district's business environment department"),
        "",
        f"{_('Reference')}: {case.reference}",
        f"{_('Filed on')}: {date_format(timezone.localtime(case.submitted_at), 'DATETIME_FORMAT')}",
        f"{_('Receipt code')}: {_groups(code)}",
        "",
        f"{_('Unit')}: {complaint.accused_unit.display_name}",
        f"{_('Misconduct')}: {complaint.get_misconduct_display()}",
        f"{_('In one line')}: {case.title}",
        f"{_('Evidence files')}: {case.attachments.count()}",
        "",
        _("Keep this code secret: whoever holds it can follow the report. A lost code cannot "
          "be recovered."),
        _("Anonymous reports are handled but not rewarded."),
    ]
    response = HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{case.reference}.txt"'
    response["Cache-Control"] = "no-store"
    return response


@require_http_methods(["GET", "POST"])
def complaint_follow(request):
    """Follow an anonymous report with its reference and receipt code."""
    form = FollowForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if ratelimit.is_limited("follow", request, limit=FOLLOW_ATTEMPTS):
            form.is_valid()
            form.add_error(None, _("Too many attempts. Please wait 15 minutes and try again."))
            status = 429
        elif form.is_valid():
            complaint = services.complaint_follow(reference=form.cleaned_data["reference"],
                                                  code=form.cleaned_data["code"])
            if complaint is not None:
                ratelimit.reset("follow", request)
                _remember(request, complaint.pk)
                return redirect("complaints:report")
            ratelimit.count("follow", request, window=FOLLOW_LOCKOUT_SECONDS)
            form.add_error(None, _("Not found."))
            status = 404
    return render(request, "complaints/follow.html", {"form": form}, status=status)


def _complaint_of_reporter(request, pk: int | None = None):
    """The report the session shows now, if it holds its receipt or the signed-in user filed
    it by name; 404 otherwise (never say that it exists)."""
    pk = pk if pk is not None else request.session.get(SESSION_CURRENT)
    if pk is None:
        raise Http404(_("Not found."))
    if pk in request.session.get(SESSION_FOLLOWED, []):
        complaint = selectors.complaint_for_reporter(pk=pk)
    elif request.user.is_authenticated:
        complaint = selectors.complaint_for_reporter(pk=pk, user=request.user)
    else:
        complaint = None
    if complaint is None:
        raise Http404(_("Not found."))
    return complaint


def _render_report(request, complaint, *, answer_form=None, material_form=None, rate_form=None,
                   retaliation_form=None, status=200):
    case = complaint.case
    question = outcome = None
    if case.status == Status.INFO_REQUESTED:
        question = selectors.reporter_latest_step(complaint=complaint,
                                                  action=Action.REQUEST_INFO)
        answer_form = answer_form or AnswerForm()
    if case.status == Status.ANSWERED:
        rate_form = rate_form or RateForm()
    if complaint.finding:
        outcome = selectors.reporter_latest_step(complaint=complaint, action=Action.ANSWER)
    return render(request, "complaints/report.html", {
        "complaint": complaint, "case": case, "question": question, "outcome": outcome,
        "answer_form": answer_form if case.status == Status.INFO_REQUESTED else None,
        "rate_form": rate_form if case.status == Status.ANSWERED else None,
        "material_form": (material_form or MaterialForm()) if case.is_open else None,
        "retaliation_form": None if case.is_open else (retaliation_form or RetaliationForm()),
        "notices": selectors.reporter_notices(complaint=complaint),
        "timeline": selectors.reporter_timeline(complaint=complaint),
    }, status=status)


@require_GET
def complaint_report(request):
    """The reporter's page of their report: status, questions, outcome, what they were told."""
    if request.session.get(SESSION_CURRENT) is None:
        return redirect("complaints:follow")
    return _render_report(request, _complaint_of_reporter(request))


def _act(request, complaint, form, call, *, form_key: str, success: str):
    if form.is_valid():
        try:
            call(form.cleaned_data)
        except PermissionDenied as exc:
            raise Http404(str(exc)) from exc
        except ValidationError as exc:
            if not hasattr(exc, "error_dict"):
                messages.error(request, " ".join(exc.messages))
                return redirect("complaints:report")
            form.add_service_errors(exc)
        else:
            messages.success(request, success)
            return redirect("complaints:report")
    return _render_report(request, complaint, status=400, **{form_key: form})


@require_POST
def complaint_answer(request):
    complaint = _complaint_of_reporter(request)
    form = AnswerForm(request.POST, request.FILES)
    return _act(request, complaint, form, form_key="answer_form",
                call=lambda d: services.complaint_reporter_answer(
                    complaint=complaint, information=d["information"], files=d["attachments"]),
                success=_("Your answer was sent to the investigators."))


@require_POST
def complaint_material(request):
    complaint = _complaint_of_reporter(request)
    form = MaterialForm(request.POST, request.FILES)
    return _act(request, complaint, form, form_key="material_form",
                call=lambda d: services.complaint_reporter_supplement(
                    complaint=complaint, note=d["note"], files=d["attachments"]),
                success=_("Your material was added to the report."))


@require_POST
def complaint_rate(request):
    complaint = _complaint_of_reporter(request)
    form = RateForm(request.POST)
    return _act(request, complaint, form, form_key="rate_form",
                call=lambda d: services.complaint_reporter_rate(
                    complaint=complaint, score=d["score"], comment=d["comment"]),
                success=_("Thank you for rating the outcome."))


@require_POST
def complaint_retaliation(request):
    """Report retaliation for a closed report: a new report, first in the desk's queue."""
    complaint = _complaint_of_reporter(request)
    form = RetaliationForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            new = services.complaint_report_retaliation(
                complaint=complaint, title=form.cleaned_data["title"],
                facts=form.cleaned_data["facts"], files=form.cleaned_data["attachments"])
        except ValidationError as exc:
            if not hasattr(exc, "error_dict"):
                messages.error(request, " ".join(exc.messages))
                return redirect("complaints:report")
            form.add_service_errors(exc)
        else:
            _remember(request, new.pk)
            text = (_("Your report of retaliation was filed as %(ref)s; it goes to the top of "
                      "the complaint desk's queue.") if new.named else
                    _("Your report of retaliation was filed as %(ref)s; it goes to the top of "
                      "the complaint desk's queue. Follow it with the same receipt code."))
            messages.success(request, text % {"ref": new.reference})
            return redirect("complaints:report")
    return _render_report(request, complaint, retaliation_form=form, status=400)


@require_GET
def complaint_mine(request):
    """The reports the signed-in user filed under their name."""
    if not request.user.is_authenticated:
        return redirect("complaints:follow")
    return render(request, "complaints/mine.html", {
        "complaints": selectors.complaints_of_named_reporter(user=request.user)})


@require_POST
def complaint_mine_open(request):
    """Open one of the signed-in user's named reports on the report page."""
    try:
        pk = int(request.POST.get("report", ""))
    except ValueError:
        raise Http404(_("Not found.")) from None
    if not request.user.is_authenticated:
        raise Http404(_("Not found."))
    complaint = _complaint_of_reporter(request, pk)
    request.session[SESSION_CURRENT] = complaint.pk
    return redirect("complaints:report")


@require_GET
def published_list(request):
    """Published cases (Art. 6(2)), de-identified, filtered by unit, kind, type and year."""
    form = PublishedFilterForm(request.GET or None)
    filters = {}
    if form.is_bound and form.is_valid():
        filters = {k: v for k, v in form.cleaned_data.items() if v not in (None, "")}
    cases = selectors.published_cases(**filters)[:50]
    return render(request, "complaints/published.html", {"form": form, "cases": cases})
