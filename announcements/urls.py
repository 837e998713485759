from django.urls import include, path

app_name = "announcements"

# Drafting (create, edit rows, import/export, attachments) and review (list, detail, actions)
# keep their routes in their own modules.
urlpatterns = [
    path("", include("announcements.urls_review")),
    path("", include("announcements.urls_drafting")),
    path("", include("announcements.urls_department")),
]
