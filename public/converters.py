from django.urls import register_converter


class PublicIdConverter:
    """A notice's public id: 32 lower-case hex digits. Anything else never reaches a view
    (a NUL or an over-long id would otherwise reach the database)."""

    regex = "[0-9a-f]{32}"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(PublicIdConverter, "public_id")
