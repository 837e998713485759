"""The site's settings (config.settings, driven by the same environment) with the benchmark's
URLconf (bench/urls.py: the trivial view besides the site's URLs)."""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
