import pytest
from django.core.management import call_command
from django.test import Client

from accounts.models import User

DEMO_ROLES = [
    "demo-admin",
    "demo-handler",
    "demo-reviewer",
    "demo-finance",
    "demo-supervisor",
    "demo-qp-finance",
]
CONSOLE_STARTS = ["/console/", "/console/notices/", "/"]


@pytest.fixture
def demo(db, settings, tmp_path):
    """The demo data (every app's demo module) with uploads in a temporary directory."""
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    return {u.username: u for u in User.objects.all()}


@pytest.fixture
def client_for():
    def _client(user=None, **kwargs):
        client = Client(raise_request_exception=False, **kwargs)
        if user is not None:
            client.force_login(user, backend="accounts.backends.ActiveStaffBackend")
        return client

    return _client
