"""The one shape of a refusal that operations raise and routes show next to a form."""

from __future__ import annotations


class Refusal(ValueError):
    """A change the rules refuse. ``message`` is translated (a lazy string renders in the user's language when
    shown); ``field`` names the form field it is about (None: the whole form)."""

    def __init__(self, message, field: str | None = None) -> None:
        super().__init__(message)
        self.message, self.field = message, field

    def __str__(self) -> str:
        return str(self.message)

    def show_on(self, form, default_field: str) -> None:
        """Put the message on the form field it is about (``default_field`` when it names none or one the
        form does not have), after the field's own errors."""
        field = form[self.field if self.field and self.field in form else default_field]
        field.errors = [*field.errors, str(self)]
