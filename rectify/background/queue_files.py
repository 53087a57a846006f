"""The default (filesystem) queue's transport, with each message written whole before it can
be taken: kombu's filesystem transport creates the message's file and then writes it, and a
worker polling the folder in between moves the empty file away and fails on it (kombu issue
#1551): the message is lost, and its job waits until a worker next starts
(``rectify.services.jobs.recover``). Here the message is written under a name the reader
skips (it takes ``<time>_<uuid>.<queue>.msg`` only) and renamed once complete
(``os.replace``: atomic on one filesystem). Registered for ``filesystem://`` by
``celery_app``; Redis is not concerned.
"""

from __future__ import annotations

import os
import uuid
from time import monotonic

from kombu.exceptions import ChannelError
from kombu.transport import TRANSPORT_ALIASES, _transport_cache, filesystem
from kombu.utils.encoding import str_to_bytes
from kombu.utils.json import dumps

ALIAS = "filesystem"
PATH = "rectify.background.queue_files:Transport"


class Channel(filesystem.Channel):
    def _put(self, queue, payload, **kwargs):
        """Put ``payload`` onto ``queue``: written aside, then renamed into the queue."""
        name = f"{int(round(monotonic() * 1000))}_{uuid.uuid4()}.{queue}.msg"
        final = os.path.join(self.data_folder_out, name)
        part = os.path.join(self.data_folder_out, f".{name}.part")
        try:
            with open(part, "wb") as handle:
                handle.write(str_to_bytes(dumps(payload)))
            os.replace(part, final)
        except OSError as exc:
            try:
                os.unlink(part)
            except OSError:
                pass
            raise ChannelError(f"Cannot add file {final!r} to directory") from exc


class Transport(filesystem.Transport):
    Channel = Channel


def register() -> None:
    """Make ``filesystem://`` URLs use this transport (before any connection is made)."""
    TRANSPORT_ALIASES[ALIAS] = PATH
    _transport_cache.pop(ALIAS, None)
