"""`{{ field|row_widget }}`: a row field's widget rendered without a template per widget.

A page of the rows editor has some 600 widgets; Django renders each through its own template
(about 1 ms apiece), which alone cost more than the page's one-second budget. This renders the
plain inputs and selects from the same widget context Django would use (same attributes: id,
required, aria-invalid, aria-describedby, the widget's attrs), and falls back to Django for any
other widget, so a new row field still appears correctly.
"""

from django import forms, template
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

register = template.Library()

PLAIN_INPUTS = (forms.TextInput, forms.URLInput, forms.NumberInput, forms.HiddenInput, forms.EmailInput)


def _attrs(attrs: dict) -> dict:
    return {k: v for k, v in attrs.items() if v is not False and v is not None}


@register.filter
def row_widget(bound_field):
    widget = bound_field.field.widget
    attrs = bound_field.build_widget_attrs({}, widget)
    if bound_field.auto_id and "id" not in widget.attrs:
        attrs.setdefault("id", bound_field.auto_id)
    attrs = _attrs({**widget.attrs, **attrs})
    kind = type(widget)
    if kind in PLAIN_INPUTS:
        value = widget.format_value(bound_field.value())
        value_attr = format_html(' value="{}"', value) if value is not None else ""
        return format_html(
            '<input type="{}" name="{}"{}{}>',
            widget.input_type,
            bound_field.html_name,
            value_attr,
            flatatt(attrs),
        )
    if kind is forms.Select:
        chosen = {str(v) for v in widget.format_value(bound_field.value())}
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (value, mark_safe(" selected") if str(value) in chosen else "", label)
                for value, label in bound_field.field.choices
            ),
        )
        return format_html('<select name="{}"{}>{}</select>', bound_field.html_name, flatatt(attrs), options)
    return bound_field.as_widget()
