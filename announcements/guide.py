"""操作指南: the journey of each position, and the policy rules table rendered from
the policy rules table itself (reservations.rules.rules_in_force, never copied text), so the guide
cannot disagree with the checks that the editor runs."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.enums import POSITION_GROUP_NAMES, Position
from accounts.rules import user_positions
from reservations.enums import ProjectCategory, ReservationOption, RuleKind
from reservations.models import PolicyRule
from reservations.money import format_wan
from reservations.rules import rules_in_force

JOURNEYS = {
    Position.HANDLER: [
        gettext_lazy("Open 其他政府采购公告 from the workbench and press 新增."),
        gettext_lazy(
            "Choose 面向中小企业预留项目执行情况公告, fill in the basic information "
            "(行政区划, 年份, 发布类型, 附件) and press 生成公告."
        ),
        gettext_lazy(
            "Type each reserved project, or download the template and import it. For 预留选项 choose one of "
            "采购项目整体预留, 设置专门采购包, 要求以联合体形式参加 or 要求合同分包."
        ),
        gettext_lazy(
            "For 合同链接, find the project's contract notice on 上海政府采购网 (采购公告 - 采购合同公告) by "
            "its name, number or contract, and copy its address."
        ),
        gettext_lazy(
            "Watch the totals and the generated text; where a reserved share is below the rules below, "
            "write the 说明: it is published with the notice."
        ),
        gettext_lazy(
            "Press 提交 on the notice's page. It goes to 采购人初审 and then to 财政审核; a returned notice "
            "comes back to 我的待办 with the reason."
        ),
    ],
    Position.PURCHASER_REVIEWER: [
        gettext_lazy("Open 我的待办 (the 待办 in the header) and the notice waiting for 采购人初审."),
        gettext_lazy("Read the notice, its rows, the changes since the last submission and the 流转日志."),
        gettext_lazy("Press 通过 to send it to 财政审核, or 退回 with a reason for the handler."),
    ],
    Position.FINANCE_REVIEWER: [
        gettext_lazy("Open 我的待办: the notices of your district waiting for 财政审核."),
        gettext_lazy("Press 通过 to publish (at once, or at the 定时发布 time), or 退回 with a reason."),
        gettext_lazy("A published notice can be withdrawn with 撤回发布 and a reason."),
        gettext_lazy(
            "In 填报任务 set the year's deadline, follow which units have filed and send reminders."
        ),
    ],
    Position.SUPERVISOR: [
        gettext_lazy("填报任务 and 各区对比 show every district's filing against its deadline."),
        gettext_lazy("抽查 draws a reproducible sample of published notices and records the results."),
    ],
    Position.INSTITUTION_ADMIN: [
        gettext_lazy("Open 员工管理 from the workbench."),
        gettext_lazy(
            "新增 with an initial password, 邀请 with a link (valid 72 hours, usable once), or 批量新增 "
            "from the Excel template."
        ),
        gettext_lazy(
            "设置岗位: give each person the position they work in (项目采购经办岗, 采购人审核岗 ...)."
        ),
        gettext_lazy("A lost phone: 重置双因素 on the staff member's 详情 page."),
    ],
}


def _categories(rule: PolicyRule) -> str:
    if len(rule.categories) == 3:
        return _("All")
    return "、".join(str(c.label) for c in ProjectCategory if c in rule.categories)


def _budget(rule: PolicyRule) -> str:
    if rule.budget_up_to is not None:
        return _("at most %(amount)s 万元") % {"amount": format_wan(rule.budget_up_to)}
    if rule.budget_above is not None:
        return _("above %(amount)s 万元") % {"amount": format_wan(rule.budget_above)}
    return _("Any")


def _requirement(rule: PolicyRule) -> str:
    if rule.kind == RuleKind.WHOLE:
        return _("Reserved entirely (%(option)s)") % {"option": ReservationOption.WHOLE.label}
    if rule.kind == RuleKind.MIN_RATIO:
        return _("Reserved share at least %(ratio)s%%") % {"ratio": format_wan(rule.minimum)}
    if rule.kind == RuleKind.MIN_SMALL_MICRO:
        return _("Small and micro share of the reserved amount at least %(ratio)s%%") % {
            "ratio": format_wan(rule.minimum)
        }
    return "-"


def rule_rows() -> list[dict]:
    """One row per policy rule, every cell derived from the rule's fields."""
    return [
        {
            "scope": _("Each project"),
            "region": rule.region_name,
            "categories": _categories(rule),
            "budget": _budget(rule),
            "requirement": _requirement(rule),
            "valid": f"{rule.valid_from:%Y-%m-%d} – {rule.valid_to:%Y-%m-%d}"
            if rule.valid_to
            else _("from %(date)s") % {"date": f"{rule.valid_from:%Y-%m-%d}"},
            "source": rule.source,
        }
        for rule in rules_in_force()
    ]


def journeys_for(user) -> list[tuple[str, list]]:
    """(position name, steps) for the user's positions, or every position when they hold none."""
    held = set(user_positions(user)) if user is not None else set()
    chosen = [p for p in Position if POSITION_GROUP_NAMES[p] in held] or list(Position)
    return [(POSITION_GROUP_NAMES[p], JOURNEYS[p]) for p in chosen]
