"""Errors that reach a user: one sentence in Vietnamese, then the same in English."""


class UserError(Exception):
    """A problem the user can fix. `str()` gives "<Vietnamese> / <English>"."""

    # The HTTP status an API answers with: 400 for bad input, 404 for something that is not there.
    status = 400

    def __init__(self, vi: str, en: str):
        self.vi = vi
        self.en = en
        super().__init__(f"{vi} / {en}")


class NotFound(UserError):
    status = 404


class Conflict(UserError):
    """The data changed under the user (a newer version, an approved report): 409."""

    status = 409
