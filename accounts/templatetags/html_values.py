"""Values in the form HTML requires; a builtin library (settings.TEMPLATES), so no {% load %}."""

from datetime import datetime

from django import template

register = template.Library()


@register.filter(expects_localtime=True)
def html_datetime(value):
    """A `<time datetime>` value: ISO 8601 in local time, to the second. HTML allows at most three
    digits of fractional seconds; Django's `date:'c'` writes six."""
    if not value:
        return ""
    if isinstance(value, datetime):
        value = value.replace(microsecond=0)
    return value.isoformat()
