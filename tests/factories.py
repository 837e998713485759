"""Boring factories. Every access test has data that could leak: an outsider in another district."""

import itertools

from django.contrib.auth.models import Group

from accounts.enums import POSITION_GROUP_NAMES, InstitutionKind, Position
from accounts.models import District, Institution, User

_seq = itertools.count(1)
PASSWORD = "correct-horse-42"


def district(code="310107") -> District:
    return District.objects.get(code=code)


def institution(
    *, name=None, district_code="310107", kind=InstitutionKind.BUDGET_UNIT, **extra
) -> Institution:
    n = next(_seq)
    return Institution.objects.create(
        name=name or f"测试单位{n}", district=district(district_code), kind=kind, **extra
    )


def user(*, institution=None, positions=(), username=None, password=PASSWORD, **extra) -> User:
    n = next(_seq)
    u = User(
        username=username or f"user{n}",
        full_name=extra.pop("full_name", f"员工{n}"),
        institution=institution,
        email=extra.pop("email", f"user{n}@example.cn"),
        **extra,
    )
    u.set_password(password)
    u.save()
    if positions:
        u.groups.set(Group.objects.filter(name__in=[POSITION_GROUP_NAMES[Position(p)] for p in positions]))
    return u
