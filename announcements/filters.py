import django_filters
from django.utils.translation import gettext_lazy as _

from .enums import Kind, State
from .models import Announcement


class AnnouncementFilter(django_filters.FilterSet):
    """公告类型 / 公告标题 always shown; 状态 / 年份 behind 展开."""

    kind = django_filters.ChoiceFilter(label=_("notice type"), choices=Kind.choices, empty_label=_("All"))
    title = django_filters.CharFilter(label=_("notice title"), lookup_expr="icontains", max_length=200)
    state = django_filters.ChoiceFilter(label=_("state"), choices=State.choices, empty_label=_("All"))
    year = django_filters.NumberFilter(label=_("year"))

    class Meta:
        model = Announcement
        fields = ["kind", "title", "state", "year"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.form.fields["title"].widget.attrs["placeholder"] = _("Please enter")
        self.form.fields["year"].widget.attrs.update({"min": 2000, "max": 2100})
