"""机构信息 and 部门管理 for the institution admin (MANAGE_STAFF, own institution only)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import departments, institutions
from ..forms.institution import DepartmentForm, InstitutionInfoForm
from ..gates import staff_admin_required


@staff_admin_required
def institution_info(request):
    institution = institutions.institution_for_admin(admin=request.user)
    form = InstitutionInfoForm(request.POST or None, instance=institution)
    if form.is_valid():
        try:
            changed = institutions.institution_update(
                actor=request.user, institution=institution, **form.cleaned_data
            )
        except ValidationError as error:
            institution.refresh_from_db()
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("The institution information has been saved.") if changed else _("Nothing changed."),
            )
            return redirect("accounts:institution_info")
    context = {
        "form": form,
        "institution": institution,
        "changes": institutions.institution_changes(institution=institution)[:50],
    }
    return render(request, "accounts/institution_info.html", context)


@staff_admin_required
def department_list(request):
    rows = departments.departments_for_admin(admin=request.user)
    return render(request, "accounts/department_list.html", {"departments": rows})


def _department_form(request, department=None):
    form = DepartmentForm(request.POST or None, instance=department)
    if form.is_valid():
        try:
            if department is None:
                departments.department_create(actor=request.user, **form.cleaned_data)
            else:
                departments.department_update(actor=request.user, department=department, **form.cleaned_data)
        except ValidationError as error:
            form.add_error("name" if isinstance(error, departments.DepartmentError) else None, error)
        else:
            messages.success(request, _("The department has been saved."))
            return redirect("accounts:department_list")
    return render(request, "accounts/department_form.html", {"form": form, "department": department})


@staff_admin_required
def department_create(request):
    return _department_form(request)


@staff_admin_required
def department_update(request, pk):
    return _department_form(request, departments.department_get_for_admin(admin=request.user, pk=pk))


@staff_admin_required
@require_POST
def department_toggle(request, pk):
    department = departments.department_get_for_admin(admin=request.user, pk=pk)
    active = request.POST.get("active") == "1"
    departments.department_set_active(actor=request.user, department=department, active=active)
    text = _("%(name)s has been enabled.") if active else _("%(name)s has been disabled.")
    messages.success(request, text % {"name": department.name})
    return redirect("accounts:department_list")


@staff_admin_required
@require_POST
def department_delete(request, pk):
    department = departments.department_get_for_admin(admin=request.user, pk=pk)
    try:
        departments.department_delete(actor=request.user, department=department)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("%(name)s has been deleted.") % {"name": department.name})
    return redirect("accounts:department_list")
