"""The named reporter's page of their rewards: what was approved and paid, and confirming that a
payment arrived."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from . import selectors, services


@login_required
@require_GET
def reward_list(request):
    return render(request, "rewards/list.html",
                  {"rewards": selectors.rewards_of_reporter(user=request.user)})


@login_required
@require_POST
def reward_confirm(request):
    reward = selectors.rewards_of_reporter(user=request.user).filter(
        pk=request.POST.get("reward") if (request.POST.get("reward") or "").isdigit() else None
    ).first()
    if reward is None:
        raise Http404(_("Not found."))
    try:
        services.reward_confirm_receipt(proposal=reward, user=request.user)
    except (PermissionDenied, ValidationError) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    else:
        messages.success(request, _("Thank you: the receipt of %(amount)s yuan is confirmed.")
                         % {"amount": reward.amount})
    return redirect("rewards:list")


@require_GET
def innovation_awards(request):
    """Awards for pioneering reforms (Art. 9 ¶2), published when granted."""
    return render(request, "rewards/innovation.html",
                  {"awards": selectors.innovation_awards_published()[:100]})
