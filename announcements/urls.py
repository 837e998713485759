from django.urls import include, path

from .views import guide

app_name = "announcements"

# Drafting (create, edit rows, import/export, attachments) and review (list, detail, actions)
# keep their routes in their own modules.
urlpatterns = [
    path("guide/", guide.guide, name="guide"),
    path("", include("announcements.urls_review")),
    path("", include("announcements.urls_drafting")),
    path("", include("announcements.urls_department")),
    path("", include("announcements.urls_flows")),
]
