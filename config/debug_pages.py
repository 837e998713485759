"""With DEBUG on (`make run`), a missing page shows the site's own 404 page, as users will see it,
instead of Django's technical page with the list of URL patterns. DEBUG_TECHNICAL_404=1 brings
the technical page back for whoever is debugging the URLs."""

from django.http import Http404

from .views import page_not_found


class SiteNotFoundPageMiddleware:
    """Installed only while DEBUG is on (config/settings.py); production answers with the 404
    handler already."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        # An address that matched no URL pattern: Django answered before any view ran, so no
        # resolver match was recorded. CommonMiddleware still adds the slash afterwards.
        if response.status_code == 404 and request.resolver_match is None:
            return page_not_found(request, Http404())
        return response

    def process_exception(self, request, exception):
        if isinstance(exception, Http404):
            return page_not_found(request, exception)
        return None
