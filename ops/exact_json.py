"""Django's JSON serialization without its loss of precision: DjangoJSONEncoder cuts datetimes
and times to milliseconds, so an exported dataset lost the microseconds of every timestamp (and a
restored 12:00:00.000456 printed as 12:00:00Z against the original's 12:00:00.000Z). Registered
as the `exactjson` format (settings.SERIALIZATION_MODULES) for the dataset export; its output is
plain JSON, read back by Django's own `json` deserializer."""

import datetime

from django.core.serializers import json as django_json
from django.core.serializers.json import DjangoJSONEncoder


class ExactJSONEncoder(DjangoJSONEncoder):
    def default(self, o):
        if isinstance(o, datetime.datetime):
            text = o.isoformat()
            return text.removesuffix("+00:00") + "Z" if text.endswith("+00:00") else text
        if isinstance(o, datetime.time):
            return o.isoformat()
        return super().default(o)


class Serializer(django_json.Serializer):
    def _init_options(self):
        super()._init_options()
        self.json_kwargs["cls"] = ExactJSONEncoder


Deserializer = django_json.Deserializer
