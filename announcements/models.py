import secrets
import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .enums import ImportState, Kind, PublishMode, State, StepActor, StepCondition, StepMode


def new_public_id() -> str:
    return uuid.uuid4().hex


def attachment_path(instance, filename):
    # Stored names cannot be guessed; the original name is kept in a field for downloads.
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"attachments/{instance.announcement.public_id}/{secrets.token_urlsafe(24)}.{suffix}"


class Announcement(models.Model):
    """A notice as a publication.

    `state` is written only by `announcements.workflow.apply_action` (and the scheduled
    publication it drives); no form includes it. Content (title, report rows, body) changes
    only in DRAFT. `published_html` freezes exactly what the finance reviewer approved.
    `institution` and `year` repeat the report's so that the database enforces one live
    notice per institution and year.
    """

    public_id = models.CharField(
        _("public id"), max_length=32, unique=True, default=new_public_id, editable=False
    )
    kind = models.CharField(
        _("notice type"), max_length=20, choices=Kind.choices, default=Kind.SME_RESERVATION
    )
    institution = models.ForeignKey(
        "accounts.Institution",
        verbose_name=_("publishing unit"),
        on_delete=models.PROTECT,
        related_name="announcements",
    )
    district = models.ForeignKey(
        "accounts.District",
        verbose_name=_("notice district"),
        on_delete=models.PROTECT,
        related_name="announcements",
    )
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    report = models.OneToOneField(
        "reservations.Report",
        verbose_name=_("report"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="announcement",
    )
    title = models.CharField(_("notice title"), max_length=200)
    body_html = models.TextField(_("body"), blank=True)
    publish_mode = models.CharField(
        _("publication type"), max_length=20, choices=PublishMode.choices, default=PublishMode.ON_APPROVAL
    )
    scheduled_at = models.DateTimeField(_("scheduled publication time"), null=True, blank=True)
    state = models.CharField(
        _("state"), max_length=20, choices=State.choices, default=State.DRAFT, editable=False
    )
    # Bumped on every content save; an edit form posted with an older version is refused.
    version = models.PositiveIntegerField(default=1, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True, db_index=True)
    published_html = models.TextField(_("published text"), blank=True, editable=False)
    return_reason = models.TextField(_("return reason"), blank=True, editable=False)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoke_reason = models.TextField(_("revocation reason"), blank=True, editable=False)
    view_count = models.PositiveIntegerField(_("views"), default=0, editable=False)
    is_test = models.BooleanField(_("test notice"), default=False)
    # Denormalised for the public search, filled by the public app at publication (public.services):
    # title, publishing unit and project names; and their distinct 1- and 2-character
    # grams, which a GIN index on PostgreSQL serves where trigrams cannot (public.search).
    search_text = models.TextField(_("search text"), blank=True, editable=False)
    search_grams = models.TextField(_("search grams"), blank=True, editable=False)
    # The review path (announcements.workflow_flows): the institution's and the finance bureau's
    # flow versions the notice was submitted with, the step it waits on, and when it got there.
    # A change of either flow applies to the next submission, never to a notice under review.
    flow_version = models.ForeignKey(
        "FlowVersion", null=True, blank=True, on_delete=models.PROTECT, related_name="+", editable=False
    )
    finance_flow_version = models.ForeignKey(
        "FlowVersion", null=True, blank=True, on_delete=models.PROTECT, related_name="+", editable=False
    )
    current_step = models.ForeignKey(
        "FlowStep", null=True, blank=True, on_delete=models.PROTECT, related_name="+", editable=False
    )
    step_entered_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Bumped at each submission: the 会签 approvals of one round (StepApproval) count together.
    review_round = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        constraints = [
            models.UniqueConstraint(
                fields=["institution", "year"],
                condition=models.Q(kind=Kind.SME_RESERVATION) & ~models.Q(state=State.REVOKED),
                name="one_live_sme_notice_per_institution_year",
            ),
            models.UniqueConstraint(
                fields=["institution", "year"],
                condition=models.Q(kind=Kind.DEPARTMENT) & ~models.Q(state=State.REVOKED),
                name="one_live_department_notice_per_year",
            ),
        ]
        indexes = [
            models.Index(fields=["state", "-published_at"], name="announcement_state_pub"),
            # The public list by 地区 and 年份, newest first (migration 0009): a range of the
            # district and year read in order instead of a district bitmap checked year by year.
            models.Index(
                fields=["district", "year", "-published_at", "-id"],
                name="announcement_district_year",
                condition=models.Q(state=State.PUBLISHED, is_test=False),
            ),
        ]

    def __str__(self):
        return self.title


class Attachment(models.Model):
    announcement = models.ForeignKey(
        Announcement, verbose_name=_("notice"), on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=300)
    original_name = models.CharField(_("file name"), max_length=255)
    size = models.PositiveBigIntegerField(_("size"))
    content_type = models.CharField(_("content type"), max_length=100)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self):
        return self.original_name


