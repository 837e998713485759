import re

import pytest
from django.conf import settings
from playwright.sync_api import expect

from devdata import accounts as accounts_demo


@pytest.fixture
def browser_context_args(browser_context_args):
    # The site speaks the visitor's language; the seed's wording is Chinese.
    return {**browser_context_args, "locale": "zh-CN"}


@pytest.fixture
def sign_in(browser, live_server):
    """Sign a person in through the login form, in a fresh browser context each, as if each sat
    at their own computer; returns the page on the console home."""

    def _sign_in(username, password=settings.DEMO_PASSWORD):
        page = browser.new_context(locale="zh-CN").new_page()
        page.set_default_timeout(8000)
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("账号").fill(username)
        page.get_by_label("密码").fill(password)
        page.get_by_role("button", name="登录").click()
        expect(page).to_have_url(re.compile(r"/console/$"))
        return page

    return _sign_in


@pytest.fixture
def demo(db):
    """The demo accounts (devdata.accounts), returned by name."""
    context: dict = {}
    accounts_demo.seed(context)
    return context
