from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from reservations.rules import region_rules_note

from ..guide import journeys_for, rule_rows


@login_required
def guide(request):
    """操作指南: the steps of the user's positions and the policy rules table."""
    show_all = request.GET.get("all") == "1"
    journeys = journeys_for(None if show_all else request.user)
    return render(
        request,
        "announcements/guide.html",
        {"journeys": journeys, "rules": rule_rows(), "region_note": region_rules_note()},
    )
