"""Drafting pages: 新建公告, the basic-info step, the edit page with its live preview, Excel
import/export and attachments. Views are thin: fetch through a permission-aware helper, bind
forms, call one service. Outsiders get 404 for everything that is not public."""

import copy
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.gates import gate
from reservations import excel
from reservations.enums import DataSource
from reservations.forms import ReportForm, RowFormSet, row_initial
from reservations.paging import page_of, rows_merged, stored_rows, typed_page
from reservations.paging import rows_page as page_selector
from reservations.preview import report_preview
from reservations.rendering import notice_context
from reservations.rules import report_region
from reservations.services import report_submit_problems
from reservations.xlsx import xlsx_response

from .. import imports, rules, services, workflow
from ..enums import Action, ImportState, Kind, State
from ..files import attachment_response
from ..forms_drafting import (
    AttachmentForm,
    ImportForm,
    ManualCreateForm,
    ManualEditForm,
    NoticeEditForm,
    SmeCreateForm,
)
from ..hooks import public_attachment_url
from ..models import FlowLogEntry
from ..plausibility import published_links_elsewhere
from ..rendering import notice_date, render_announcement
from ..sanitize import clean_html
from ..selectors import (
    DRAFTED_KINDS,
    announcement_for_user,
    announcements_for_user,
    announcements_published,
    refiled_revocation,
)

# Handlers (项目采购经办岗) of a budget unit; a draft of another institution is 404 at its fetch.
drafter_required = gate(rules.user_may_draft)


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


PREVIEW_ROWS = 20  # rows of the notice text shown in the preview; totals and warnings count all
WARNINGS_SHOWN = 20


def _paging(params) -> dict:
    """The editor's page, search and filter, from the query string or the posted form."""
    page = params.get("page", "")
    return {
        "page": int(page) if page.isdigit() else 1,
        "query": params.get("q", "").strip()[:100],
        "only_warnings": params.get("only") == "warnings",
    }


def _edit_url(announcement, paging, *, anchor="", **extra) -> str:
    query = {"page": paging["page"]}
    if paging["query"]:
        query["q"] = paging["query"]
    if paging["only_warnings"]:
        query["only"] = "warnings"
    query.update(extra)
    return f"{reverse('announcements:edit', args=[announcement.public_id])}?{urlencode(query)}{anchor}"


def _bind(announcement, data=None, *, rows_page=None):
    """The edit page's forms, bound to POST data or initialised from the stored draft (one page of rows)."""
    if announcement.kind == Kind.MANUAL:
        return {"notice_form": ManualEditForm(data, instance=announcement)}
    report = announcement.report
    if data is None:
        rows = RowFormSet(prefix="rows", initial=[row_initial(r) for r in rows_page.rows])
        # Without the script a few blank rows let a user add rows; the script adds them on demand.
        rows.extra = (3 if not rows_page.all_rows else 1) if not rows_page.has_next else 0
    else:
        rows = RowFormSet(data, prefix="rows")
    return {
        "notice_form": NoticeEditForm(data, instance=announcement),
        "report_form": ReportForm(data, instance=report, prefix="report"),
        "formset": rows,
    }


def _forms_valid(forms) -> bool:
    return all([f.is_valid() for f in forms.values()])  # a list: every form shows its errors


INTENTS = ("save", "submit", "import")


@drafter_required
def edit(request, public_id):
    """公告信息编辑: content of a draft, a page of rows at a time. 保存 writes the notice fields and
    the page's rows only; 提交 saves, then submits; 导入 saves, then opens the import page.
    Nothing is saved when any field or row is invalid, and every typed value comes back."""
    announcement = announcement_for_user(
        user=request.user, public_id=public_id, for_edit=True, kinds=DRAFTED_KINDS
    )
    if announcement.state != State.DRAFT and request.method != "POST":
        messages.info(request, _("Only a draft can be edited."))
        return redirect("announcements:detail", announcement.public_id)
    params = request.POST if request.method == "POST" else request.GET
    paging = _paging(params)
    page = None
    if announcement.report_id:
        page = page_selector(
            report=announcement.report,
            page=paging["page"],
            query=paging["query"],
            only_warnings=paging["only_warnings"],
            published_links=published_links_elsewhere(report=announcement.report)
            if paging["only_warnings"]
            else frozenset(),
        )
        paging["page"] = page.number
    forms = _bind(announcement, request.POST if request.method == "POST" else None, rows_page=page)
    if request.method == "POST":
        intent = request.POST.get("intent") if request.POST.get("intent") in INTENTS else "save"
        if _forms_valid(forms):
            try:
                _save(request, announcement, forms)
            except services.DraftingError as error:
                forms["notice_form"].add_error(None, str(error))
                messages.error(request, str(error))
            else:
                return _after_save(request, announcement, paging, intent)
        else:
            messages.error(
                request,
                _("Nothing was saved: correct the fields marked in red. Everything you typed is kept."),
            )
    typed = request.method == "POST"
    context = _edit_context(announcement, forms, user=request.user, typed=typed, page=page, paging=paging)
    if request.GET.get("check") == "1" and not typed:
        context["submit_problems"] = _submit_problems(announcement)
    return render(request, "announcements/drafting/edit.html", context)


