from django import template

from reservations.money import format_wan

register = template.Library()


@register.filter
def wan(value):
    """An amount in 万元 without trailing zeros (reservations.money.format_wan)."""
    return format_wan(value)
