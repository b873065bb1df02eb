"""The one way a use case writes the warehouse: the home initialised, under the writer lock."""
from __future__ import annotations

import contextlib

from chanjiao import lock, warehouse
from chanjiao.files import confine
from chanjiao.settings import Settings


@contextlib.contextmanager
def writing(settings: Settings):
    """The writer lock held, the home and the warehouse's raw schema in place."""
    confine(settings)  # personal data: nothing is created under the caller's (perhaps open) umask
    warehouse.prepare_home(settings)
    with lock.writer_lock(settings):
        warehouse.create_schema(settings)
        yield
