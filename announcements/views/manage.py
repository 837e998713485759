from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django_tables2 import RequestConfig

from .. import links
from ..filters import AnnouncementFilter, returned_first
from ..selectors import announcements_for_user, review_queue
from ..tables import AnnouncementTable

TABS = ("todo", "all")


@login_required
def console_notice_list(request):
    """其他政府采购公告: tabs 我的待办 / 全部, filters, 10 per page."""
    tab = request.GET.get("tab") if request.GET.get("tab") in TABS else "todo"
    base = review_queue(user=request.user) if tab == "todo" else announcements_for_user(user=request.user)
    filterset = AnnouncementFilter(request.GET or None, queryset=base)
    queryset = filterset.qs if filterset.is_bound and filterset.is_valid() else base
    ordered = returned_first(queryset) if tab == "todo" else queryset.order_by("-created_at", "-id")
    table = AnnouncementTable(ordered)
    RequestConfig(request, paginate={"per_page": 10}).configure(table)
    return render(
        request,
        "announcements/list.html",
        {"table": table, "filter": filterset, "tab": tab, "create_url": links.create_url(request.user)},
    )
