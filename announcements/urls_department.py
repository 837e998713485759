from django.urls import path, re_path

from .views import department

# Mounted at /console/notices/ (namespace "announcements").
ID = r"(?P<public_id>[0-9a-f]{32})"

urlpatterns = [
    path("new/department/", department.department_create, name="department_create"),
    re_path(rf"^{ID}/department/$", department.department_page, name="department"),
    re_path(rf"^{ID}/department/recompile/$", department.department_recompile, name="department_recompile"),
]
