"""Writes of notice content (drafting): create, save a draft, import rows, attachments.

Content changes only in DRAFT. Every write here first claims the draft with a conditional
UPDATE (`filter(pk=…, state=DRAFT[, version=v]).update(…)`): zero rows means the notice was
submitted or saved by someone else meanwhile, and nothing is written. The state itself is
never written here (that is `workflow.apply_action`'s job).
"""

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from reservations.columns import ROW_FIELDS
from reservations.paging import report_rows_page_save
from reservations.services import report_create, report_rows_import, report_rows_save, report_update

from .enums import Kind, PublishMode, State
from .models import Announcement, Attachment
from .sanitize import clean_html
from .uploads import check_attachment


class DraftingError(Exception):
    """A refused write; the message is for the user."""


class NotADraft(DraftingError):
    """The notice left DRAFT: its content can no longer change."""

    def __init__(self):
        super().__init__(_("Only a draft can be changed; this notice has been submitted: nothing was saved."))


class StaleEdit(DraftingError):
    """The notice left DRAFT or was saved again since the form was opened at its `version`."""

    def __init__(self):
        super().__init__(
            _(
                "The notice has been submitted or changed by someone else since you opened it: "
                "nothing was saved."
            )
        )


def announcement_draft_claim(
    announcement: Announcement, *, version: int | None = None, bump: bool = True, **changes
) -> None:
    """Claim the draft for one write: a conditional UPDATE that matches only while the notice is
    still in DRAFT (and still at `version`, when the caller's form carries one), so that a submit
    or another save in between makes this write fail instead of overwriting.

    Side effects: `updated_at`, the given field `changes` and, when `version` is given or `bump`,
    `version` + 1 (a form opened before this write is then stale); the instance gets the new
    values of the fields it can know without a query. Raises StaleEdit (with `version`) or
    NotADraft (without), and writes nothing, when the claim fails.
    """
    changes["updated_at"] = timezone.now()
    still_draft = Announcement.objects.filter(pk=announcement.pk, state=State.DRAFT)
    if version is not None:
        still_draft = still_draft.filter(version=version)
        changes["version"] = version + 1
    elif bump:
        changes["version"] = F("version") + 1
    if not still_draft.update(**changes):
        raise StaleEdit() if version is not None else NotADraft()
    for name, value in changes.items():
        if not hasattr(value, "resolve_expression"):
            setattr(announcement, name, value)


def default_title(*, institution, year: int) -> str:
    return _("%(institution)s %(year)s notice on the execution of projects reserved for SMEs") % {
        "institution": institution.name,
        "year": year,
    }


def live_sme_notice_exists(*, institution, year: int) -> bool:
    return (
        Announcement.objects.filter(institution=institution, year=year, kind=Kind.SME_RESERVATION)
        .exclude(state=State.REVOKED)
        .exists()
    )


def duplicate_year_message(*, institution, year: int) -> str:
    """Why no second notice for `year`: where the one there is (its state and current step) and
    what can be done with it."""
    notice = (
        Announcement.objects.filter(institution=institution, year=year, kind=Kind.SME_RESERVATION)
        .exclude(state=State.REVOKED)
        .select_related("current_step", "submitted_by")
        .first()
    )
    state = notice.state if notice else None
    names = {"year": year}
    if notice is not None:
        names["step"] = notice.current_step.name if notice.current_step_id else State(state).label
        names["submitter"] = notice.submitted_by.get_full_name() if notice.submitted_by_id else "-"
    if state == State.DRAFT:
        message = _(
            "Your institution already has a notice for %(year)s, a draft: open it and go on editing it."
        )
    elif state == State.PURCHASER_REVIEW:
        message = _(
            "Your institution's notice for %(year)s is under review in your institution (current step: "
            "%(step)s), so it cannot be edited and no second one can be created. Its submitter "
            "%(submitter)s can withdraw it on its page and edit it; otherwise wait for the review, or "
            "ask the reviewer of %(step)s to return it."
        )
    elif state == State.FINANCE_REVIEW and notice.approved_at is not None:
        message = _(
            "Your institution's notice for %(year)s is approved and waits for its scheduled publication, "
            "so it cannot be edited and no second one can be created. To change it, ask the finance "
            "bureau to return it before it is published."
        )
    elif state == State.FINANCE_REVIEW:
        message = _(
            "Your institution's notice for %(year)s is under review at the finance bureau (current step: "
            "%(step)s), so it cannot be edited and no second one can be created. Wait for the review; "
            "to change it now, ask the finance bureau's reviewer of %(step)s to return it."
        )
    elif state == State.PUBLISHED:
        message = _(
            "Your institution's notice for %(year)s is published: a new one for that year is possible only "
            "after the finance bureau has revoked its publication."
        )
    else:
        message = _(
            "Your institution already has a notice for %(year)s. Edit that one; a new one is possible "
            "only after the earlier one has been revoked."
        )
    return message % names


