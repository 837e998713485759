import django_filters
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .enums import UnitStatus


class UnitFilter(django_filters.FilterSet):
    """Filters of the campaign dashboard; `status` is the annotation made by the selector."""

    q = django_filters.CharFilter(
        label=_("Budget unit"), field_name="institution__name", lookup_expr="icontains", max_length=200
    )
    status = django_filters.ChoiceFilter(label=_("Status"), choices=UnitStatus.choices, empty_label=_("All"))
    listing = django_filters.ChoiceFilter(
        label=_("Listing"),
        choices=[("required", _("Must file")), ("excused", _("Excused")), ("overdue", _("Overdue"))],
        empty_label=_("All"),
        method="filter_listing",
    )

    def __init__(self, *args, campaign, **kwargs):
        self.campaign = campaign
        super().__init__(*args, **kwargs)

    def filter_listing(self, queryset, name, value):
        if value == "required":
            return queryset.filter(required=True)
        if value == "excused":
            return queryset.filter(required=False)
        if value == "overdue":
            # Overdue: the deadline has passed and the unit has not published.
            if timezone.now() <= self.campaign.deadline:
                return queryset.none()
            return queryset.filter(required=True).exclude(status=UnitStatus.PUBLISHED)
        return queryset
