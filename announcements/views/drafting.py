"""Drafting pages: 新建公告, the basic-info step, the edit page with its live preview, Excel
import/export and attachments. Views are thin: fetch through a permission-aware helper, bind
forms, call one service. Outsiders get 404 for everything that is not public."""

import copy

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.gates import gate
from reservations import excel
from reservations.enums import DataSource
from reservations.forms import ReportForm, RowFormSet, row_initial
from reservations.preview import report_preview, typed_rows
from reservations.rendering import render_notice
from reservations.xlsx import xlsx_response

from .. import rules, services
from ..enums import Kind, State
from ..files import attachment_response
from ..forms_drafting import (
    AttachmentForm,
    ImportForm,
    ManualCreateForm,
    ManualEditForm,
    NoticeEditForm,
    SmeCreateForm,
)
from ..rendering import notice_date, render_announcement
from ..sanitize import clean_html
from ..selectors import announcements_for_user, announcements_published

# Handlers (项目采购经办岗) of a budget unit; a draft of another institution is 404 in `_draft`.
drafter_required = gate(rules.user_may_draft)


def _draft(request, public_id):
    """The notice, for a handler of its institution; 404 for everyone else (a draft is private)."""
    announcement = get_object_or_404(announcements_for_user(user=request.user), public_id=public_id)
    if not rules.user_may_draft(request.user, announcement.institution):
        raise Http404
    if announcement.kind == Kind.DEPARTMENT:
        # Its rows are compiled copies, changed only by 重新汇总 (views.department).
        raise Http404
    return announcement


@drafter_required
@require_GET
def create_choice(request):
    """新建公告: 请选择新建公告类别. A plain page; the list opens it in a <dialog>."""
    return render(request, "announcements/drafting/create_choice.html")


@drafter_required
def create_sme(request):
    """The basic-info step; 生成公告 creates the draft and opens the edit page."""
    form = SmeCreateForm(request.POST or None, request.FILES or None, user=request.user)
    existing = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            announcement = services.announcement_create_sme(
                user=request.user,
                district=data["district"],
                year=data["year"],
                publish_mode=data["publish_mode"],
                scheduled_at=data["scheduled_at"],
                files=data["attachments"],
            )
        except services.DraftingError as error:
            year = data["year"]
            form.add_error("year", str(error))
            # A double click lands here too: offer the notice that already exists.
            existing = (
                announcements_for_user(user=request.user)
                .filter(institution=request.user.institution, year=year, kind=Kind.SME_RESERVATION)
                .exclude(state=State.REVOKED)
                .first()
            )
        else:
            messages.success(
                request, _("The draft notice has been generated: fill in the reserved projects.")
            )
            return redirect("announcements:edit", announcement.public_id)
    return render(request, "announcements/drafting/create_sme.html", {"form": form, "existing": existing})


@drafter_required
def create_manual(request):
    form = ManualCreateForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        announcement = services.announcement_create_manual(
            user=request.user,
            district=data["district"],
            title=data["title"],
            body_html=data["body_html"],
            publish_mode=data["publish_mode"],
            scheduled_at=data["scheduled_at"],
            files=data["attachments"],
        )
        messages.success(request, _("The draft notice has been saved."))
        return redirect("announcements:edit", announcement.public_id)
    return render(request, "announcements/drafting/create_manual.html", {"form": form})


def _bind(announcement, data=None):
    """The edit page's forms, bound to POST data or initialised from the stored draft."""
    if announcement.kind == Kind.MANUAL:
        return {"notice_form": ManualEditForm(data, instance=announcement)}
    report = announcement.report
    if data is None:
        rows = RowFormSet(prefix="rows", initial=[row_initial(r) for r in report.rows.all()])
    else:
        rows = RowFormSet(data, prefix="rows")
    return {
        "notice_form": NoticeEditForm(data, instance=announcement),
        "report_form": ReportForm(data, instance=report, prefix="report"),
        "formset": rows,
    }


def _forms_valid(forms) -> bool:
    return all([f.is_valid() for f in forms.values()])  # a list: every form shows its errors


