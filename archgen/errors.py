"""Errors every layer may raise."""


class UsageError(Exception):
    """archgen could not run (exit 2): the message says why."""
