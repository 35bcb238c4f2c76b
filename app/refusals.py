"""What the rules do not allow, raised by services and views and answered by one app-wide handler
(``app/errors.py``): the user's message, a status, and how the message is shown."""


class Refused(Exception):
    """A change the rules do not allow; ``message`` is shown to the user. Nothing is saved: the
    handler rolls the transaction back."""

    status = 409
    category = "danger"

    def __init__(
        self, message: object, status: int | None = None, category: str | None = None
    ) -> None:
        super().__init__(str(message))
        self.message = message
        if status is not None:
            self.status = status
        if category is not None:
            self.category = category


class AlreadyDone(Refused):
    """Nothing to do, and nothing wrong: a second check-in by the same person."""

    status = 200
    category = "info"
