"""The one exception class of the ``dataset`` package."""

from __future__ import annotations


class DatasetError(Exception):
    """A data file is missing, unreadable, corrupt or inconsistent.

    The message always names the file (or folder), says what is wrong with it and
    how to fix it, so that a program can print ``str(error)`` to the user and exit
    with status 1 instead of showing a traceback.
    """
