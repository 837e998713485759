"""Production configuration: `check --deploy` is clean and every setting is documented."""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "config.settings",
    "DEBUG": "0",
    "SECRET_KEY": secrets.token_urlsafe(64),
    "ALLOWED_HOSTS": "notices.example.gov.cn",
    "SITE_URL": "https://notices.example.gov.cn",
    "CSRF_TRUSTED_ORIGINS": "https://notices.example.gov.cn",
    "BEHIND_PROXY": "1",
    "CACHE_URL": "redis://127.0.0.1:6379/1",
    # Production sends mail over SMTP (the console backend is refused by check --deploy).
    "EMAIL_URL": "smtp+tls://notices%40example.gov.cn:mail-password@smtp.example.gov.cn:587",
}


def _manage(*args, env):
    # The test process's own switches (async-unsafe for Playwright, test settings) stay out.
    base = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DJANGO_ALLOW_ASYNC_UNSAFE", "DJANGO_SETTINGS_MODULE"}
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_lists_nothing_with_production_environment():
    result = _manage("check", "--deploy", "--fail-level", "DEBUG", env=PRODUCTION_ENV)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_production_settings_refuse_to_start_without_a_secret_key():
    env = {**PRODUCTION_ENV, "SECRET_KEY": ""}

    result = _manage("check", env=env)

    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off." in result.stderr


def test_production_refuses_to_run_without_a_site_url():
    env = {**PRODUCTION_ENV, "SITE_URL": ""}

    result = _manage("check", "--deploy", env=env)

    assert result.returncode != 0
    assert "config.E003" in result.stderr
    assert "SITE_URL is not set." in result.stderr


def test_development_links_follow_the_port_make_run_serves():
    env = {"DEBUG": "1", "SITE_URL": "", "HOST": "127.0.0.1", "PORT": "8013"}
    code = "from django.conf import settings as s; print(s.SITE_URL)"

    result = _manage("shell", "-v", "0", "-c", code, env=env)

    assert result.stdout.strip() == "http://127.0.0.1:8013", result.stderr


def test_production_settings_turn_on_secure_headers():
    code = (
        "from django.conf import settings as s; print(s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE,"
        " s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS, s.SECURE_PROXY_SSL_HEADER, s.X_FRAME_OPTIONS,"
        " s.SECURE_REFERRER_POLICY, s.STORAGES['staticfiles']['BACKEND'], s.LOG_FORMAT)"
    )

    result = _manage("shell", "-v", "0", "-c", code, env=PRODUCTION_ENV)

    assert result.stdout.split() == [
        "True",
        "True",
        "True",
        "31536000",
        "('HTTP_X_FORWARDED_PROTO',",
        "'https')",
        "DENY",
        "same-origin",
        "whitenoise.storage.CompressedManifestStaticFilesStorage",
        "json",
    ], result.stderr


def test_env_example_documents_every_setting_read_from_the_environment():
    names = set()
    for source in [ROOT / "config" / "settings.py", *ROOT.glob("*/settings*.py")]:
        names |= set(re.findall(r'env(?:\.[a-z]+)?\(\s*"([A-Z][A-Z0-9_]+)"', source.read_text()))
    example = (ROOT / ".env.example").read_text()
    documented = set(re.findall(r"^([A-Z][A-Z0-9_]+)=", example, re.M))

    assert names - documented == set()
    # Every variable, or the group of variables it belongs to, has a comment above it.
    lines = example.splitlines()
    for index, line in enumerate(lines):
        if re.match(r"^[A-Z][A-Z0-9_]+=", line):
            above = index - 1
            while re.match(r"^[A-Z][A-Z0-9_]+=", lines[above]):
                above -= 1
            assert lines[above].startswith("#"), line


def test_s3_storage_is_selected_by_environment():
    env = {
        **PRODUCTION_ENV,
        "AWS_STORAGE_BUCKET_NAME": "sme-notices",
        "AWS_S3_ENDPOINT_URL": "https://s3.example.cn",
    }
    code = (
        "from django.conf import settings as s; d = s.STORAGES['default'];"
        "print(d['BACKEND'], d['OPTIONS']['bucket_name'])"
    )

    result = _manage("shell", "-v", "0", "-c", code, env=env)

    assert result.stdout.split() == ["storages.backends.s3.S3Storage", "sme-notices"], result.stderr


def test_production_serves_hashed_compressed_static_files(tmp_path):
    env = {**PRODUCTION_ENV, "STATIC_ROOT": str(tmp_path / "static"), "ALLOWED_HOSTS": "testserver"}
    code = (
        "import re; from django.test import Client; c = Client();"
        "html = c.get('/accounts/login/', secure=True).content.decode();"
        "css = re.search(r'/static/css/site\\.[0-9a-f]{12}\\.css', html).group(0);"
        "r = c.get(css, secure=True, headers={'Accept-Encoding': 'gzip'});"
        "print(css, r.status_code, r.headers.get('Content-Encoding'), r.headers['Cache-Control'])"
    )

    collected = _manage("collectstatic", "--noinput", "-v", "0", env=env)
    result = _manage("shell", "-v", "0", "-c", code, env=env)

    assert collected.returncode == 0, collected.stderr
    css, status, encoding, cache_control = result.stdout.split(maxsplit=3)
    assert (status, encoding) == ("200", "gzip"), result.stderr
    assert "immutable" in cache_control and re.fullmatch(r"/static/css/site\.[0-9a-f]{12}\.css", css)


def test_database_waits_are_bounded_shorter_for_web_than_for_commands():
    env = {**PRODUCTION_ENV, "DATABASE_URL": "postgres://sme@db.internal:5432/sme"}
    show = "from django.conf import settings as s; o = s.DATABASES['default']['OPTIONS']; print(o['options'])"
    web = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {show}"],
        cwd=ROOT,
        env={**{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    command = _manage("shell", "-v", "0", "-c", show, env=env)

    assert web.stdout.split() == ["-c", "statement_timeout=5000", "-c", "lock_timeout=3000"], web.stderr
    assert command.stdout.split() == ["-c", "statement_timeout=600000", "-c", "lock_timeout=60000"]


def test_production_keeps_database_connections_and_refuses_sessions_in_the_cache():
    # Issue 14, item 2: persistent connections are the default, not a line in the docs; sessions
    # must not depend on the cache (Redis down would sign everybody out and refuse sign-in).
    env = {**PRODUCTION_ENV, "DATABASE_URL": "postgres://sme@db.internal:5432/sme"}
    show = (
        "from django.conf import settings as s; d = s.DATABASES['default']; "
        "print(d['CONN_MAX_AGE'], d['CONN_HEALTH_CHECKS'])"
    )
    kept = _manage("shell", "-v", "0", "-c", show, env=env)
    cached = _manage(
        "check", "--deploy", env={**env, "SESSION_ENGINE": "django.contrib.sessions.backends.cached_db"}
    )

    assert kept.stdout.split() == ["60", "True"], kept.stderr
    assert cached.returncode != 0
    assert "config.E002" in cached.stderr
