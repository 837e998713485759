"""Demo notices for `seed_demo`: drafts first, then notices taken through the workflow."""

from . import demo_department, demo_drafts, demo_workflow


def seed(context: dict) -> None:
    demo_drafts.seed(context)
    demo_workflow.seed(context)
    demo_department.seed(context)
