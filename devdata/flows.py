"""The demo's review flows (流程管理), saved as the admins would: the 党群服务中心 checks each
notice at 科室负责人审核 (demo-chief, 或审) before 采购人初审 (its 采购人审核岗); 普陀区财政局
publishes after a 财政会签 of demo-finance and demo-finance2, so a newcomer sees both modes.
Other units and districts keep today's two steps. Idempotent: a flow someone saved is kept (the
first versions that migration 0008 wrote, by nobody, are not someone's choice)."""

from accounts.enums import Position
from announcements import workflow_flows as flows
from announcements.enums import StepActor, StepMode


def _untouched(**owner) -> bool:
    version = flows.latest_version(**owner)
    return version is None or version.created_by_id is None


def seed(context: dict) -> None:
    """Side effects: the first version of two flows (who: demo-admin and demo-finance)."""
    users = context["users"]
    admin, finance = users["demo-admin"], users["demo-finance"]
    if _untouched(institution=admin.institution):
        flows.flow_save(
            institution=admin.institution,
            steps=[
                flows.StepSpec(name="科室负责人审核", actor=StepActor.NAMED, users=[users["demo-chief"]]),
                flows.StepSpec(
                    name="采购人初审", actor=StepActor.POSITION, position=Position.PURCHASER_REVIEWER
                ),
            ],
            user=admin,
        )
    if _untouched(district=finance.institution.district):
        flows.flow_save(
            district=finance.institution.district,
            steps=[
                flows.StepSpec(
                    name="财政会签",
                    actor=StepActor.NAMED,
                    users=[finance, users["demo-finance2"]],
                    mode=StepMode.ALL,
                )
            ],
            user=finance,
        )
