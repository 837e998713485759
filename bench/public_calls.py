"""Python function calls and SQL queries per public request, measured in one process.

Wall time on a shared machine says more about the other processes than about the page; the
number of Python function calls (cProfile) and of SQL queries does not change with the load.
Each page is requested through the WSGI handler with the whole middleware stack, as gunicorn
would, by an anonymous reader without cookies (a `wrk-bench` User-Agent, like the benchmark),
with the page cache off unless PUBLIC_CACHE_SECONDS says otherwise.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sme_bench CACHE_URL=redis://127.0.0.1:6379/9 \
        .venv/bin/python bench/public_calls.py [--repeat 20] [--profile detail]

Read-only on the database (the view count goes to Redis when CACHE_URL is Redis; without Redis a
bot's view is not counted, so nothing is written either way).
"""

import argparse
import cProfile
import io
import os
import pstats
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")  # with /bench/trivial/
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("PUBLIC_CACHE_SECONDS", "0")
os.environ.setdefault("PUBLIC_SEARCHES_PER_MINUTE", "0")  # its repeated searches come from one address
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1")
os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-not-for-production-0123456789")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("SECURE_HSTS_SECONDS", "0")
os.environ.setdefault("LOG_LEVEL", "WARNING")
os.environ.setdefault("STATIC_ROOT", str(ROOT / "var" / "bench-static"))


def environ_for(path: str) -> dict:
    from io import BytesIO

    path, _, query = path.partition("?")
    return {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "80",
        "HTTP_HOST": "127.0.0.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_USER_AGENT": "wrk-bench",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.url_scheme": "http",
        "wsgi.input": BytesIO(b""),
        "wsgi.errors": sys.stderr,
        "wsgi.version": (1, 0),
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--profile", help="print the top functions of this page (by name)")
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command

    if not (Path(os.environ["STATIC_ROOT"]) / "staticfiles.json").exists():
        call_command("collectstatic", "--noinput", verbosity=0)
    from urllib.parse import quote

    from django.core.wsgi import get_wsgi_application
    from django.db import connection

    from announcements.selectors import announcements_published
    from public.paging import encode_cursor

    application = get_wsgi_application()
    published = announcements_published()
    public_id = published.order_by("-published_at").values_list("public_id", flat=True)[7]
    before_50 = published.order_by("-published_at", "-id")[49 * 20 - 1]
    pages = [
        ("trivial", "/bench/trivial/"),
        ("list", "/notices/"),
        ("list p. 50", f"/notices/?page=50&after={encode_cursor(before_50)}"),
        ("search", "/notices/?q=" + quote(os.environ.get("BENCH_FREQUENT2", "维保"))),
        # A URL never asked before in the process (trailing spaces: the same words, a new URL).
        ("search new", lambda n: "/notices/?q=" + quote(os.environ.get("BENCH_FREQUENT2", "维保") + " " * n)),
        ("detail", f"/notices/{public_id}/"),
        ("API page", "/api/notices/"),
        ("feed", "/notices/feed/"),
    ]
    queries = []

    def count_queries(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    def get(path):
        status = []
        body = application(environ_for(path), lambda s, h, exc_info=None: status.append(s))
        content = b"".join(body)
        if hasattr(body, "close"):
            body.close()
        assert status[0].startswith("200"), (path, status[0])
        return content

    print(f"{'page':<10} {'calls/request':>14} {'SQL/request':>12} {'bytes':>8}  vs trivial")
    trivial = None
    for name, path in pages:
        paths = path if callable(path) else lambda n, path=path: path
        for n in range(3):  # per-process caches filled, connection open
            get(paths(n + 1))
        profile = cProfile.Profile()
        queries.clear()
        with connection.execute_wrapper(count_queries):
            profile.enable()
            for n in range(args.repeat):
                size = len(get(paths(n + 4)))
            profile.disable()
        stats = pstats.Stats(profile)
        calls = stats.total_calls / args.repeat
        trivial = trivial or calls
        ratio = calls / trivial
        print(f"{name:<10} {calls:>14,.0f} {len(queries) / args.repeat:>12.1f} {size:>8}  {ratio:>9.1f}×")
        if args.profile == name:
            out = io.StringIO()
            pstats.Stats(profile, stream=out).sort_stats("cumulative").print_stats(60)
            print(out.getvalue())
    return 0


if __name__ == "__main__":
    sys.exit(main())
