"""Steps that several journeys take the same way."""

from playwright.sync_api import expect


def confirm(page):
    """Decisive actions ask first (static/js/confirm.js): press the dialog's action button."""
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    dialog.locator("[data-confirm-ok]").click()
