from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from .models import Department, District, Institution, InstitutionChange, StaffChange, User


@admin.register(District)
class DistrictAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "unit_publishing"]
    search_fields = ["code", "name"]


@admin.register(Institution)
class InstitutionAdmin(admin.ModelAdmin):
    list_display = ["name", "district", "kind", "competent_unit", "credit_code", "is_active", "is_test"]
    list_filter = ["kind", "district", "is_active", "is_test"]
    search_fields = ["name", "credit_code"]
    autocomplete_fields = ["competent_unit"]


@admin.register(User)
class StaffAdmin(UserAdmin):
    list_display = ["username", "full_name", "institution", "is_active", "is_deleted", "is_superuser"]
    list_filter = ["is_active", "is_deleted", "is_superuser", "groups"]
    search_fields = ["username", "full_name", "phone"]
    autocomplete_fields = ["institution"]
    fieldsets = UserAdmin.fieldsets + (
        (
            None,
            {
                "fields": (
                    "full_name",
                    "phone",
                    "institution",
                    "department",
                    "title",
                    "phone_verified",
                    "must_change_password",
                    "is_deleted",
                )
            },
        ),
    )


@admin.register(StaffChange)
class StaffChangeAdmin(admin.ModelAdmin):
    list_display = ["created_at", "staff", "actor", "action", "detail"]
    list_filter = ["action"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["name", "institution", "sort_order", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name", "institution__name"]
    autocomplete_fields = ["institution"]


@admin.register(InstitutionChange)
class InstitutionChangeAdmin(admin.ModelAdmin):
    """Read-only: the history of 机构信息 as its admins changed it."""

    list_display = ["created_at", "institution", "field", "old_value", "new_value", "actor"]
    search_fields = ["institution__name", "old_value", "new_value"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