class RowsImport(models.Model):
    """An Excel import of rows into a draft, run by the task `announcements.tasks.rows_import_task`
    (announcements.imports): the uploaded file waits here for the worker, which records its
    progress (rows checked of `total`) and then either every row (DONE) or the errors (FAILED,
    nothing saved). The file's bytes are dropped once it has run."""

    announcement = models.ForeignKey(
        Announcement, verbose_name=_("notice"), on_delete=models.CASCADE, related_name="rows_imports"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("imported by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    file_name = models.CharField(_("file name"), max_length=255)
    content = models.BinaryField(_("file"), blank=True)
    replace = models.BooleanField(_("replace the existing rows"), default=False)
    # The language of the page that started it: the worker writes its messages in it.
    language = models.CharField(max_length=16, blank=True)
    state = models.CharField(
        _("state"), max_length=20, choices=ImportState.choices, default=ImportState.QUEUED
    )
    done = models.PositiveIntegerField(_("rows checked"), default=0)
    # How many rows the sheet says it has (None: it does not say).
    total = models.PositiveIntegerField(_("rows in the file"), null=True, blank=True)
    imported = models.PositiveIntegerField(_("rows imported"), default=0)
    message = models.TextField(_("message"), blank=True)
    # [{"row", "column", "value", "message"}], at most MAX_STORED_ERRORS; error_count has them all.
    errors = models.JSONField(_("row errors"), default=list, blank=True)
    error_count = models.PositiveIntegerField(_("number of errors"), default=0)
    created_at = models.DateTimeField(_("started at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("rows import")
        verbose_name_plural = _("rows imports")

    def __str__(self):
        return f"{self.announcement_id} {self.file_name} {self.state}"

    @property
    def finished(self) -> bool:
        return self.state in (ImportState.DONE, ImportState.FAILED)


class AppendOnlyError(PermissionError):
    """A write that would change or remove a flow-log row. Raised before any SQL is sent; on
    PostgreSQL a trigger (migration 0004) refuses the same writes from outside Django."""


def _refuse(what: str):
    raise AppendOnlyError(f"The flow log is append-only: {what} is refused.")


class FlowLogQuerySet(models.QuerySet):
    """Reads and inserts only: bulk updates and deletes are refused on every database."""

    def update(self, **kwargs):
        _refuse("update")

    def delete(self):
        _refuse("delete")

    def bulk_update(self, objs, fields, batch_size=None):
        _refuse("update")

    def bulk_create(self, objs, *args, update_conflicts=False, **kwargs):
        # An upsert rewrites the row that is already there.
        if update_conflicts:
            _refuse("update on conflict")
        return super().bulk_create(objs, *args, **kwargs)


class FlowLogEntry(models.Model):
    """流转日志: append-only. Written by the workflow gateway; never updated or deleted.

    `save()` of a stored row, `delete()` and their queryset forms raise `AppendOnlyError` on
    every database, and a PostgreSQL trigger refuses UPDATE and DELETE from any client. A notice
    with a log is never deleted (PROTECT), nor is a user who acted (PROTECT: staff are disabled
    or marked deleted, never removed, so the log keeps naming who did what).
    """

    announcement = models.ForeignKey(
        Announcement, verbose_name=_("notice"), on_delete=models.PROTECT, related_name="flow_log"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("operator"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    action = models.CharField(_("operation"), max_length=30)
    from_state = models.CharField(_("from state"), max_length=20, choices=State.choices)
    to_state = models.CharField(_("to state"), max_length=20, choices=State.choices)
    reason = models.TextField(_("reason"), blank=True)
    # Title, institution and totals as they were at this step.
    snapshot = models.JSONField(_("snapshot"), default=dict)
    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)

    objects = FlowLogQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("flow log entry")
        verbose_name_plural = _("flow log")

    def __str__(self):
        return f"{self.announcement_id} {self.action}"

    def save(self, **kwargs):
        if not self._state.adding or kwargs.get("force_update") or kwargs.get("update_fields") is not None:
            _refuse("changing a saved entry")
        # Always an INSERT: an entry built with the id of a stored one must not overwrite it.
        kwargs["force_insert"] = True
        super().save(**kwargs)

    def delete(self, *args, **kwargs):
        _refuse("delete")


class Flow(models.Model):
    """A review flow (流程管理): the steps of one institution's notices, or those of one district's
    finance bureau, which follow them. Its steps live in immutable versions; the newest is in use."""

    institution = models.OneToOneField(
        "accounts.Institution", null=True, blank=True, on_delete=models.CASCADE, related_name="review_flow"
    )
    district = models.OneToOneField(
        "accounts.District", null=True, blank=True, on_delete=models.CASCADE, related_name="review_flow"
    )

    class Meta:
        verbose_name = _("review flow")
        verbose_name_plural = _("review flows")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(institution__isnull=True) ^ models.Q(district__isnull=True),
                name="flow_has_one_owner",
            )
        ]

    def __str__(self):
        return str(self.institution or self.district)


class FlowVersion(models.Model):
    """One saved shape of a flow, never changed: a notice under review keeps the version it was
    submitted with (announcements.workflow_flows.flow_save writes a new one for every change)."""

    flow = models.ForeignKey(Flow, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    # Separation of duties: one person approves at most one step of a notice.
    one_step_per_person = models.BooleanField(_("one person approves at most one step"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("changed at"), auto_now_add=True)

    class Meta:
        ordering = ["flow", "-number"]
        constraints = [models.UniqueConstraint(fields=["flow", "number"], name="one_flow_version_number")]

    def __str__(self):
        return f"{self.flow} v{self.number}"

    def save(self, **kwargs):
        # Notices under review point at this version: a change is a new version, never an edit.
        if not self._state.adding:
            raise AppendOnlyError("A saved flow version is never changed: save a new version.")
        super().save(**kwargs)


class FlowStep(models.Model):
    version = models.ForeignKey(FlowVersion, on_delete=models.CASCADE, related_name="steps")
    order = models.PositiveSmallIntegerField()
    name = models.CharField(_("step name"), max_length=40)
    actor = models.CharField(
        _("who acts"), max_length=10, choices=StepActor.choices, default=StepActor.POSITION
    )
    position = models.CharField(_("reviewing position"), max_length=30, blank=True)
    users = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name=_("named people"), blank=True)
    mode = models.CharField(_("mode"), max_length=5, choices=StepMode.choices, default=StepMode.ANY)
    condition = models.CharField(
        _("condition"), max_length=20, choices=StepCondition.choices, default=StepCondition.ALWAYS, blank=True
    )
    amount = models.DecimalField(
        _("amount (10,000 yuan)"), max_digits=16, decimal_places=2, null=True, blank=True
    )

    class Meta:
        ordering = ["version", "order"]
        constraints = [models.UniqueConstraint(fields=["version", "order"], name="one_flow_step_per_order")]

    def __str__(self):
        return self.name

    def save(self, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("A saved flow step is never changed: save a new version.")
        super().save(**kwargs)


class StepApproval(models.Model):
    """One person's approval of one step of one review round; a 会签 step completes when every
    member has one. The unique constraint makes a double click count once."""

    announcement = models.ForeignKey(Announcement, on_delete=models.CASCADE, related_name="step_approvals")
    review_round = models.PositiveIntegerField()
    step = models.ForeignKey(FlowStep, on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    comment = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["announcement", "review_round", "step", "user"],
                name="one_approval_per_step_and_person",
            )
        ]

    def __str__(self):
        return f"{self.announcement_id} {self.step_id} {self.user_id}"
