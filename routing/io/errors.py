"""The error every reader raises: one line per problem of the input."""

from __future__ import annotations

from collections.abc import Sequence


class InputError(ValueError):
    """Bad input; ``problems`` holds one line per problem."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))
