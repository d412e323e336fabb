"""Errors that services and selectors raise, answered the same way by pages and the API."""


class NotFound(Exception):
    """The object does not exist or this person may not see it (deliberately the same answer,
    so private things cannot be discovered by probing ids)."""
