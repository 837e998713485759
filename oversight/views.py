"""Oversight pages. Thin: fetch through a scoped selector (404 for outsiders), bind a form,
call one service, redirect with a message."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_tables2 import RequestConfig

from accounts.gates import gate
from accounts.models import District, Institution
from accounts.services import district_unit_publishing_set, institution_set_competent_unit
from accounts.workbooks import WorkbookRefused, workbook_bytes
from announcements.workflow_flows import steps_summary
from reservations.xlsx import xlsx_response

from . import charts, exports, importers, rules, selectors, services
from .filters import UnitFilter
from .forms import (
    CampaignForm,
    CheckRecordForm,
    CompetentUnitForm,
    ExcuseForm,
    FinalAccountForm,
    FinalAccountImportForm,
    SampleDrawForm,
    StatisticsForm,
    UnitAddForm,
    UnitPublishingForm,
)
from .models import CampaignUnit
from .statistics import COUNT_REVIEWED, statistics_for
from .tables import UnitTable, notice_url

# 财政审核岗 of a finance bureau and 监督检查岗; spot checks only the latter.
oversight_required = gate(rules.can_oversee_filing)
spot_checker_required = gate(rules.can_spot_check)
# Those and a 主管预算单位's handlers and reviewers (its department's 书面报告).
statistics_required = gate(rules.can_view_statistics)


def _form_errors_to(form, exc: ValidationError):
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


@oversight_required
def campaign_list(request):
    user = request.user
    campaigns = selectors.campaigns_for_user(user=user)
    district_id = request.GET.get("district", "")
    if rules.is_supervisor(user) and district_id.isdigit():
        campaigns = campaigns.filter(district_id=district_id)
    campaigns = list(campaigns)
    return render(
        request,
        "oversight/campaign_list.html",
        {
            "summaries": selectors.district_summaries(campaigns),
            "can_create": rules.is_district_finance(user),
            "is_supervisor": rules.is_supervisor(user),
            "districts": District.objects.filter(filing_campaigns__isnull=False).distinct(),
            "district_id": district_id,
            "now": timezone.now(),
        },
    )


@oversight_required
def campaign_create(request):
    user = request.user
    if not rules.is_district_finance(user):
        raise Http404
    form = CampaignForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            campaign = services.campaign_create(
                actor=user,
                year=form.cleaned_data["year"],
                deadline=form.cleaned_deadline(),
                remind_days_before=form.cleaned_data["remind_days_before"],
                report_deadline=form.cleaned_data["report_deadline"],
            )
        except ValidationError as exc:
            if "__all__" in getattr(exc, "error_dict", {}):
                form.add_error("year", _("Your district already has a campaign for this year."))
            else:
                _form_errors_to(form, exc)
        else:
            messages.success(
                request, _("The campaign has been created with every active budget unit of the district.")
            )
            return redirect("oversight:campaign_detail", pk=campaign.pk)
    return render(request, "oversight/campaign_form.html", {"form": form, "campaign": None})


@oversight_required
def campaign_edit(request, pk):
    user = request.user
    campaign = selectors.campaign_for_user(user=user, pk=pk)
    if not rules.can_manage_campaign(user, campaign):
        raise Http404
    form = CampaignForm(request.POST or None, campaign=campaign)
    if request.method == "POST" and form.is_valid():
        services.campaign_update(
            campaign=campaign,
            actor=user,
            deadline=form.cleaned_deadline(),
            remind_days_before=form.cleaned_data["remind_days_before"],
            report_deadline=form.cleaned_data["report_deadline"],
        )
        messages.success(request, _("The campaign has been saved."))
        return redirect("oversight:campaign_detail", pk=campaign.pk)
    return render(request, "oversight/campaign_form.html", {"form": form, "campaign": campaign})


@oversight_required
def campaign_detail(request, pk):
    user = request.user
    campaign = selectors.campaign_for_user(user=user, pk=pk)
    units = selectors.units_for_campaign(user=user, campaign=campaign)
    unit_filter = UnitFilter(request.GET or None, queryset=units, campaign=campaign)
    table = UnitTable(unit_filter.qs)
    RequestConfig(request, paginate={"per_page": 50}).configure(table)
    summaries = selectors.district_summaries([campaign])
    return render(
        request,
        "oversight/campaign_detail.html",
        {
            "campaign": campaign,
            "summary": summaries[0],
            "chart": charts.district_chart(summaries),
            "counts": selectors.status_counts(campaign=campaign),
            "filter": unit_filter,
            "table": table,
            "days_left": selectors.days_left(campaign),
            "past_deadline": timezone.now() > campaign.deadline,
            "can_manage": rules.can_manage_campaign(user, campaign),
            "can_remind": rules.can_remind(user, campaign),
            "reminders": selectors.reminders_for_campaign(campaign=campaign)[:20],
        },
    )


@oversight_required
def campaign_units(request, pk):
    user = request.user
    campaign = selectors.campaign_for_user(user=user, pk=pk)
    if not rules.can_manage_campaign(user, campaign):
        raise Http404
    form = UnitAddForm(request.POST or None, campaign=campaign)
    if request.method == "POST" and form.is_valid():
        try:
            unit = services.campaign_unit_add(
                campaign=campaign, actor=user, institution=form.cleaned_data["institution"]
            )
        except ValidationError as exc:
            _form_errors_to(form, exc)
        else:
            messages.success(
                request, _("%(unit)s has been added to the campaign.") % {"unit": unit.institution}
            )
            return redirect("oversight:campaign_units", pk=campaign.pk)
    units = CampaignUnit.objects.filter(campaign=campaign).select_related("institution", "added_by")
    return render(
        request,
        "oversight/campaign_units.html",
        {"campaign": campaign, "form": form, "units": units, "excuse_form": ExcuseForm()},
    )


@oversight_required
@require_POST
def campaign_unit_excuse(request, pk, unit_pk):
    user = request.user
    campaign = selectors.campaign_for_user(user=user, pk=pk)
    unit = get_object_or_404(
        CampaignUnit.objects.select_related("campaign", "institution"), pk=unit_pk, campaign=campaign
    )
    if not rules.can_manage_campaign(user, campaign):
        raise Http404
    if request.POST.get("action") == "require":
        services.campaign_unit_require(unit=unit, actor=user)
        messages.success(request, _("%(unit)s must file again.") % {"unit": unit.institution})
        return redirect("oversight:campaign_units", pk=campaign.pk)
    form = ExcuseForm(request.POST)
    if form.is_valid():
        services.campaign_unit_excuse(unit=unit, actor=user, reason=form.cleaned_data["reason"])
        messages.success(request, _("%(unit)s has been excused.") % {"unit": unit.institution})
    else:
        messages.error(request, _("Give the reason for excusing this unit."))
    return redirect("oversight:campaign_units", pk=campaign.pk)


@oversight_required
def campaign_remind_preview(request, pk):
    """The units 发送提醒 would reach, for its confirmation dialog (a fragment, fetched on click)."""
    user = request.user
    campaign = selectors.campaign_for_user(user=user, pk=pk)
    if not rules.can_remind(user, campaign):
        raise Http404
    preview = services.reminders_preview(campaign=campaign)
    return render(request, "oversight/_remind_preview.html", preview)


@oversight_required
@require_POST
def campaign_remind(request, pk):
    user = request.user
    campaign = selectors.campaign_for_user(user=user, pk=pk)
    if not rules.can_remind(user, campaign):
        raise Http404
    outcome = services.reminders_send(campaign=campaign, actor=user)
    messages.success(
        request,
        _(
            "Reminders reached %(sent)s units in their inboxes (%(emailed)s of them also by e-mail); "
            "%(already)s had already been reminded today; %(none)s have no procurement handler."
        )
        % {
            "sent": outcome.sent,
            "emailed": outcome.emailed,
            "already": outcome.already_sent,
            "none": outcome.no_recipient,
        },
    )
    return redirect("oversight:campaign_detail", pk=campaign.pk)


@oversight_required
def campaign_export(request, pk):
    user = request.user
    campaign = selectors.campaign_for_user(user=user, pk=pk)
    units = selectors.units_for_campaign(user=user, campaign=campaign).order_by("institution__name")
    content = exports.dashboard_workbook(selectors.district_summaries([campaign]), units)
    return xlsx_response(content, f"campaign-{campaign.district.code}-{campaign.year}.xlsx")


def _compare_scope(request, user):
    campaigns = selectors.campaigns_for_user(user=user)
    years = sorted(set(campaigns.values_list("year", flat=True)), reverse=True)
    year = request.GET.get("year", "")
    year = int(year) if year.isdigit() and int(year) in years else (years[0] if years else None)
    campaigns = campaigns.filter(year=year).order_by("district__code")
    district_id = request.GET.get("district", "")
    if district_id.isdigit():
        campaigns = campaigns.filter(district_id=district_id)
    return list(campaigns), years, year, district_id


@oversight_required
def compare(request):
    user = request.user
    campaigns, years, year, district_id = _compare_scope(request, user)
    summaries = selectors.district_summaries(campaigns)
    sort = request.GET.get("sort", "")
    keys = {
        "filed": lambda s: s.filed_share or 0,
        "share": lambda s: s.small_micro_share or 0,
        "sme": lambda s: s.sme_total,
    }
    if sort.lstrip("-") in keys:
        summaries.sort(key=keys[sort.lstrip("-")], reverse=sort.startswith("-"))
    return render(
        request,
        "oversight/compare.html",
        {
            "summaries": summaries,
            "chart": charts.district_chart(summaries),
            "years": years,
            "year": year,
            "district_id": district_id,
            # Only districts the user may see: a finance reviewer's list names its own.
            "districts": District.objects.filter(
                filing_campaigns__in=selectors.campaigns_for_user(user=user).filter(year=year)
            ).distinct(),
            "sort": sort,
        },
    )


@oversight_required
def compare_export(request):
    user = request.user
    campaigns, _years, year, _district = _compare_scope(request, user)
    units = selectors.annotated_units(CampaignUnit.objects.filter(campaign__in=campaigns)).order_by(
        "campaign__district__code", "institution__name"
    )
    content = exports.dashboard_workbook(selectors.district_summaries(campaigns), units)
    return xlsx_response(content, f"districts-{year}.xlsx")


# Spot checks


@spot_checker_required
def sample_list(request):
    user = request.user
    form = SampleDrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            sample = services.spot_check_sample_draw(
                actor=user,
                year=data["year"],
                district=data["district"],
                size_mode=data["size_mode"],
                size_value=data["size_value"],
                stratified=data["stratified"],
                seed=data["seed"],
            )
        except ValidationError as exc:
            _form_errors_to(form, exc)
        else:
            messages.success(
                request, _("The sample has been drawn with seed %(seed)s.") % {"seed": sample.seed}
            )
            return redirect("oversight:sample_detail", pk=sample.pk)
    return render(
        request,
        "oversight/sample_list.html",
        {"form": form, "samples": selectors.samples_for_user(user=user)},
    )


def _sample_page(request, sample, *, refused=None):
    """The sample's page; `refused` is (item, bound form) of a record that was refused: that row
    keeps what was chosen and typed, with the reason under its field (status 400)."""
    items = list(selectors.sample_items(sample=sample))
    for item in items:
        item.url = notice_url(item.announcement.public_id)
        if refused is not None and refused[0].pk == item.pk:
            item.form = refused[1]
        else:
            item.form = CheckRecordForm(
                initial={"result": item.result, "remarks": item.remarks}, prefix=f"item{item.pk}"
            )
    checked = sum(1 for i in items if i.result)
    context = {
        "sample": sample,
        "items": items,
        "checked": checked,
        "progress": round(checked * 100 / len(items)) if items else 0,
        "verified": services.spot_check_sample_verify(sample=sample),
        "refused_item": refused[0] if refused is not None else None,
    }
    return render(request, "oversight/sample_detail.html", context, status=400 if refused else 200)


@spot_checker_required
def sample_detail(request, pk):
    return _sample_page(request, selectors.sample_for_user(user=request.user, pk=pk))


@spot_checker_required
@require_POST
def sample_item_record(request, pk, item_pk):
    """Record one sampled notice's check. A refusal shows the page again with the reason next to
    that row and the chosen 结果 and 备注 kept."""
    user = request.user
    sample = selectors.sample_for_user(user=user, pk=pk)
    item = get_object_or_404(sample.items.select_related("announcement"), pk=item_pk)
    form = CheckRecordForm(request.POST, prefix=f"item{item.pk}")
    if form.is_valid():
        try:
            services.spot_check_item_record(
                item=item,
                actor=user,
                result=form.cleaned_data["result"],
                remarks=form.cleaned_data["remarks"],
            )
        except ValidationError as exc:
            _form_errors_to(form, exc)
        else:
            messages.success(
                request, _("The check of %(title)s has been recorded.") % {"title": item.announcement.title}
            )
            return redirect(f"{reverse('oversight:sample_detail', args=[sample.pk])}#item-{item.pk}")
    return _sample_page(request, sample, refused=(item, form))


@spot_checker_required
def sample_export(request, pk):
    user = request.user
    sample = selectors.sample_for_user(user=user, pk=pk)
    items = selectors.sample_items(sample=sample).prefetch_related("announcement__report__rows")
    return xlsx_response(exports.sample_workbook(sample, items), f"spot-check-{sample.year}-{sample.pk}.xlsx")


# Upward statistics


def _statistics(request, params=None):
    """(form, figures, the user's department or None, its units not reported or None) for the
    query `params` (the GET filters unless given)."""
    user = request.user
    params = request.GET if params is None else params
    form = StatisticsForm(params or None, user=user)
    data = form.cleaned_data if form.is_valid() else form.defaults()
    stats = statistics_for(
        user=user,
        year=data["year"],
        counting=data.get("counting") or COUNT_REVIEWED,
        district_id=getattr(data.get("district"), "pk", None),
        department_id=getattr(data.get("department"), "pk", None),
        category=data.get("category") or "",
        option=data.get("option") or "",
    )
    department = rules.reporting_department(user)
    not_filed = (
        selectors.department_not_filed(department=department, year=stats.year, counting=stats.counting)
        if department is not None
        else None
    )
    return form, stats, department, not_filed


@statistics_required
def statistics(request):
    """上报统计: per year, totals by district, department (or, for a 主管预算单位, by unit), 项目属性
    and 预留选项, and the rows with a shortfall verdict grouped by the rule they miss, with their
    说明 and reasons; the same figures as the xlsx report. A 主管预算单位 submits its report here;
    a finance bureau sees which departments have."""
    user = request.user
    form, stats, department, not_filed = _statistics(request)
    context = {
        "form": form,
        "stats": stats,
        "query": request.GET.urlencode(),
        "department": department,
        "not_filed": not_filed,
    }
    district_id = department.district_id if department else getattr(user.institution, "district_id", None)
    context["report_deadline"] = (
        selectors.report_deadline(district_id=district_id, year=stats.year) if district_id else None
    )
    if department is not None:
        context["submissions"] = selectors.department_submissions(department=department, year=stats.year)
    context["department_reports"] = selectors.department_reports_for_user(user=user, year=stats.year)
    return render(request, "oversight/statistics.html", context)


@statistics_required
def statistics_export(request):
    """面向中小企业预留份额和采购情况报告 as xlsx, for the page's filters; a 主管预算单位's names its
    department as 报告单位 and its units not reported."""
    _form, stats, department, not_filed = _statistics(request)
    reporting_unit = (department or request.user.institution).name
    content = exports.statistics_workbook(stats, reporting_unit=reporting_unit, not_filed=not_filed)
    return xlsx_response(
        content,
        _("%(unit)s %(year)s report on the SME reserved share.xlsx")
        % {
            "unit": reporting_unit,
            "year": stats.year,
        },
    )


@statistics_required
@require_POST
def department_report_submit(request):
    """Submit the department's 书面报告 of the chosen year to the finance bureau (POST only)."""
    if rules.reporting_department(request.user) is None:
        raise Http404
    _form, stats, department, _not_filed = _statistics(request, request.POST)
    submission = services.department_report_submit(
        actor=request.user, year=stats.year, counting=stats.counting
    )
    messages.success(
        request,
        _("The %(year)s written report of %(unit)s has been submitted to the finance bureau.")
        % {"year": submission.year, "unit": department.name},
    )
    return redirect(f"{reverse('oversight:statistics')}?year={stats.year}&counting={stats.counting}")


@gate(rules.is_district_finance)
def district_setting(request):
    """The district's settings (its finance bureau only): whether subordinate units publish their
    own notices or file to their department only; and each unit's 主管预算单位."""
    district = request.user.institution.district
    form = UnitPublishingForm(
        request.POST if "unit_publishing" in request.POST else None,
        initial={"unit_publishing": district.unit_publishing},
    )
    unit_form = CompetentUnitForm(request.POST if "unit" in request.POST else None, district=district)
    if form.is_bound and form.is_valid():
        district_unit_publishing_set(
            district=district, unit_publishing=form.cleaned_data["unit_publishing"], actor=request.user
        )
        messages.success(request, _("Saved."))
        return redirect("oversight:district_setting")
    if unit_form.is_bound and unit_form.is_valid():
        try:
            institution_set_competent_unit(
                institution=unit_form.cleaned_data["unit"],
                competent_unit=unit_form.cleaned_data["competent_unit"],
                actor=request.user,
            )
        except ValidationError as exc:
            _form_errors_to(unit_form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("oversight:district_setting")
    departments = Institution.objects.filter(district=district, subordinate_units__isnull=False).distinct()
    context = {
        "form": form,
        "unit_form": unit_form,
        "district": district,
        "departments": departments.prefetch_related("subordinate_units").order_by("name"),
        # The finance bureau's review steps (流程管理 edits them).
        "finance_steps": steps_summary(district=district),
    }
    return render(request, "oversight/district_setting.html", context)


# The 部门决算 check


def _final_accounts_page(request, *, year, form=None, import_form=None, problems=(), status=200):
    user = request.user
    district_id = user.institution.district_id
    checks = selectors.final_account_checks(accounts=selectors.final_accounts_for_user(user=user, year=year))
    context = {
        "year": year,
        "checks": checks,
        "disagreeing": sum(1 for c in checks if c.disagrees),
        "tolerance": settings.FINAL_ACCOUNTS_TOLERANCE_PERCENT,
        "form": form or FinalAccountForm(initial={"year": year}, district_id=district_id),
        "import_form": import_form or FinalAccountImportForm(initial={"year": year}),
        "problems": problems,
    }
    return render(request, "oversight/final_accounts.html", context, status=status)


@gate(rules.is_district_finance)
def final_accounts(request):
    """部门决算 check: the finance bureau types or imports each unit's 决算 figures of a year and
    sees where the published notice disagrees beyond the tolerance."""
    user = request.user
    year_text = request.POST.get("year") or request.GET.get("year", "")
    year = int(year_text) if year_text.isdigit() else timezone.localdate().year - 1
    if request.method != "POST":
        return _final_accounts_page(request, year=year)
    if "file" in request.FILES:
        import_form = FinalAccountImportForm(request.POST, request.FILES)
        if not import_form.is_valid():
            return _final_accounts_page(request, year=year, import_form=import_form, status=400)
        try:
            content = workbook_bytes(import_form.cleaned_data["file"])
            saved, problems = importers.final_accounts_import(
                actor=user, year=import_form.cleaned_data["year"], content=content
            )
        except WorkbookRefused as exc:
            import_form.add_error("file", str(exc))
            return _final_accounts_page(request, year=year, import_form=import_form, status=400)
        except Exception:  # openpyxl's many errors for a damaged file
            import_form.add_error("file", _("The file is damaged or is not a valid Excel file."))
            return _final_accounts_page(request, year=year, import_form=import_form, status=400)
        if problems:
            return _final_accounts_page(
                request, year=year, import_form=import_form, problems=problems, status=400
            )
        messages.success(
            request, _("%(count)s units' final account figures were imported.") % {"count": saved}
        )
        return redirect(f"{reverse('oversight:final_accounts')}?year={year}")
    form = FinalAccountForm(request.POST, district_id=user.institution.district_id)
    if not form.is_valid():
        return _final_accounts_page(request, year=year, form=form, status=400)
    data = form.cleaned_data
    services.final_account_set(
        actor=user,
        institution=data["unit"],
        year=data["year"],
        procurement_total=data["procurement_total"],
        sme_contract_total=data["sme_contract_total"],
    )
    messages.success(request, _("The final account figures of %(unit)s were saved.") % {"unit": data["unit"]})
    return redirect(f"{reverse('oversight:final_accounts')}?year={data['year']}")
