"""The error every reader raises: one line per problem of the input."""

from __future__ import annotations

from collections.abc import Sequence

from network.io import TableError


class InputError(TableError):
    """Bad input; ``problems`` holds one line per problem (a :class:`network.io.TableError`,
    like the network's own :class:`network.NetworkError`)."""

    def __init__(self, problems: Sequence[str]) -> None:
        super().__init__(list(problems))