def _save(request, announcement, forms):
    notice = forms["notice_form"].cleaned_data
    report = forms.get("report_form")
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
        page_changes=forms["formset"].page_changes() if report else None,
    )


def _after_save(request, announcement, paging, intent):
    if intent == "import":
        messages.success(request, _("Your changes have been saved. Now choose the Excel file to import."))
        return redirect("announcements:import_rows", announcement.public_id)
    if intent != "submit":
        messages.success(request, _("Your changes have been saved."))
        return redirect(_edit_url(announcement, paging))
    announcement.refresh_from_db()
    try:
        workflow.apply_action(announcement=announcement, action=Action.SUBMIT, actor=request.user)
    except workflow.ActionRefused:
        messages.warning(
            request,
            _("Your changes have been saved, but the notice cannot be submitted yet: see the reasons below."),
        )
        return redirect(_edit_url(announcement, paging, anchor="#submit-problems", check=1))
    except workflow.WorkflowError as error:
        messages.error(request, error.message)
        return redirect("announcements:detail", announcement.public_id)
    messages.success(request, _("Saved and submitted: the notice now awaits the purchaser's review."))
    return redirect("announcements:detail", announcement.public_id)


def _submit_problems(announcement) -> list[dict]:
    """Every reason 提交 is refused, each with a link to the field or row to fix: the submit
    check's own list (no row, each 无法判断, each shortfall without its reason, the 说明), so the
    page never says "see below" over an empty list. Reads only."""
    report = announcement.report
    refusals = workflow.submit_problems(announcement)
    if report is None:
        return [{"text": p, "url": "#id_body_html"} for p in refusals]
    edit = reverse("announcements:edit", args=[announcement.public_id])
    anchors = {"rows": "#rows-title", "explanation": "#id_report-explanation"}
    problems = []
    structured = report_submit_problems(report=report)
    for problem in structured:
        if problem.field == "explanation":
            text = _("A policy threshold is missed: fill in the explanation (说明) before submitting.")
        else:
            text = str(problem)
        item = {
            "text": text,
            "url": f"{edit}?page={page_of(problem.row_number)}&check=1#row-{problem.row_number}"
            if problem.row_number
            else anchors.get(problem.field, "#preview-title"),
        }
        if problem.details:
            item["details"] = [
                {
                    "text": w.message,
                    "url": f"{edit}?page={page_of(w.row_number)}&check=1#row-{w.row_number}"
                    if w.row_number
                    else "#preview-title",
                }
                for w in problem.details[:WARNINGS_SHOWN]
            ]
            item["more"] = max(0, len(problem.details) - WARNINGS_SHOWN)
        problems.append(item)
    # A refusal of the workflow's own (not of the rows) is listed too, without a link.
    problems.extend({"text": p, "url": "#preview-title"} for p in refusals if p not in structured)
    return problems


def _row_numbers(forms, page) -> list:
    """序号 for each form of the page: stored rows keep theirs; new rows have none yet."""
    formset = forms.get("formset")
    if formset is None:
        return []
    numbers = {row.pk: row.row_number for row in page.rows} if page else {}
    result = []
    for form in formset.forms:
        raw = form.initial.get("id") if not form.is_bound else form.data.get(form.add_prefix("id"), "")
        result.append((form, numbers.get(int(raw)) if str(raw).isdigit() else None))
    return result


def _edit_context(announcement, forms, *, user=None, typed=False, page=None, paging=None):
    """The edit page; after a refused POST the preview shows what was typed, else what is stored."""
    report = announcement.report
    context = {
        "announcement": announcement,
        "attachment_form": AttachmentForm(),
        "rows_page": page,
        "paging": paging,
        "row_forms": _row_numbers(forms, page),
        "can_submit": user is not None
        and any(t.action == Action.SUBMIT for t in workflow.available_actions(announcement, user)),
        "returned": _returned_by(announcement),
        "refiled_from": refiled_revocation(user=user, announcement=announcement) if user else None,
        **forms,
    }
    if report is not None:
        context["data_source"] = DataSource(report.data_source).label
    if typed:
        context.update(_typed_preview(announcement, forms))
    else:
        context["notice_html"] = render_announcement(announcement) if report is None else None
        if report is not None:
            keys = {row.pk: f"rows-{i}" for i, row in enumerate(page.rows)} if page else {}
            rows = stored_rows(report=report)
            for row in rows:
                row.form_key = keys.get(row.pk)
            context.update(_rows_preview(announcement, rows=rows, title=announcement.title, report=report))
    return context


