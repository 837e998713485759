from django.urls import re_path

from .views import actions, detail, manage

# Mounted at /console/notices/ (app namespace "announcements"). Public ids are 32 hex digits,
# so these patterns never swallow the drafting pages' fixed paths next to them.
ID = r"(?P<public_id>[0-9a-f]{32})"

urlpatterns = [
    re_path(r"^$", manage.console_notice_list, name="list"),
    re_path(rf"^{ID}/$", detail.console_notice_detail, name="detail"),
    re_path(rf"^{ID}/log/$", detail.flow_log, name="flow_log"),
    re_path(rf"^{ID}/action/(?P<action>[a-z_]+)/$", actions.take_action, name="action"),
]
