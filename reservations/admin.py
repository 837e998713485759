from django.contrib import admin

from .models import PolicyRule


@admin.register(PolicyRule)
class PolicyRuleAdmin(admin.ModelAdmin):
    """The policy rules table: regional variants are added here, each with its cited source."""

    list_display = ("code", "region_name", "region_code", "kind", "minimum", "budget_above", "budget_up_to",
                    "valid_from", "valid_to", "source", "active")  # fmt: skip
    list_filter = ("region_name", "kind", "active")
    search_fields = ("code", "source", "region_name")

    def changelist_view(self, request, extra_context=None):
        from .rules import region_rules_note

        # Which rules the default region (Shanghai) runs on, above the list.
        extra_context = {**(extra_context or {}), "subtitle": region_rules_note()}
        return super().changelist_view(request, extra_context=extra_context)
