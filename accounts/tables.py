"""The staff list of 员工管理 (附件1 1.3): one row per account, with the seed's columns."""

import django_tables2 as tables
from django.core.paginator import EmptyPage, PageNotAnInteger
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .enums import POSITION_GROUP_NAMES, Position
from .models import User

PAGE_SIZES = (10, 20, 50)
# Stored group names → the position's label, so the list speaks the page's language.
_POSITION_LABELS = {name: Position(p).label for p, name in POSITION_GROUP_NAMES.items()}
_POSITION_ORDER = list(POSITION_GROUP_NAMES.values())


class StaffTable(tables.Table):
    caption = _("Staff")
    select = tables.CheckBoxColumn(
        accessor="pk",
        attrs={
            "th__input": {"class": "select-all", "aria-label": _("Select all on this page")},
            "td__input": {
                "class": "select-row",
                "aria-label": lambda record: record.full_name or record.username,
            },
        },
    )
    info = tables.TemplateColumn(
        template_name="accounts/staff_cell_info.html",
        verbose_name=_("Basic information"),
        accessor="full_name",
        order_by=("full_name", "username"),
    )
    username = tables.Column(verbose_name=_("Account"))
    department = tables.TemplateColumn(
        template_name="accounts/staff_cell_department.html", verbose_name=_("Department / title")
    )
    positions = tables.Column(verbose_name=_("Positions"), empty_values=(), orderable=False)
    is_active = tables.Column(verbose_name=_("Account status"))
    actions = tables.TemplateColumn(
        template_name="accounts/staff_cell_actions.html",
        verbose_name=pgettext_lazy("staff list", "Operations"),
        orderable=False,
    )

    class Meta:
        model = User
        fields = ()
        sequence = ("select", "info", "username", "department", "positions", "is_active", "actions")
        empty_text = _("No staff match.")
        template_name = "accounts/staff_table.html"

    def render_positions(self, record):
        names = sorted(
            (g.name for g in record.groups.all() if g.name in _POSITION_LABELS), key=_POSITION_ORDER.index
        )
        if not names:
            return "-"
        return format_html_join(" ", '<span class="tag">{}</span>', ((_POSITION_LABELS[n],) for n in names))

    def render_is_active(self, value):
        if value:
            return format_html(
                '<span class="status status-enabled">{}</span>', pgettext_lazy("account", "Enabled")
            )
        return format_html(
            '<span class="status status-disabled">{}</span>', pgettext_lazy("account", "Disabled")
        )


def paginate_staff_table(table: StaffTable, request) -> None:
    """Pages of 10, 20 or 50 rows (the seed's "10 条/页"); anything else falls back to 10."""
    try:
        per_page = int(request.GET.get("per_page", PAGE_SIZES[0]))
    except ValueError:
        per_page = PAGE_SIZES[0]
    if per_page not in PAGE_SIZES:
        per_page = PAGE_SIZES[0]
    try:
        table.paginate(page=request.GET.get("page", 1), per_page=per_page)
    except PageNotAnInteger:
        table.paginate(page=1, per_page=per_page)
    except EmptyPage:
        table.paginate(page=table.paginator.num_pages, per_page=per_page)
    table.page_sizes = PAGE_SIZES
