"""Statistics and drill-down reads on a PostgreSQL read replica, when there is one (DATABASE_REPLICA_URL).

`ReplicaRouter` (installed by config/settings.py only when a replica is configured) sends a read to the
replica only inside `replica_reads()` — the statistics API and the dashboard's figures — and only while
nothing was written in that section and no transaction is open on the primary. Everything else, and every
write, stays on the primary: authentication, a job's status right after it was started, anything read
after a write. A replica lags its primary by a few milliseconds to seconds; snapshots are written at night
and drill-downs read the register as of a date, so these reads tolerate the lag.
"""

import contextlib
from contextvars import ContextVar

from django.db import DEFAULT_DB_ALIAS, connections

REPLICA_ALIAS = "replica"

_reads = ContextVar("replica_reads", default=False)
_wrote = ContextVar("replica_reads_wrote", default=False)


@contextlib.contextmanager
def replica_reads():
    """Reads inside may go to the replica (until the first write inside)."""
    reads, wrote = _reads.set(True), _wrote.set(False)
    try:
        yield
    finally:
        _reads.reset(reads)
        _wrote.reset(wrote)


class ReplicaRouter:
    primary = DEFAULT_DB_ALIAS
    replica = REPLICA_ALIAS

    def replica_usable(self) -> bool:
        return (_reads.get() and not _wrote.get() and self.replica in connections.settings
                and not connections[self.primary].in_atomic_block)

    def db_for_read(self, model, **hints):
        return self.replica if self.replica_usable() else self.primary

    def db_for_write(self, model, **hints):
        _wrote.set(True)  # read-after-write: the rest of this section reads the primary
        return self.primary  # explicitly, also for an object that was read from the replica

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the same rows on both

    def allow_migrate(self, db, app_label, **hints):
        return db != self.replica


class ReplicaReadsMixin:
    """For read-only DRF views: the handler (after authentication, on the primary) reads from the replica."""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if request.method in ("GET", "HEAD"):
            self._replica_reads = replica_reads()
            self._replica_reads.__enter__()

    def finalize_response(self, request, response, *args, **kwargs):
        section = getattr(self, "_replica_reads", None)
        if section is not None:
            self._replica_reads = None
            section.__exit__(None, None, None)
        return super().finalize_response(request, response, *args, **kwargs)
