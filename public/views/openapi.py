"""/api/openapi.json: the API's own description (public/openapi.py)."""

from django.views.decorators.http import require_safe

from ..http import json_response
from ..openapi import openapi_document


@require_safe
def openapi_json(request):
    return json_response(openapi_document(), content_type="application/vnd.oai.openapi+json")