def _scheduled(publish_mode, scheduled_at):
    return scheduled_at if publish_mode == PublishMode.SCHEDULED else None


def _attach(*, announcement, user, files) -> list[Attachment]:
    created = []
    for upload in files:
        content_type = check_attachment(upload)
        attachment = Attachment(
            announcement=announcement,
            file=upload,
            original_name=(upload.name or "file")[-255:],
            size=upload.size,
            content_type=content_type,
            uploaded_by=user,
        )
        attachment.full_clean(exclude=["file"])
        attachment.save()
        created.append(attachment)
    return created


def announcement_create_sme(
    *, user, district, year: int, publish_mode: str, scheduled_at=None, files=()
) -> Announcement:
    """Create a draft SME notice with an empty report (生成公告).

    Side effects: a Report and an Announcement row in DRAFT, the uploaded attachments stored.
    Raises DraftingError when the institution already has a live notice for that year.
    """
    institution = user.institution
    if live_sme_notice_exists(institution=institution, year=year):
        raise DraftingError(duplicate_year_message(institution=institution, year=year))
    try:
        with transaction.atomic():
            report = report_create(institution=institution, year=year, created_by=user)
            announcement = Announcement(
                kind=Kind.SME_RESERVATION,
                institution=institution,
                district=district,
                year=year,
                report=report,
                title=default_title(institution=institution, year=year)[:200],
                publish_mode=publish_mode,
                scheduled_at=_scheduled(publish_mode, scheduled_at),
                created_by=user,
            )
            announcement.full_clean(exclude=["report"], validate_constraints=False)
            announcement.save()
            _attach(announcement=announcement, user=user, files=files)
    except IntegrityError:
        # Two clicks or two handlers at once: the database constraint decided.
        raise DraftingError(duplicate_year_message(institution=institution, year=year)) from None
    return announcement


@transaction.atomic
def announcement_create_manual(
    *, user, district, title: str, body_html: str, publish_mode: str, scheduled_at=None, files=()
) -> Announcement:
    """Create a draft manual notice (手动录入公告). Side effects: an Announcement row, its attachments."""
    announcement = Announcement(
        kind=Kind.MANUAL,
        institution=user.institution,
        district=district,
        title=title,
        body_html=clean_html(body_html),
        publish_mode=publish_mode,
        scheduled_at=_scheduled(publish_mode, scheduled_at),
        created_by=user,
    )
    announcement.full_clean()
    announcement.save()
    _attach(announcement=announcement, user=user, files=files)
    return announcement


