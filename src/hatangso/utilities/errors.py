"""Errors that reach a user: one sentence in Vietnamese, then the same in English."""


class UserError(Exception):
    """A problem the user can fix. `str()` gives "<Vietnamese> / <English>"."""

    def __init__(self, vi: str, en: str):
        self.vi = vi
        self.en = en
        super().__init__(f"{vi} / {en}")
