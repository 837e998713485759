"""The columns of a reserved-project row, in the order of the official table: the row form,
the services, the import template and the export all read this one list."""

from django.utils.translation import gettext_lazy as _

ROW_COLUMNS = [
    ("name", _("Project name")),
    ("code", _("Project number")),
    ("category", _("Project category")),
    ("option", _("Reservation option")),
    ("ratio", _("Reserved share (%)")),
    ("budget_amount", _("Project budget (10k yuan)")),
    ("sme_amount", _("SME procurement amount (10k yuan)")),
    ("small_micro_amount", _("Of which small/micro (10k yuan)")),
    ("contract_url", _("Contract link")),
    ("procurement_date", _("Procurement or contract date")),
]
ROW_FIELDS = [name for name, _label in ROW_COLUMNS]
# The editor's row form carries the reason for a shortfall beside the official columns; the
# Excel template and the published table do not (the reason is for the 说明 and the reports).
EDITOR_FIELDS = [*ROW_FIELDS, "shortfall_reason"]
