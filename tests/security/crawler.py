"""A small crawler for the abuse tests: with the Django test client it follows the site's own links
as one user, records every response, and collects every form it meets, so the tests cover
whatever pages and forms exist without naming them."""

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from django.urls import Resolver404, resolve

SKIP_PREFIXES = ("/admin/", "/static/", "/media/", "/i18n/", "/__")
# Forms that would end the session or the account under test, not stored-text forms.
SKIP_ACTIONS = re.compile(r"logout|/password|setlang|delete|disable|enable|deactivate|remove|reset", re.I)
TEXT_TYPES = {"text", "search", "textarea", ""}


@dataclass
class FormField:
    name: str
    kind: str  # input type, "textarea" or "select"
    value: str = ""
    checked: bool = False
    options: list[tuple[str, bool]] = field(default_factory=list)  # select: (value, selected)
    multiple: bool = False
    maxlength: int | None = None


@dataclass
class Form:
    page: str
    action: str
    method: str
    enctype: str
    fields: list[FormField] = field(default_factory=list)

    def text_fields(self) -> list[str]:
        return sorted(
            {f.name for f in self.fields if f.kind in TEXT_TYPES and f.name != "csrfmiddlewaretoken"}
        )

    def data(self, overrides: dict | None = None) -> dict:
        """Values a browser would send untouched (plausible ones for empty fields), then `overrides`."""
        data: dict[str, list[str]] = {}
        radios_done = set()
        for f in self.fields:
            if f.kind in {"submit", "button", "image", "reset", "file"}:
                continue
            if f.kind == "checkbox":
                if f.checked:
                    data.setdefault(f.name, []).append(f.value or "on")
            elif f.kind == "radio":
                if f.name in radios_done:
                    continue
                group = [g for g in self.fields if g.kind == "radio" and g.name == f.name]
                chosen = next((g for g in group if g.checked), group[0])
                data[f.name] = [chosen.value]
                radios_done.add(f.name)
            elif f.kind == "select":
                selected = [v for v, s in f.options if s] or [v for v, _ in f.options if v][:1]
                data[f.name] = selected
            else:
                # Browsers drop the newline that follows <textarea>.
                value = f.value[1:] if f.kind == "textarea" and f.value.startswith("\n") else f.value
                # Blank extra rows of a formset stay blank, as a browser sends them.
                data[f.name] = [value or ("" if re.search(r"-\d+-", f.name) else plausible(f))]
        for name, value in (overrides or {}).items():
            data[name] = [value]
        return data


def plausible(f: FormField) -> str:
    name = f.name.lower()
    if f.kind == "email" or "email" in name:
        return "abuse@example.cn"
    if f.kind == "url" or "url" in name or "link" in name:
        return "https://www.zfcg.sh.gov.cn/abuse"
    if f.kind == "number" or any(k in name for k in ("amount", "ratio", "count", "size", "days")):
        return "1"
    if f.kind == "date" or name.endswith(("date", "_from", "_to")):
        return "2025-06-01"
    if f.kind == "datetime-local":
        return ""
    if f.kind == "tel" or "phone" in name or "mobile" in name:
        return "13800138000"
    if f.kind == "password":
        return "Abuse-Test-Pass-2026"
    if "year" in name:
        return "2025"
    return "测试"


class _Parser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: FormField | None = None
        self._textarea: FormField | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: (v or "") for k, v in attrs}
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        elif tag == "form":
            self._form = Form(
                page="",
                action=a.get("action", ""),
                method=(a.get("method") or "get").lower(),
                enctype=a.get("enctype", ""),
            )
            self.forms.append(self._form)
        elif tag == "option" and self._select is not None:
            self._select.options.append((a.get("value", ""), "selected" in a))
        elif self._form is None or not a.get("name"):
            return
        elif tag in ("input", "button"):
            kind = (a.get("type") or ("submit" if tag == "button" else "text")).lower()
            maxlength = int(a["maxlength"]) if a.get("maxlength", "").isdigit() else None
            self._form.fields.append(
                FormField(a["name"], kind, a.get("value", ""), "checked" in a, maxlength=maxlength)
            )
        elif tag == "textarea":
            self._textarea = FormField(a["name"], "textarea")
            self._form.fields.append(self._textarea)
        elif tag == "select":
            self._select = FormField(a["name"], "select", multiple="multiple" in a)
            self._form.fields.append(self._select)

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea.value += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def parse(html: str) -> tuple[list[str], list[Form]]:
    parser = _Parser()
    parser.feed(html)
    return parser.links, parser.forms


def route_of(path: str) -> str | None:
    try:
        match = resolve(path)
    except Resolver404:
        return None
    return match.route or match.view_name


@dataclass
class Page:
    url: str
    status: int
    content_type: str
    body: bytes


def crawl(client, starts, *, max_pages=150, per_route=2, on_page=None):
    """Breadth-first over the site's links from `starts`; returns (pages, forms).

    At most `per_route` URLs per URL pattern (detail pages of many notices are alike)."""
    queue, seen, per = list(starts), set(), {}
    pages: list[Page] = []
    forms: list[Form] = []
    while queue and len(pages) < max_pages:
        url = queue.pop(0)
        parts = urlsplit(url)
        if parts.netloc and parts.netloc not in ("testserver", "127.0.0.1"):
            continue
        path = parts.path
        if url in seen or path.startswith(SKIP_PREFIXES) or SKIP_ACTIONS.search(path):
            continue
        seen.add(url)
        route = route_of(path)
        if route is None:
            continue
        if per.get(route, 0) >= per_route:
            continue
        per[route] = per.get(route, 0) + 1
        response = client.get(url)
        content_type = response.get("Content-Type", "")
        body = b"".join(response.streaming_content) if response.streaming else response.content
        page = Page(url, response.status_code, content_type, body)
        pages.append(page)
        if on_page:
            on_page(page)
        if response.status_code in (301, 302) and response.get("Location"):
            queue.append(urljoin(url, response["Location"]))
        if "text/html" not in content_type or response.status_code != 200:
            continue
        links, page_forms = parse(body.decode("utf-8", "replace"))
        for form in page_forms:
            form.page = url
            form.action = urljoin(url, form.action or url)
            forms.append(form)
        for link in links:
            if link.startswith(("mailto:", "tel:", "javascript:", "#")):
                continue
            queue.append(urljoin(url, link.split("#", 1)[0]))
    return pages, forms


def unique_forms(forms):
    """One form per (action route, method, field names)."""
    out, keys = [], set()
    for form in forms:
        path = urlsplit(form.action).path
        if path.startswith(SKIP_PREFIXES) or SKIP_ACTIONS.search(path):
            continue
        key = (route_of(path), form.method, tuple(sorted(f.name for f in form.fields)))
        if key not in keys:
            keys.add(key)
            out.append(form)
    return out


def refreshed(client, form: Form) -> Form:
    """The same form read again from its page: edit forms carry a version that each save bumps."""
    response = client.get(form.page)
    if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
        return form
    _, forms = parse(response.content.decode("utf-8", "replace"))
    for candidate in forms:
        action = urljoin(form.page, candidate.action or form.page)
        if action == form.action and candidate.method == form.method:
            candidate.page, candidate.action = form.page, action
            return candidate
    return form