@transaction.atomic
def announcement_content_save(
    *,
    announcement: Announcement,
    user,
    version: int,
    title: str,
    publish_mode: str,
    scheduled_at=None,
    body_html: str | None = None,
    competent_unit_name: str | None = None,
    explanation: str | None = None,
    rows: list[dict] | None = None,
    page_changes: dict | None = None,
) -> Announcement:
    """Save the content of a draft, only if it is still the draft at `version` the form was opened on.

    Side effects: bumps `version`; updates title, publication type, body (sanitised) and, for SME
    notices, the report's 主管预算单位, 说明 and rows — all replaced by `rows`, or one editor page's
    `page_changes` ({"rows": [...], "deleted": [ids]}, see reservations.paging) — with stored totals.
    Raises StaleEdit, and writes nothing, when the notice was submitted or saved meanwhile.
    """
    changes = {
        "title": title,
        "publish_mode": publish_mode,
        "scheduled_at": _scheduled(publish_mode, scheduled_at),
    }
    if announcement.kind == Kind.MANUAL and body_html is not None:
        changes["body_html"] = clean_html(body_html)
    announcement_draft_claim(announcement, version=version, **changes)
    if announcement.kind == Kind.SME_RESERVATION and announcement.report_id:
        report = announcement.report
        if competent_unit_name is not None:
            report_update(
                report=report, competent_unit_name=competent_unit_name, explanation=explanation or ""
            )
        if rows is not None:
            report_rows_save(report=report, rows=rows)
        if page_changes is not None:
            try:
                report_rows_page_save(report=report, **page_changes)
            except ValidationError as error:
                raise DraftingError(" ".join(error.messages)) from None
    return announcement


@transaction.atomic
def announcement_rows_import(
    *, announcement: Announcement, user, rows: list[dict], replace: bool
) -> Announcement:
    """Write imported rows (already validated) into a draft's report, appending or replacing.

    Side effects: bumps `version` (an edit form opened before the import is then stale), rows and
    totals written, 数据来源 set to Excel导入.
    """
    if announcement.kind == Kind.DEPARTMENT:
        raise DraftingError(_("A department notice's rows come from its units: recompile instead."))
    announcement_draft_claim(announcement)
    report_rows_import(report=announcement.report, rows=rows, replace=replace)
    announcement.refresh_from_db(fields=["version", "updated_at"])
    return announcement


@transaction.atomic
def attachment_add(*, announcement: Announcement, user, files) -> list[Attachment]:
    """Store uploaded attachments of a draft. Side effect: Attachment rows and files in storage."""
    announcement_draft_claim(announcement, bump=False)
    return _attach(announcement=announcement, user=user, files=files)


@transaction.atomic
def attachment_delete(*, announcement: Announcement, attachment: Attachment, user) -> None:
    """Remove an attachment of a draft. Side effects: the row, then the stored file after commit."""
    announcement_draft_claim(announcement, bump=False)
    file_name, storage = attachment.file.name, attachment.file.storage
    attachment.delete()
    transaction.on_commit(lambda: storage.delete(file_name))


def announcement_refile(*, announcement: Announcement, user) -> Announcement:
    """重新填报: a new draft for the year of a revoked SME notice, with its 主管预算单位, 说明,
    rows and attachments copied, so that nothing has to be typed again.

    Side effects: a Report with copied rows and totals, an Announcement in DRAFT (same district,
    title and publication type), copies of the attachment files in storage.
    Raises DraftingError when the notice is not revoked or the year already has a live notice.
    """
    if announcement.state != State.REVOKED or announcement.kind != Kind.SME_RESERVATION:
        raise DraftingError(_("Only a revoked notice can be filed again."))
    old_report = announcement.report
    with transaction.atomic():
        new = announcement_create_sme(
            user=user,
            district=announcement.district,
            year=announcement.year,
            publish_mode=PublishMode.ON_APPROVAL,
        )
        new.title = announcement.title
        new.save(update_fields=["title"])
        report = new.report
        report.competent_unit_name = old_report.competent_unit_name
        report.explanation = old_report.explanation
        report.data_source = old_report.data_source
        report.save(update_fields=["competent_unit_name", "explanation", "data_source"])
        rows = [{name: getattr(row, name) for name in ROW_FIELDS} for row in old_report.rows.all()]
        if rows:
            report_rows_import(report=report, rows=rows, replace=True)
            report.data_source = old_report.data_source
            report.save(update_fields=["data_source"])
        for old in announcement.attachments.all():
            copy = Attachment(
                announcement=new,
                original_name=old.original_name,
                size=old.size,
                content_type=old.content_type,
                uploaded_by=user,
            )
            with old.file.open("rb") as handle:
                copy.file.save(old.original_name, File(handle), save=False)
            copy.save()
    return new
