"""The one way a use case writes the warehouse: the home initialised, under the writer lock, logged."""
from __future__ import annotations

import contextlib

from chanjiao import access, lock, warehouse
from chanjiao.files import confine
from chanjiao.settings import Settings


@contextlib.contextmanager
def writing(settings: Settings, action: str, **details):
    """The writer lock held, the home and the warehouse's raw schema in place, and the access log told who
    does `action` (chanjiao.access)."""
    confine(settings)  # personal data: nothing is created under the caller's (perhaps open) umask
    warehouse.prepare_home(settings)
    with lock.writer_lock(settings):
        warehouse.create_schema(settings)
        access.record(settings, action, **details)
        yield
