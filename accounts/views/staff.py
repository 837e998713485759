"""员工管理: the staff list, 新增, 详情, 编辑, 设置岗位, 删除/恢复 and the batch actions.

Every view passes `staff_admin_required` (anonymous → sign-in, no MANAGE_STAFF → 404) and fetches
accounts only through the selectors, which never leave the admin's institution. The rules live in
the services; the views bind a form, call one service and report the outcome.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST
from django_tables2 import RequestConfig

from .. import alerts, selectors, services
from ..filters import StaffFilter
from ..forms.staff import StaffBatchForm, StaffCreateForm, StaffPositionsForm, StaffUpdateForm
from ..gates import staff_admin_required
from ..second_factor import otp_enrolled
from ..tables import StaffTable, paginate_staff_table


def _refused(request, errors, to="accounts:staff_list"):
    for message in errors:
        messages.error(request, message)
    return redirect(to)


@staff_admin_required
def staff_list(request):
    deleted = request.GET.get("tab") == "deleted"
    staff = selectors.staff_for_admin(admin=request.user, deleted=deleted)
    filterset = StaffFilter(request.GET or None, queryset=staff, admin=request.user)
    table = StaffTable(filterset.qs, exclude=("select",) if deleted else ())
    RequestConfig(request, paginate=False).configure(table)
    paginate_staff_table(table, request)
    context = {
        "table": table,
        "filter": filterset,
        "deleted": deleted,
        # What stops the institution's work and is fixed here (a review step nobody holds).
        "banners": alerts.banners_for(request.user, "accounts:staff_list"),
    }
    return render(request, "accounts/staff_list.html", context)


@staff_admin_required
def staff_create(request):
    form = StaffCreateForm(request.POST or None, institution=request.user.institution)
    if form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "password2"}
        try:
            user = services.staff_create(actor=request.user, password=data.pop("password1"), **data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _(
                    "Account %(username)s created. Hand the initial password over; "
                    "it must be changed at first sign-in."
                )
                % {"username": user.username},
            )
            return redirect("accounts:staff_detail", user.pk)
    return render(request, "accounts/staff_form.html", {"form": form, "title": _("Add staff member")})


@staff_admin_required
def staff_detail(request, pk):
    staff = selectors.staff_get_for_admin(admin=request.user, pk=pk)
    context = {
        "staff": staff,
        "positions": selectors.staff_positions_held(staff),
        "perms": selectors.staff_perms_held(staff),
        "changes": selectors.staff_changes(staff=staff),
        "has_second_factor": otp_enrolled(staff),
    }
    return render(request, "accounts/staff_detail.html", context)


@staff_admin_required
def staff_update(request, pk):
    staff = selectors.staff_get_for_admin(admin=request.user, pk=pk, deleted=False)
    form = StaffUpdateForm(request.POST or None, instance=staff, institution=request.user.institution)
    if form.is_valid():
        try:
            services.staff_update(actor=request.user, staff=staff, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The changes have been saved."))
            return redirect("accounts:staff_detail", staff.pk)
    return render(
        request, "accounts/staff_form.html", {"form": form, "staff": staff, "title": _("Edit staff member")}
    )


def _positions_page(request, staff: list, *, batch: bool):
    institution = request.user.institution
    initial = None
    if not batch:
        initial = {
            "positions": selectors.staff_positions_held(staff[0]),
            "perms": selectors.staff_perms_held(staff[0]),
        }
    form = StaffPositionsForm(
        request.POST or None, initial=initial, institution=institution, with_perms=not batch
    )
    if form.is_valid():
        try:
            services.staff_set_positions(
                actor=request.user,
                staff=staff,
                positions=form.cleaned_data["positions"],
                perms=None if batch else form.cleaned_data["perms"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, _("Positions set for: %(names)s.") % {"names": "、".join(s.full_name for s in staff)}
            )
            return redirect(
                "accounts:staff_list" if batch else reverse("accounts:staff_detail", args=[staff[0].pk])
            )
    return render(request, "accounts/staff_positions.html", {"form": form, "staff": staff, "batch": batch})


@staff_admin_required
def staff_positions(request, pk):
    staff = selectors.staff_get_for_admin(admin=request.user, pk=pk, deleted=False)
    return _positions_page(request, [staff], batch=False)


@staff_admin_required
def staff_batch_positions(request):
    ids = request.POST.getlist("ids") if request.method == "POST" else request.GET.getlist("ids")
    if not ids:
        raise Http404
    staff = selectors.staff_many_for_admin(admin=request.user, pks=ids)
    return _positions_page(request, staff, batch=True)


@staff_admin_required
@require_POST
def staff_batch(request):
    """The batch bar (批量启用 / 批量停用 / 批量设置岗位), also used by the buttons on 详情."""
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = reverse("accounts:staff_list")
    form = StaffBatchForm(request.POST)
    if not form.is_valid():
        return _refused(request, [m for errors in form.errors.values() for m in errors], back)
    # Re-checked here, not trusted from the page: every id must be one of the admin's own staff.
    staff = selectors.staff_many_for_admin(admin=request.user, pks=form.cleaned_data["ids"])
    action = form.cleaned_data["action"]
    if action == StaffBatchForm.SET_POSITIONS:
        query = "&".join(f"ids={s.pk}" for s in staff)
        return redirect(f"{reverse('accounts:staff_batch_positions')}?{query}")
    service = services.staff_enable if action == StaffBatchForm.ENABLE else services.staff_disable
    if action != StaffBatchForm.ENABLE and any(s.pk == request.user.pk for s in staff):
        # Select-all takes the admin's own row too: skip it and say so, rather than refuse the batch.
        staff = [s for s in staff if s.pk != request.user.pk]
        messages.info(request, _("Your own account was skipped: you cannot disable yourself."))
        if not staff:
            return redirect(back)
    try:
        changed = service(actor=request.user, staff=staff)
    except ValidationError as error:
        return _refused(request, error.messages, back)
    if action == StaffBatchForm.ENABLE:
        text = ngettext("%(count)d account enabled.", "%(count)d accounts enabled.", len(changed))
    else:
        text = ngettext("%(count)d account disabled.", "%(count)d accounts disabled.", len(changed))
    messages.success(request, text % {"count": len(changed)})
    return redirect(back)


@staff_admin_required
def staff_delete(request, pk):
    staff = selectors.staff_get_for_admin(admin=request.user, pk=pk, deleted=False)
    if request.method != "POST":
        return render(request, "accounts/staff_confirm_delete.html", {"staff": staff})
    try:
        services.staff_delete(actor=request.user, staff=staff)
    except ValidationError as error:
        return _refused(request, error.messages)
    messages.success(request, _("%(name)s has been deleted.") % {"name": staff.full_name})
    return redirect("accounts:staff_list")


@staff_admin_required
@require_POST
def staff_restore(request, pk):
    staff = selectors.staff_get_for_admin(admin=request.user, pk=pk, deleted=True)
    services.staff_restore(actor=request.user, staff=staff)
    messages.success(request, _("%(name)s has been restored.") % {"name": staff.full_name})
    return redirect(f"{reverse('accounts:staff_list')}?tab=deleted")
