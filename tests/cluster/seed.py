"""The people and notices of the cluster scenarios, written into the rehearsal's database by a
process with the production settings (`python -m tests.cluster.seed RUN`, environment from
var/cluster/cluster.env). Prints what the scenarios need as JSON: usernames, recovery codes for the
finance reviewer's second factor, the notices' public ids and titles.

Names carry RUN, so seeding a cluster that is kept between test sessions never collides."""

import json
import sys

import django


def main(run: str) -> dict:
    django.setup()
    from django_otp.oath import totp

    from accounts import second_factor
    from accounts.enums import InstitutionKind, Position
    from accounts.models import Institution
    from announcements.enums import State
    from announcements.models import Announcement
    from tests import factories as F
    from tests.announcements import workflow_factories as wf

    unit = F.institution(name=f"集群演练单位{run}", district_code="310107")
    finance_bureau = Institution.objects.filter(
        kind=InstitutionKind.FINANCE_BUREAU, district__code="310107"
    ).first() or F.institution(
        name="普陀区财政局", district_code="310107", kind=InstitutionKind.FINANCE_BUREAU
    )
    handler = F.user(institution=unit, positions=[Position.HANDLER], username=f"handler-{run}")
    reviewers = [
        F.user(
            institution=unit,
            positions=[Position.PURCHASER_REVIEWER],
            username=f"reviewer{i}-{run}",
            email=f"reviewer{i}-{run}@cluster.test",
        )
        for i in (1, 2, 3)
    ]
    finance = F.user(
        institution=finance_bureau, positions=[Position.FINANCE_REVIEWER], username=f"finance-{run}"
    )
    # Finance reviewers must use a second factor in production: enrolled here, signed in with
    # recovery codes (each works once).
    device = second_factor.totp_device_pending(user=finance)
    code = f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"
    codes = second_factor.totp_confirm(user=finance, device=device, code=code)

    def notice(title, year, **state):
        made = wf.notice(institution=unit, year=year, created_by=handler, **state)
        Announcement.objects.filter(pk=made.pk).update(title=title)
        made.refresh_from_db()
        return made

    to_publish = notice(f"集群发布公告{run}", 2025, state=State.FINANCE_REVIEW, submitted_by=handler)
    draft = notice(f"集群草稿{run}", 2024)
    to_submit = notice(f"集群送审公告{run}", 2023)
    return {
        "password": F.PASSWORD,
        "handler": handler.username,
        "finance": finance.username,
        "finance_codes": codes,
        "reviewer_emails": [r.email for r in reviewers],
        "to_publish": {"id": to_publish.public_id, "title": to_publish.title},
        "draft": {"id": draft.public_id, "title": draft.title},
        "to_submit": {"id": to_submit.public_id, "title": to_submit.title},
    }


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1])))
