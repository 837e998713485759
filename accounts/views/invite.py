"""新增/邀请, 批量新增 (with its template), the admin's reset of a second factor, and the
invited person's page that sets their password. The admin pages pass `staff_admin_required`."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.forms import SetPasswordForm
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import importers, invitations, second_factor, selectors
from ..forms.security import StaffImportForm, StaffInviteForm
from ..gates import staff_admin_required


def _issued(request, created):
    return render(
        request,
        "accounts/invitation_issued.html",
        {"created": created, "invitation_hours": settings.INVITATION_HOURS},
    )


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@staff_admin_required
def staff_invite(request):
    form = StaffInviteForm(request.POST or None, institution=request.user.institution)
    if form.is_valid():
        try:
            user, token = invitations.staff_invite(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return _issued(request, [(user, invitations.invitation_url(token))])
    return render(
        request,
        "accounts/staff_form.html",
        {"form": form, "title": _("Invite a staff member"), "invite": True},
    )


@staff_admin_required
@require_POST
def staff_reinvite(request, pk):
    staff = selectors.staff_get_for_admin(admin=request.user, pk=pk, deleted=False)
    token = invitations.invitation_issue(actor=request.user, staff=staff)
    return _issued(request, [(staff, invitations.invitation_url(token))])


@staff_admin_required
def staff_import(request):
    form = StaffImportForm(request.POST or None, request.FILES or None)
    errors = []
    if form.is_valid():
        result = importers.staff_import(actor=request.user, upload=form.cleaned_data["file"])
        if not result.errors:
            created = [(user, invitations.invitation_url(token)) for user, token in result.created]
            messages.success(request, _("%(count)s staff created.") % {"count": len(created)})
            return _issued(request, created)
        errors = result.errors
    return render(request, "accounts/staff_import.html", {"form": form, "errors": errors})


@staff_admin_required
def staff_import_template(request):
    response = HttpResponse(importers.template_workbook(), content_type=XLSX)
    response["Content-Disposition"] = (
        "attachment; filename*=UTF-8''%E6%89%B9%E9%87%8F%E6%96%B0%E5%A2%9E%E5%91%98%E5%B7%A5.xlsx"
    )
    return response


@staff_admin_required
@require_POST
def staff_otp_reset(request, pk):
    staff = selectors.staff_get_for_admin(admin=request.user, pk=pk, deleted=None)
    second_factor.staff_otp_reset(actor=request.user, staff=staff)
    messages.success(
        request,
        _("The second factor of %(name)s was reset: they enrol again at their next sign-in.")
        % {"name": staff.get_full_name()},
    )
    return redirect("accounts:staff_detail", staff.pk)


def invitation_accept(request, token):
    try:
        invitation = invitations.invitation_lookup(token)
    except invitations.InvitationInvalid as problem:
        return render(request, "registration/invitation_invalid.html", {"problem": str(problem)}, status=410)
    form = SetPasswordForm(invitation.staff, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                invitations.invitation_accept(token=token, password=form.cleaned_data["new_password1"])
        except invitations.InvitationInvalid as problem:
            return render(
                request, "registration/invitation_invalid.html", {"problem": str(problem)}, status=410
            )
        messages.success(request, _("Your password is set: sign in with your account and password."))
        return redirect("accounts:login")
    return render(request, "registration/invitation_accept.html", {"form": form, "staff": invitation.staff})