@drafter_required
def edit(request, public_id):
    """公告信息编辑: content of a draft. Nothing is saved when any field or row is invalid."""
    announcement = _draft(request, public_id)
    if announcement.state != State.DRAFT and request.method != "POST":
        messages.info(request, _("Only a draft can be edited."))
        return redirect("announcements:detail", announcement.public_id)
    forms = _bind(announcement, request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if _forms_valid(forms):
            notice = forms["notice_form"].cleaned_data
            report = forms.get("report_form")
            try:
                services.announcement_content_save(
                    announcement=announcement,
                    user=request.user,
                    version=notice["version"],
                    title=notice["title"],
                    publish_mode=notice["publish_mode"],
                    scheduled_at=notice["scheduled_at"],
                    body_html=notice.get("body_html"),
                    competent_unit_name=report.cleaned_data["competent_unit_name"] if report else None,
                    explanation=report.cleaned_data["explanation"] if report else None,
                    rows=forms["formset"].rows() if report else None,
                )
            except services.DraftingError as error:
                forms["notice_form"].add_error(None, str(error))
                messages.error(request, str(error))
            else:
                messages.success(request, _("Saved."))
                return redirect("announcements:edit", announcement.public_id)
        else:
            messages.error(request, _("Nothing was saved: correct the fields marked in red."))
    typed = request.method == "POST"
    return render(
        request, "announcements/drafting/edit.html", _edit_context(announcement, forms, typed=typed)
    )


def _edit_context(announcement, forms, *, typed=False):
    """The edit page; after a refused POST the preview shows what was typed, else what is stored."""
    report = announcement.report
    context = {
        "announcement": announcement,
        "attachment_form": AttachmentForm(),
        "import_form": ImportForm(),
        **forms,
    }
    if report is not None:
        context["data_source"] = DataSource(report.data_source).label
    if typed:
        context.update(_typed_preview(announcement, forms))
    else:
        context["notice_html"] = render_announcement(announcement)
        if report is not None:
            context.update(report_preview(rows=report.rows.all(), year=report.year).as_context())
    return context


@drafter_required
@require_POST
def preview(request, public_id):
    """The live preview: the form's current data rendered as the notice, without saving anything."""
    announcement = _draft(request, public_id)
    context = _typed_preview(announcement, _bind(announcement, request.POST))
    return render(request, "announcements/drafting/_preview.html", context)


def _typed_preview(announcement, forms) -> dict:
    """Totals, warnings and notice text of what the form holds (valid rows only); writes nothing."""
    notice_form = forms["notice_form"]
    title = notice_form.data.get("title", "").strip() or announcement.title
    if announcement.kind == Kind.MANUAL:
        body = clean_html(notice_form.data.get("body_html", ""))
        html = render_to_string("announcements/drafting/_manual_preview.html", {"title": title, "body": body})
        return {"notice_html": mark_safe(html)}  # the body is nh3-sanitised, the title autoescaped
    rows, invalid = typed_rows(forms["formset"])
    report = copy.copy(announcement.report)  # an unsaved copy carries the typed 主管预算单位
    report.competent_unit_name = forms["report_form"].data.get("report-competent_unit_name", "").strip()
    return {
        **report_preview(rows=rows, year=report.year).as_context(),
        "invalid_rows": invalid,
        "notice_html": render_notice(
            report=report, title=title, notice_date=notice_date(announcement), rows=rows
        ),
    }


@drafter_required
@require_GET
def import_template(request):
    return xlsx_response(excel.template_workbook(), _("Reserved projects import template") + ".xlsx")


@drafter_required
def import_rows(request, public_id):
    """Excel import: every row validated through the row form; nothing saved if any row is bad."""
    announcement = _draft(request, public_id)
    if announcement.kind != Kind.SME_RESERVATION:
        raise Http404
    form = ImportForm(request.POST or None, request.FILES or None)
    row_errors = []
    if request.method == "POST" and form.is_valid():
        try:
            result = excel.read_rows(form.cleaned_data["file"])
        except excel.SpreadsheetError as error:
            form.add_error("file", str(error))
        else:
            row_errors = result.errors
            if result.ok:
                try:
                    services.announcement_rows_import(
                        announcement=announcement,
                        user=request.user,
                        rows=result.rows,
                        replace=form.cleaned_data["mode"] == "replace",
                    )
                except services.DraftingError as error:
                    form.add_error(None, str(error))
                else:
                    messages.success(request, _("%(count)s rows imported.") % {"count": len(result.rows)})
                    return redirect("announcements:edit", announcement.public_id)
    context = {"announcement": announcement, "form": form, "row_errors": row_errors}
    return render(request, "announcements/drafting/import.html", context, status=200)


@login_required
@require_GET
def export_rows(request, public_id):
    """The rows and totals as .xlsx, for anyone who may open the notice in the console."""
    announcement = get_object_or_404(announcements_for_user(user=request.user), public_id=public_id)
    if announcement.report is None:
        raise Http404
    content = excel.rows_workbook(
        report=announcement.report, title=announcement.title, exported_on=timezone.localdate()
    )
    return xlsx_response(content, f"{announcement.title}.xlsx")


@drafter_required
@require_POST
def attachment_upload(request, public_id):
    announcement = _draft(request, public_id)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            added = services.attachment_add(
                announcement=announcement, user=request.user, files=form.cleaned_data["attachments"]
            )
        except services.DraftingError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("%(count)s attachments uploaded.") % {"count": len(added)})
    else:
        for error in form.errors.get("attachments", []):
            messages.error(request, error)
    return redirect("announcements:edit", announcement.public_id)


@drafter_required
@require_POST
def attachment_delete(request, public_id, attachment_id):
    announcement = _draft(request, public_id)
    attachment = get_object_or_404(announcement.attachments, pk=attachment_id)
    try:
        services.attachment_delete(announcement=announcement, attachment=attachment, user=request.user)
    except services.DraftingError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, _("The attachment %(name)s has been deleted.") % {"name": attachment.original_name}
        )
    return redirect("announcements:edit", announcement.public_id)


@require_GET
def attachment_download(request, public_id, attachment_id):
    """Staff who may see the notice download its attachments. Anyone else is sent to the public
    download (public:attachment), which answers only while the notice is published."""
    visible = announcements_for_user(user=request.user).filter(public_id=public_id)
    if not visible.exists() and announcements_published().filter(public_id=public_id).exists():
        return redirect("public:attachment", public_id=public_id, attachment_id=attachment_id)
    return attachment_response(announcement=get_object_or_404(visible), attachment_id=attachment_id)
