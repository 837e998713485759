"""The sealed notice: its signed PDF, and the verification page and API that say whether a PDF's
seal is valid, who sealed it, when, and whether its content is the published notice's."""

from django.core.files.storage import default_storage
from django.http import FileResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from .. import rendering
from ..forms_seals import SealedPdfForm
from ..http import site_url
from ..sealing import sealed_pdf_name, sealed_pdf_verify

SEAL_PENDING_REFRESH_SECONDS = 5


@require_safe
def sealed_pdf(request, public_id):
    """下载签章版（PDF）: the file sealed at this publication; a page that reloads itself while
    the task is still making it; 410 for a revoked notice (its PDF is kept unaltered)."""
    content = rendering.detail_content(public_id)
    if content is None:
        return rendering.revoked_page(request, public_id)
    name = sealed_pdf_name(content)
    if name is None:
        return render(
            request,
            "public/sealed_pending.html",
            {"notice": content, "refresh": SEAL_PENDING_REFRESH_SECONDS},
            status=202,
        )
    return FileResponse(
        default_storage.open(name, "rb"),
        content_type="application/pdf",
        as_attachment=True,
        filename=f"{content['title']}（签章版）.pdf",
    )


def _verdict_json(verdict) -> dict:
    check = verdict.check
    notice = None
    if verdict.public_id:
        notice = {"public_id": verdict.public_id, "title": verdict.notice_title, "revoked": verdict.revoked}
        if verdict.notice_title and not verdict.revoked:
            notice["url"] = site_url(reverse("public:detail", args=[verdict.public_id]))
    return {
        "signed": check.signed,
        "valid": check.valid,
        "intact": check.intact,
        "trusted": check.trusted,
        "signer": check.signer,
        "signed_at": check.signed_at.isoformat() if check.signed_at else None,
        "notice": notice,
        "content_matches": verdict.matches,
    }


@require_http_methods(["GET", "POST"])
def seal_verify(request):
    """验证签章: upload a PDF, read the verdict."""
    form = SealedPdfForm(request.POST or None, request.FILES or None)
    verdict = None
    if request.method == "POST" and form.is_valid():
        verdict = sealed_pdf_verify(data=form.cleaned_data["file"])
    return render(request, "public/seal_verify.html", {"form": form, "verdict": verdict})


@csrf_exempt  # an answer about a file, never a change: no session, nothing to forge
@require_POST
def api_seal_verify(request):
    """POST a PDF (the body, or a multipart field `file`): the verdict as JSON."""
    form = SealedPdfForm(request.POST, request.FILES) if request.FILES else None
    if form is not None:
        if not form.is_valid():
            return JsonResponse({"errors": form.errors.get_json_data()}, status=400)
        data = form.cleaned_data["file"]
    else:
        data = request.body
        if not data or len(data) > SealedPdfForm.MAX_BYTES:
            return JsonResponse({"errors": {"file": [{"message": "a PDF of at most 20 MB"}]}}, status=400)
    return JsonResponse(
        _verdict_json(sealed_pdf_verify(data=data)), json_dumps_params={"ensure_ascii": False}
    )
