"""The public formats, one module each: `json_api` (/api/notices/), `atom` (/notices/feed/),
`ocds` (/api/ocds/…), and the open-data files `csv` and `xlsx` (their columns in `rows`).
The HTML pages are drawn by public.rendering.

To add a format answered per request (say GeoJSON):
1. Add `public/formats/geojson.py` with a function `notices(request, **url_kwargs)` that reads
   through `announcements.selectors.announcements_published()` (or `public.paging`) and returns
   an HttpResponse (`public.http.json_response` writes exact Decimals).
2. Add its URL in public/urls.py:
   `path("api/geojson/", http_cached(served(geojson.notices, "geojson", PAGE_PARAMS)), name="geojson")`.
   `served` (public.views.formats) answers GET and HEAD only and keeps the response in the page
   cache under the publication version, keyed by the query parameters it names and the URL's
   arguments; `http_cached` adds ETag, Last-Modified and Cache-Control.

To add an open-data file format: a module with EXTENSION, CONTENT_TYPE and `write(rows, target)`
(rows from `rows.published_rows`, `target` a binary file), listed in DOWNLOADS below; the bulk
files (public.bulk) and filtered downloads (public.filtered) then build it, and a download view
of two lines in public/views/downloads.py serves it.
"""

from . import csv, xlsx

# The open-data file formats, by file extension.
DOWNLOADS = {module.EXTENSION: module for module in (csv, xlsx)}
