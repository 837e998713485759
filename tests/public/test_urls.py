"""Every public URL, by name: the same path and the same kind of answer as before the public site
moved into its own app (a renamed route or a lost one fails here)."""

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from announcements.enums import State
from announcements.models import Attachment

from .conftest import make_notice

pytestmark = pytest.mark.django_db


def public_names() -> set[str]:
    from public import urls

    return {f"public:{pattern.name}" for pattern in urls.urlpatterns}


def walk(notice, attachment, revoked):
    """(name, args, kwargs, path, status, content type) of every public route."""
    pid = notice.public_id
    return [
        ("home", [], {}, "/", 200, "text/html"),
        ("list", [], {}, "/notices/", 200, "text/html"),
        ("feed", [], {}, "/notices/feed/", 200, "application/atom+xml"),
        ("download_csv", [], {}, "/notices/download/rows.csv", 200, "text/csv"),
        ("download_xlsx", [], {}, "/notices/download/rows.xlsx", 200, "application/vnd.openxmlformats"),
        ("detail", [pid], {}, f"/notices/{pid}/", 200, "text/html"),
        ("detail", [revoked.public_id], {}, f"/notices/{revoked.public_id}/", 410, "text/html"),
        ("qr", [pid], {}, f"/notices/{pid}/qr.svg", 200, "image/svg+xml"),
        # No seal configured in the tests: the page that waits for the sealed PDF.
        ("sealed_pdf", [pid], {}, f"/notices/{pid}/sealed.pdf", 202, "text/html"),
        ("seal_verify", [], {}, "/notices/verify-seal/", 200, "text/html"),
        ("api_seal_verify", [], {}, "/notices/verify-seal/result.json", 405, "text/html"),
        (
            "attachment",
            [pid, attachment.pk],
            {},
            f"/notices/{pid}/attachments/{attachment.pk}/",
            200,
            "application/pdf",
        ),
        ("openapi", [], {}, "/api/openapi.json", 200, "application/vnd.oai.openapi+json"),
        ("api_list", [], {}, "/api/notices/", 200, "application/json"),
        ("api_detail", [pid], {}, f"/api/notices/{pid}/", 200, "application/json"),
        (
            "api_detail",
            [revoked.public_id],
            {},
            f"/api/notices/{revoked.public_id}/",
            410,
            "application/json",
        ),
        ("ocds_releases", [], {}, "/api/ocds/releases/", 200, "application/json"),
        ("ocds_extension", [], {}, "/api/ocds/extension.json", 200, "application/json"),
        ("ocds_extension_schema", [], {}, "/api/ocds/release-schema.json", 200, "application/json"),
        ("sitemap", [], {}, "/sitemap.xml", 200, "application/xml"),
        ("sitemap_section", [], {"section": "notices"}, "/sitemap-notices.xml", 200, "application/xml"),
        ("robots", [], {}, "/robots.txt", 200, "text/plain"),
    ]


def test_every_public_url_answers_as_before(client):
    notice = make_notice()
    revoked = make_notice(state=State.REVOKED)
    attachment = Attachment.objects.create(
        announcement=notice,
        file=ContentFile(b"%PDF-1.4", name="x.pdf"),
        original_name="说明.pdf",
        size=8,
        content_type="application/pdf",
    )
    routes = walk(notice, attachment, revoked)

    answers = []
    for name, args, kwargs, path, _status, content_type in routes:
        assert reverse(f"public:{name}", args=args, kwargs=kwargs) == path
        response = client.get(path)
        answers.append(
            (path, response.status_code, response["Content-Type"].split(";")[0].startswith(content_type))
        )

    assert answers == [(path, status, True) for _, _, _, path, status, _ in routes]
    walked = {name for name, *_ in routes}
    assert public_names() == {f"public:{n}" for n in walked}
