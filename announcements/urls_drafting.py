from django.urls import path, re_path

from .views import drafting

# Mounted at /console/notices/ (namespace "announcements"); public ids are 32 hex digits.
ID = r"(?P<public_id>[0-9a-f]{32})"

urlpatterns = [
    path("new/", drafting.create_choice, name="create"),
    path("new/sme/", drafting.create_sme, name="create_sme"),
    path("new/manual/", drafting.create_manual, name="create_manual"),
    path("import-template.xlsx", drafting.import_template, name="import_template"),
    re_path(rf"^{ID}/edit/$", drafting.edit, name="edit"),
    re_path(rf"^{ID}/preview/$", drafting.preview, name="preview"),
    re_path(rf"^{ID}/import/$", drafting.import_rows, name="import_rows"),
    re_path(rf"^{ID}/import/(?P<import_id>[0-9]+)/$", drafting.import_status, name="import_status"),
    re_path(
        rf"^{ID}/import/(?P<import_id>[0-9]+)/status\.json$",
        drafting.import_status_json,
        name="import_status_json",
    ),
    re_path(rf"^{ID}/refile/$", drafting.refile, name="refile"),
    re_path(rf"^{ID}/export\.xlsx$", drafting.export_rows, name="export_rows"),
    re_path(rf"^{ID}/attachments/$", drafting.attachment_upload, name="attachment_upload"),
    re_path(
        rf"^{ID}/attachments/(?P<attachment_id>[0-9]+)/$",
        drafting.attachment_download,
        name="attachment_download",
    ),
    re_path(
        rf"^{ID}/attachments/(?P<attachment_id>[0-9]+)/delete/$",
        drafting.attachment_delete,
        name="attachment_delete",
    ),
]
