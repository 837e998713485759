"""Demo notices in every workflow state (workflow issue)."""


def seed(context: dict) -> None:
    pass
