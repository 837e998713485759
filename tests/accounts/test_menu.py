import re

import pytest
from django.core.exceptions import ImproperlyConfigured

from accounts import menu


def test_registered_menu_entries_each_have_their_own_order():
    orders = [item.order for item in menu.registered_items()]

    assert len(orders) == len(set(orders))


def test_register_refuses_an_entry_that_takes_a_used_order():
    taken = menu.registered_items()[0]
    before = menu.registered_items()

    with pytest.raises(ImproperlyConfigured):
        menu.register(menu.MenuItem("Another", "accounts:account", lambda u: True, taken.order))

    assert menu.registered_items() == before


@pytest.mark.django_db
def test_supervisor_menu_lists_the_oversight_entries_in_their_order(world):
    labels = [entry["label"] for entry in menu.items_for(world.supervisor)]
    oversight = [label for label in labels if label in {"填报任务", "各区对比", "上报统计", "抽查"}]

    assert oversight == ["填报任务", "各区对比", "上报统计", "抽查"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "current"),
    [
        ("/console/oversight/statistics/", ["上报统计"]),
        ("/console/oversight/samples/", ["抽查"]),
        ("/console/oversight/districts/", ["各区对比"]),
        ("/console/oversight/", ["填报任务"]),
    ],
)
def test_one_menu_entry_is_current_at_a_time(world, login, path, current):
    # 上报统计 and 抽查 share their first 20 characters: only the page's own entry is marked.
    page = login(world.supervisor).get(path).content.decode()
    marked = re.findall(r'<a href="[^"]*" aria-current="page">([^<]*)</a>', page)

    assert marked == current
