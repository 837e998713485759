"""The workbench (工作台) beside the home page: 消息通知 (the inbox), 预警 and 登录记录.

Every page is the signed-in user's own: the selectors read only the user's rows, and a message
of someone else is not found (404).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import alerts, inbox, signin
from ..models import Message


@login_required
def inbox_list(request):
    unread_only = request.GET.get("tab") == "unread"
    qs = inbox.messages_for_user(user=request.user)
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    page = Paginator(qs, 20).get_page(request.GET.get("page"))
    return render(request, "accounts/inbox.html", {"page": page, "unread_only": unread_only})


@login_required
def message_open(request, pk):
    """Open a message: it becomes read, and the user goes on to what it is about."""
    try:
        message = inbox.message_mark_read(user=request.user, pk=pk)
    except Message.DoesNotExist:
        raise Http404 from None
    if message.link and url_has_allowed_host_and_scheme(message.link, allowed_hosts=None):
        return redirect(message.link)
    return redirect("accounts:inbox")


@login_required
@require_POST
def inbox_mark_all_read(request):
    count = inbox.messages_mark_all_read(user=request.user)
    messages.success(request, _("%(count)s messages marked as read.") % {"count": count})
    return redirect("accounts:inbox")


@login_required
def alert_list(request):
    return render(request, "accounts/alerts.html", {"alerts": alerts.alerts_for(request.user)})


@login_required
def sign_in_list(request):
    records = signin.sign_ins_for_user(user=request.user)
    return render(request, "accounts/sign_ins.html", {"records": records})
