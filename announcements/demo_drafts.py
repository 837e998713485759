"""Demo draft notices (drafting issue)."""


def seed(context: dict) -> None:
    pass