def _returned_by(announcement):
    """The last 退回 of a draft that came back from review: reason, who and when (None otherwise)."""
    if announcement.state != State.DRAFT or not announcement.return_reason:
        return None
    entry = (
        FlowLogEntry.objects.filter(announcement=announcement, action__in=workflow.return_actions())
        .select_related("actor")
        .order_by("-created_at", "-id")
        .first()
    )
    return {"reason": announcement.return_reason, "entry": entry}


def _rows_preview(announcement, *, rows, title, report, invalid=0) -> dict:
    """Totals, warnings (each linked to its row's page) and the notice text of `rows` (all the
    notice's rows, stored or merged with a page's changes); the text shows the first rows only."""
    preview = report_preview(
        rows=rows,
        year=report.year,
        region=report_region(report),
        published_links=published_links_elsewhere(
            report=announcement.report, links={r.contract_url for r in rows if r.contract_url}
        ),
    )
    # The 说明 paragraph follows every row's verdict, not only the rows the text shows.
    context = notice_context(
        report=report,
        title=title,
        notice_date=notice_date(announcement),
        rows=rows[:PREVIEW_ROWS],
        shortfall=any(w.requires_explanation for w in preview.warnings),
    )
    # The text's totals are those of every row, not of the rows shown.
    context.update(
        sme_total=preview.sme_total, small_micro_total=preview.small_micro_total, share=preview.share
    )
    hidden_rows = max(0, len(rows) - PREVIEW_ROWS)
    edit = reverse("announcements:edit", args=[announcement.public_id])
    # 政策提示 on the row itself too: the script moves each note next to the row its form key names.
    row_notes, shortfall_keys = {}, set()
    for w in preview.warnings:
        key = getattr(rows[w.row_number - 1], "form_key", None) if w.row_number else None
        if key:
            row_notes.setdefault(key, []).append(w.message)
            if w.requires_explanation:
                shortfall_keys.add(key)  # the row's 未达标原因 is shown and asked for
    warnings = [
        {
            "message": w.message,
            "url": f"{edit}?page={page_of(w.row_number)}#row-{w.row_number}" if w.row_number else "",
        }
        for w in preview.warnings
    ]
    return {
        **preview.as_context(),
        "warnings": warnings[:WARNINGS_SHOWN],
        # 提交前须填写说明 only while a threshold is missed and the 说明 (typed or stored) is empty.
        "explanation_missing": any(w.requires_explanation for w in preview.warnings)
        and not report.explanation.strip(),
        "warnings_more": max(0, len(warnings) - WARNINGS_SHOWN),
        "row_count": len(rows),
        "row_notes": row_notes,
        "shortfall_keys": shortfall_keys,
        "invalid_rows": invalid,
        "preview_hidden_rows": hidden_rows,
        "notice_html": mark_safe(render_to_string("reservations/notice_text.html", context)),
    }


@drafter_required
@require_POST
def preview(request, public_id):
    """The live preview: totals, warnings and text over the stored rows with this page's typed
    changes applied, without saving anything."""
    announcement = announcement_for_user(
        user=request.user, public_id=public_id, for_edit=True, kinds=DRAFTED_KINDS
    )
    context = _typed_preview(announcement, _bind(announcement, request.POST))
    return render(request, "announcements/drafting/_preview.html", context)


def _typed_preview(announcement, forms) -> dict:
    """Totals, warnings and notice text of what the form holds over the stored rows (valid typed
    rows only); writes nothing."""
    notice_form = forms["notice_form"]
    title = notice_form.data.get("title", "").strip() or announcement.title
    if announcement.kind == Kind.MANUAL:
        body = clean_html(notice_form.data.get("body_html", ""))
        html = render_to_string("announcements/drafting/_manual_preview.html", {"title": title, "body": body})
        return {"notice_html": mark_safe(html)}  # the body is nh3-sanitised, the title autoescaped
    changes, invalid = typed_page(forms["formset"])
    report = copy.copy(announcement.report)  # an unsaved copy carries the typed 主管预算单位 and 说明
    report.competent_unit_name = forms["report_form"].data.get("report-competent_unit_name", "").strip()
    report.explanation = forms["report_form"].data.get("report-explanation", "").strip()
    rows = rows_merged(report=announcement.report, rows=changes["rows"], deleted=changes["deleted"])
    return _rows_preview(announcement, rows=rows, title=title, report=report, invalid=invalid)


