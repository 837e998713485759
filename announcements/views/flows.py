from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from accounts.enums import InstitutionKind
from accounts.models import User

from .. import workflow_flows as flows
from ..forms_flows import FlowOptionsForm, StepFormSet, initial_rows


def _people(owner) -> object:
    people = User.objects.filter(is_active=True, is_deleted=False)
    if "institution" in owner:
        people = people.filter(institution=owner["institution"])
    else:
        people = people.filter(
            institution__kind=InstitutionKind.FINANCE_BUREAU, institution__district=owner["district"]
        )
    return people.order_by("full_name", "username")


def _preview(owner, specs) -> list[dict]:
    """The path a notice of this owner would take: the institution's steps, then the finance
    bureau's (the side not edited here as it is in use)."""
    if "institution" in owner:
        other = flows.specs_of(flows.latest_version(district=owner["institution"].district), flows.FINANCE)
        path = [(s, flows.INSTITUTION) for s in specs] + [(s, flows.FINANCE) for s in other]
    else:
        path = [(s, flows.FINANCE) for s in specs]
    rows = []
    for spec, side in path:
        probe = flows.FlowStep(
            actor=spec.actor, position=spec.position, mode=spec.mode, condition=spec.condition
        )
        people = (
            "、".join(u.get_full_name() or u.username for u in spec.users)
            if spec.actor == flows.StepActor.NAMED
            else flows.POSITION_GROUP_NAMES.get(spec.position, "")
        )
        condition = ""
        if spec.condition == flows.StepCondition.SHORTFALL:
            condition = _("only when a threshold is missed")
        elif spec.condition == flows.StepCondition.TOTAL_EXCEEDS:
            condition = _("only when the reserved total exceeds %(amount)s (10,000 yuan)") % {
                "amount": spec.amount
            }
        rows.append(
            {
                "name": spec.name,
                "people": people,
                "mode": flows.step_mode_label(probe),
                "condition": condition,
                "finance": side == flows.FINANCE,
            }
        )
    return rows


@login_required
def flow_manage(request):
    """流程管理: the owner's steps as a table to edit; 预览 shows the path without saving, 保存
    keeps a new version (refused, with the reasons, when nobody could complete it)."""
    owner = flows.flow_owner(request.user)
    if owner is None:
        raise Http404
    side = flows.INSTITUTION if "institution" in owner else flows.FINANCE
    people = _people(owner)
    version = flows.latest_version(**owner)
    if request.method == "POST":
        formset = StepFormSet(request.POST, side=side, people=people)
        options = FlowOptionsForm(request.POST)
    else:
        formset = StepFormSet(initial=initial_rows(flows.specs_of(version, side)), side=side, people=people)
        options = FlowOptionsForm(
            initial={"one_step_per_person": version.one_step_per_person if version else True}
        )
    problems, preview = [], None
    if request.method == "POST" and formset.is_valid() and options.is_valid():
        specs = formset.specs()
        if "save" in request.POST:
            try:
                saved = flows.flow_save(
                    **owner,
                    steps=specs,
                    user=request.user,
                    one_step_per_person=options.cleaned_data["one_step_per_person"],
                )
            except ValueError as refused:
                problems = refused.args[0]
            else:
                messages.success(
                    request,
                    _("Saved as version %(number)s: it applies to the next submission.")
                    % {"number": saved.number},
                )
                return redirect("announcements:flows")
        else:
            problems = flows.flow_problems(**owner, steps=specs)
        preview = _preview(owner, specs)
    current = _preview(owner, flows.specs_of(version, side))
    history = flows.versions_of(**owner)
    context = {
        "formset": formset,
        "options": options,
        "problems": problems,
        "preview": preview,
        "current": current,
        "history": history,
        "owner_name": owner["institution"].name if "institution" in owner else owner["district"].name,
        "finance_side": side == flows.FINANCE,
    }
    return render(request, "announcements/flows.html", context)
