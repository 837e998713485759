import django_filters
from django.db.models import Case, Q, When
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .enums import Kind, State
from .models import Announcement

RETURNED = "returned"
# 已退回 is a draft that came back from review (a return reason is set until the next submit).
STATE_CHOICES = [
    (State.DRAFT.value, State.DRAFT.label),
    (RETURNED, pgettext_lazy("state", "Returned")),
    *[(value, label) for value, label in State.choices if value != State.DRAFT],
]


class AnnouncementFilter(django_filters.FilterSet):
    """公告类型 / 公告标题 always shown; 状态 / 年份 behind 展开."""

    kind = django_filters.ChoiceFilter(label=_("notice type"), choices=Kind.choices, empty_label=_("All"))
    title = django_filters.CharFilter(label=_("notice title"), lookup_expr="icontains", max_length=200)
    state = django_filters.ChoiceFilter(
        label=_("state"), choices=STATE_CHOICES, empty_label=_("All"), method="filter_state"
    )
    year = django_filters.NumberFilter(label=_("year"))

    class Meta:
        model = Announcement
        fields = ["kind", "title", "state", "year"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.form.fields["title"].widget.attrs["placeholder"] = _("Please enter")
        self.form.fields["year"].widget.attrs.update({"min": 2000, "max": 2100})

    def filter_state(self, queryset, name, value):
        if value == RETURNED:
            return queryset.filter(state=State.DRAFT).exclude(return_reason="")
        if value == State.DRAFT:
            return queryset.filter(state=State.DRAFT, return_reason="")
        return queryset.filter(state=value)


def returned_first(queryset):
    """我的待办: drafts that came back from review first, then the newest."""
    return queryset.annotate(
        returned=Case(When(Q(state=State.DRAFT) & ~Q(return_reason=""), then=0), default=1)
    ).order_by("returned", "-created_at", "-id")