@drafter_required
@require_GET
def import_template(request):
    return xlsx_response(excel.template_workbook(), _("Reserved projects import template") + ".xlsx")


@drafter_required
def import_rows(request, public_id):
    """Excel import: the file is stored and imported by a task (announcements.imports); the page
    then shows its progress. A file that is not a workbook is refused here at once."""
    announcement = announcement_for_user(
        user=request.user, public_id=public_id, for_edit=True, kinds=(Kind.SME_RESERVATION,)
    )
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = imports.rows_import_start(
                announcement=announcement,
                user=request.user,
                upload=form.cleaned_data["file"],
                replace=form.cleaned_data["mode"] == "replace",
            )
        except excel.SpreadsheetError as error:
            form.add_error("file", str(error))
        except services.DraftingError as error:
            form.add_error(None, str(error))
        else:
            url = reverse("announcements:import_status", args=[announcement.public_id, job.pk])
            if request.headers.get("X-Requested-With") == "fetch":
                return JsonResponse({"redirect": url})  # the page's script follows it
            return redirect(url)
    return _import_page(request, announcement, form)


def _import_page(request, announcement, form, job=None):
    context = {
        "announcement": announcement,
        "form": form,
        "job": job,
        "row_errors": job.errors if job is not None else [],
        "stored_rows": announcement.report.rows.count(),
    }
    return render(request, "announcements/drafting/import.html", context)


def _import_job(request, public_id, import_id):
    announcement = announcement_for_user(
        user=request.user, public_id=public_id, for_edit=True, kinds=(Kind.SME_RESERVATION,)
    )
    return announcement, get_object_or_404(announcement.rows_imports, pk=import_id)


@drafter_required
@require_GET
def import_status(request, public_id, import_id):
    """An import's page: its progress while it runs, then the edit page (done) or the import
    page with the errors (nothing imported)."""
    announcement, job = _import_job(request, public_id, import_id)
    if job.state == ImportState.DONE:
        messages.success(
            request,
            _("%(count)s rows imported; the notice now has %(total)s rows.")
            % {"count": job.imported, "total": announcement.report.rows.count()},
        )
        return redirect("announcements:edit", announcement.public_id)
    if job.state == ImportState.FAILED:
        return _import_page(
            request, announcement, ImportForm(initial={"mode": "replace" if job.replace else "append"}), job
        )
    context = {"announcement": announcement, "job": job, "status": imports.rows_import_status(job=job)}
    return render(request, "announcements/drafting/import_progress.html", context)


@drafter_required
@require_GET
def import_status_json(request, public_id, import_id):
    """The progress the import page polls (JSON)."""
    _announcement, job = _import_job(request, public_id, import_id)
    response = JsonResponse(imports.rows_import_status(job=job))
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_GET
def export_rows(request, public_id):
    """The rows and totals as .xlsx, for anyone who may open the notice in the console."""
    announcement = announcement_for_user(user=request.user, public_id=public_id)
    if announcement.report is None:
        raise Http404
    content = excel.rows_workbook(
        report=announcement.report, title=announcement.title, exported_on=timezone.localdate()
    )
    return xlsx_response(content, f"{announcement.title}.xlsx")


@drafter_required
@require_POST
def attachment_upload(request, public_id):
    announcement = announcement_for_user(
        user=request.user, public_id=public_id, for_edit=True, kinds=DRAFTED_KINDS
    )
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
    announcement = announcement_for_user(
        user=request.user, public_id=public_id, for_edit=True, kinds=DRAFTED_KINDS
    )
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
    download, which answers only while the notice is published."""
    try:
        announcement = announcement_for_user(user=request.user, public_id=public_id)
    except Http404:
        public = public_attachment_url(public_id, attachment_id)
        if public is None or not announcements_published().filter(public_id=public_id).exists():
            raise
        return redirect(public)
    return attachment_response(announcement=announcement, attachment_id=attachment_id)


@drafter_required
@require_POST
def refile(request, public_id):
    """重新填报: a revoked notice's handler starts the new draft for that year from its content."""
    announcement = announcement_for_user(user=request.user, public_id=public_id, for_edit=True)
    try:
        new = services.announcement_refile(announcement=announcement, user=request.user)
    except services.DraftingError as error:
        messages.error(request, str(error))
        return redirect("announcements:detail", announcement.public_id)
    messages.success(
        request,
        _(
            "A new draft for %(year)s has been created from the revoked notice: its %(rows)s rows, the "
            "explanation and %(files)s attachments were copied. Check it, then submit it again."
        )
        % {"year": new.year, "rows": new.report.rows.count(), "files": new.attachments.count()},
    )
    return redirect("announcements:edit", new.public_id)
