"""Commitments on the public site: the list and a commitment's page (phone first), the enterprise
confirming or disputing a fulfilment, the evidence files, and the fulfilment rate per unit."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from portal.core.keyset import keyset_page

from . import permissions, selectors, services
from .constants import ClauseStatus
from .forms import DisputeForm
from .models import Clause, EvidenceFile

PAGE_SIZE = 20


@require_GET
def commitment_list(request):
    """The commitments the reader may see, newest first, PAGE_SIZE a page (keyset: "older" and
    "newer", no count of the whole list)."""
    page = keyset_page(
        selectors.commitments_visible_to(user=request.user),
        field="created_at",
        query=request.GET,
        size=PAGE_SIZE,
    )
    return render(request, "commitments/list.html", {"commitments": page.rows, "links": page.links})


def _detail_context(request, commitment, dispute_forms=None):
    clauses = []
    disputed = selectors.fulfilments_disputed_by_reader(user=request.user, commitment=commitment)
    for clause in commitment.clauses.all():
        fulfilments = list(clause.fulfilments.all())
        latest = fulfilments[0] if fulfilments else None
        disputed_already = bool(latest and latest.pk in disputed)
        may_confirm, may_dispute = permissions.may_answer_now(
            request.user, clause, disputed_already=disputed_already
        )
        clauses.append(
            {
                "clause": clause,
                "latest": latest,
                "disputed_already": disputed_already,
                "earlier": fulfilments[1:],
                "may_confirm": may_confirm,
                "may_dispute": may_dispute,
                "dispute_form": (dispute_forms or {}).get(clause.pk)
                or (DisputeForm(prefix=f"c{clause.pk}") if may_dispute else None),
            }
        )
    standing = selectors.policy_standing(commitment.policy) if commitment.policy_id else ""
    return {"commitment": commitment, "clauses": clauses, "policy_standing": standing}


@require_GET
def commitment_detail(request, pk):
    commitment = selectors.commitment_with_clauses(user=request.user, pk=pk)
    if commitment is None:
        raise Http404(_("Not found."))
    return render(request, "commitments/detail.html", _detail_context(request, commitment))


def _visible_clause(request, pk):
    commitment_ids = selectors.commitments_visible_to(user=request.user).values("pk")
    clause = (
        Clause.objects.select_related("commitment")
        .filter(pk=pk, commitment__in=commitment_ids)
        .first()
    )
    if clause is None:
        raise Http404(_("Not found."))
    return clause


@login_required
@require_POST
def clause_confirm(request, pk):
    clause = _visible_clause(request, pk)
    try:
        services.fulfilment_confirm(actor=request.user, clause=clause)
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Thank you: you confirmed that this commitment was kept."))
    return redirect("commitments:detail", clause.commitment_id)


def public_dispute_sent_message(*, unit: str, n: int) -> str:
    """What an enterprise reads once its dispute of a commitment made to every enterprise is
    sent, while fewer than `n` enterprises (the threshold) have disputed: the count decides the
    grammatical number (ngettext), whatever the threshold is set to."""
    return ngettext(
        "Your dispute was sent to %(unit)s. A commitment made to every enterprise counts as "
        "disputed, and the department supervises (督办) it, once %(n)d enterprise disputes "
        "the same fulfilment.",
        "Your dispute was sent to %(unit)s. A commitment made to every enterprise counts as "
        "disputed, and the department supervises (督办) it, once %(n)d enterprises dispute "
        "the same fulfilment.",
        n,
    ) % {"unit": unit, "n": n}


@login_required
@require_http_methods(["POST"])
def clause_dispute(request, pk):
    clause = _visible_clause(request, pk)
    form = DisputeForm(request.POST, prefix=f"c{clause.pk}")
    if form.is_valid():
        try:
            services.fulfilment_dispute(
                actor=request.user, clause=clause, reason=form.cleaned_data["reason"]
            )
        except PermissionDenied as exc:
            messages.error(request, str(exc))
            return redirect("commitments:detail", clause.commitment_id)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            clause.refresh_from_db(fields=["status"])
            if clause.commitment.enterprise_id is None and clause.status != ClauseStatus.DISPUTED:
                messages.success(
                    request,
                    public_dispute_sent_message(
                        unit=clause.commitment.unit.display_name,
                        n=services.public_disputes_to_dispute(),
                    ),
                )
            else:
                messages.success(
                    request,
                    _(
                        "Your dispute was sent to %(unit)s and to the "
                        "department, which supervises (督办) the "
                        "commitment."
                    )
                    % {"unit": clause.commitment.unit.display_name},
                )
            return redirect("commitments:detail", clause.commitment_id)
    commitment = selectors.commitment_with_clauses(user=request.user, pk=clause.commitment_id)
    return render(
        request,
        "commitments/detail.html",
        _detail_context(request, commitment, {clause.pk: form}),
        status=400,
    )


@login_required
@require_GET
def evidence_download(request, pk):
    commitment_ids = selectors.commitments_visible_to(user=request.user).values("pk")
    evidence = EvidenceFile.objects.filter(
        pk=pk, fulfilment__clause__commitment__in=commitment_ids
    ).first()
    if evidence is None:
        raise Http404(_("Not found."))
    return FileResponse(
        evidence.file.open("rb"),
        as_attachment=True,
        filename=evidence.original_name,
        content_type=evidence.content_type,
    )


@require_GET
def unit_rates(request):
    return render(request, "commitments/rates.html", {"units": selectors.unit_rates()})
