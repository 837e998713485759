from django.contrib import admin

from .models import PolicyRule


@admin.register(PolicyRule)
class PolicyRuleAdmin(admin.ModelAdmin):
    """The policy rules table: regional variants are added here, each with its cited source."""

    list_display = ("code", "region_name", "kind", "minimum", "budget_above", "budget_up_to",
                    "valid_from", "valid_to", "source", "active")  # fmt: skip
    list_filter = ("region_name", "kind", "active")
    search_fields = ("code", "source", "region_name")
