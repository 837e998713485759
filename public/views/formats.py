"""The one view of every public format answered per request (public.formats)."""

from django.views.decorators.http import require_safe

from ..http import SharedPage, cache_params


def served(build, kind: str, params=(), *, cached: bool = True):
    """A view answering GET and HEAD with `build(request, **url_kwargs)`; with `cached`, readers
    who share cached pages get it from the page cache under the publication version, keyed by
    the query parameters `params` and the URL's arguments."""

    @require_safe
    def view(request, **kwargs):
        if not cached:
            return build(request, **kwargs)
        key = cache_params(request, params)
        if key is not None and kwargs:
            key = "|".join([key, *map(str, kwargs.values())])
        page = SharedPage(request, kind, key)
        return page.response or page.keep(build(request, **kwargs))

    view.__name__ = view.__qualname__ = getattr(build, "__name__", kind)
    view.__module__ = getattr(build, "__module__", __name__)
    return view
