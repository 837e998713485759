from datetime import UTC, date, datetime

from django.template import Context, Template
from django.test import override_settings


@override_settings(TIME_ZONE="Asia/Shanghai", USE_TZ=True)
def test_html_datetime_is_local_time_to_the_second():
    moment = datetime(2026, 3, 2, 3, 34, 10, 684891, tzinfo=UTC)

    html = Template('<time datetime="{{ moment|html_datetime }}">').render(Context({"moment": moment}))

    # HTML allows at most three digits of fractional seconds; Django's date:'c' gives six.
    assert html == '<time datetime="2026-03-02T11:34:10+08:00">'


def test_html_datetime_of_a_date_or_nothing():
    rendered = Template("{{ day|html_datetime }}|{{ none|html_datetime }}").render(
        Context({"day": date(2026, 3, 2), "none": None})
    )

    assert rendered == "2026-03-02|"
