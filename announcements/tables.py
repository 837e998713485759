import django_tables2 as tables
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _

from . import hooks, links, workflow
from .models import Announcement


class AnnouncementTable(tables.Table):
    """其他政府采购公告: one row per notice. The per-row work (actions, deadlines) needs no query:
    the deadlines of the whole page come from one `hooks.filing_deadlines` call."""

    title = tables.Column(verbose_name=_("notice title"), linkify=lambda record: links.detail_url(record))
    kind = tables.Column(verbose_name=_("notice type"))
    time = tables.Column(verbose_name=_("time"), empty_values=(), orderable=False, accessor="published_at")
    state = tables.Column(verbose_name=_("state"))
    actions = tables.Column(verbose_name=_("operation"), empty_values=(), orderable=False)
    caption = _("Notices")

    class Meta:
        model = Announcement
        fields = ("title", "kind", "time", "state", "actions")
        orderable = False
        attrs = {"class": "table notice-table"}
        empty_text = _("No data")

    def _deadlines(self):
        if not hasattr(self, "_deadline_cache"):
            rows = [row.record for row in self.paginated_rows]
            self._deadline_cache = hooks.filing_deadlines({(r.district_id, r.year) for r in rows})
        return self._deadline_cache

    def render_time(self, record):
        return render_to_string(
            "announcements/_row_time.html",
            {
                "published_at": record.published_at,
                "deadline": self._deadlines().get((record.district_id, record.year)),
            },
        )

    def render_state(self, record):
        return render_to_string("announcements/_state.html", {"announcement": record})

    def render_actions(self, record):
        user = self.request.user
        return render_to_string(
            "announcements/_row_actions.html",
            {
                "announcement": record,
                **links.row_links(record, user, workflow.available_actions(record, user)),
            },
            request=self.request,
        )
