"""The archive as the services and their clients hold it.

The GUI opens and passes archives through here, so `ui/` needs nothing below `app/`
(the rule of the architecture: every action is an `app` call first).
"""

from db.archive import Archive, ArchiveError, open_archive

__all__ = ["Archive", "ArchiveError", "open_archive"]
