"""A real PostgreSQL primary and its streaming replica on this machine, for the replica-routing test and for
trying DATABASE_REPLICA_URL by hand (`make replica`, `make replica-stop`).

    python scripts/replica_pair.py start [--base DIR] [--port 5433]   # primary on PORT, replica on PORT+1
    python scripts/replica_pair.py stop  [--base DIR]

The primary is a fresh cluster (`initdb`), not the machine's main one: replicating needs a `replication`
line in pg_hba.conf, which the shared cluster does not have (and changing it is not ours to do). The
replica is taken from it with `pg_basebackup -R -X stream` and started in hot standby, so it really
replays the primary's WAL. The clusters run as the `postgres` system user when started by root
(PostgreSQL refuses to run as root). Both listen on 127.0.0.1 only, trust authentication, user `root`.
"""

import argparse
import os
import pwd
import shutil
import subprocess
import sys
import time
from pathlib import Path

DEFAULT_BASE = Path("/tmp/pp_replica_pair")
DEFAULT_PORT = 5433
USER = "root"  # the database superuser of the pair (as on the machine's cluster)


def pg_bin() -> Path | None:
    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"), reverse=True)  # Debian's layout
    found = shutil.which("pg_ctl")
    if found:
        candidates.append(Path(found))
    for candidate in candidates:
        if all((candidate.parent / tool).exists() for tool in ("initdb", "pg_basebackup", "pg_isready")):
            return candidate.parent
    return None


def free_port_pair(first: int = DEFAULT_PORT, last: int = DEFAULT_PORT + 60) -> int:
    """The first port P from `first` such that P and P + 1 are free on 127.0.0.1."""
    import socket  # noqa: PLC0415

    def free(port):
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                return False
            return True

    for port in range(first, last, 2):
        if free(port) and free(port + 1):
            return port
    raise RuntimeError(f"no two free ports between {first} and {last}")


def _runner():
    """Prefix that runs a command as a non-root user (PostgreSQL servers refuse root)."""
    if os.geteuid() != 0:
        return [], None
    try:
        account = pwd.getpwnam("postgres")
    except KeyError:
        raise RuntimeError("running as root and there is no 'postgres' user to run the clusters") from None
    runuser = shutil.which("runuser")
    if runuser:
        return [runuser, "-u", "postgres", "--"], account
    return ["su", "postgres", "-s", "/bin/sh", "-c"], account


def _run(command, check=True):
    prefix, _account = _runner()
    if prefix and prefix[0] == "su":
        command = prefix + [" ".join(command)]
    else:
        command = prefix + command
    return subprocess.run(command, check=check, capture_output=True, text=True, timeout=120)


def _append(path: Path, text: str):
    with path.open("a") as handle:
        handle.write(text)


def _wait_ready(binary: Path, port: int, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if subprocess.run([str(binary / "pg_isready"), "-h", "127.0.0.1", "-p", str(port), "-q"]).returncode == 0:
            return
        time.sleep(0.2)
    raise RuntimeError(f"PostgreSQL on port {port} did not become ready")


def start(base: Path = DEFAULT_BASE, port: int = DEFAULT_PORT) -> dict:
    """Start (or restart) the pair; returns {"primary": url, "replica": url} (database `postgres`)."""
    binary = pg_bin()
    if binary is None:
        raise RuntimeError("PostgreSQL server binaries (pg_ctl, initdb) are not installed")
    stop(base)
    if base.exists():
        shutil.rmtree(base)
    base.mkdir(parents=True)
    _prefix, account = _runner()
    if account is not None:
        os.chown(base, account.pw_uid, account.pw_gid)
    primary, replica = base / "primary", base / "replica"
    _run([str(binary / "initdb"), "-D", str(primary), "-U", USER, "--auth=trust", "-E", "UTF8",
          "--locale=C.UTF-8", "--no-sync"])
    _append(primary / "postgresql.conf", (
        f"\nport = {port}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '{base}'\n"
        "wal_level = replica\nmax_wal_senders = 4\nhot_standby = on\nfsync = off\nsynchronous_commit = off\n"
        "full_page_writes = off\nshared_buffers = 32MB\nmax_connections = 40\nautovacuum = off\n"))
    _append(primary / "pg_hba.conf", "\nhost all all 127.0.0.1/32 trust\nhost replication all 127.0.0.1/32 trust\n")
    _run([str(binary / "pg_ctl"), "-D", str(primary), "-l", str(base / "primary.log"), "-w", "start"])
    _wait_ready(binary, port)
    _run([str(binary / "pg_basebackup"), "-h", "127.0.0.1", "-p", str(port), "-U", USER, "-D", str(replica),
          "-R", "-X", "stream", "-c", "fast"])
    _append(replica / "postgresql.auto.conf", f"\nport = {port + 1}\n")
    _run([str(binary / "pg_ctl"), "-D", str(replica), "-l", str(base / "replica.log"), "-w", "start"])
    _wait_ready(binary, port + 1)
    return {"primary": f"postgres://{USER}@127.0.0.1:{port}/postgres",
            "replica": f"postgres://{USER}@127.0.0.1:{port + 1}/postgres"}


def stop(base: Path = DEFAULT_BASE):
    binary = pg_bin()
    if binary is None:
        return
    for name in ("replica", "primary"):
        data = base / name
        if (data / "postmaster.pid").exists():
            _run([str(binary / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"], check=False)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("action", choices=["start", "stop"])
    parser.add_argument("--base", type=Path, default=DEFAULT_BASE)
    parser.add_argument("--port", type=int, default=DEFAULT_PORT)
    args = parser.parse_args(argv)
    try:
        if args.action == "start":
            urls = start(args.base, args.port)
            print(f"primary: {urls['primary']}\nreplica: {urls['replica']}")
        else:
            stop(args.base)
    except (RuntimeError, subprocess.CalledProcessError) as error:
        detail = getattr(error, "stderr", "") or ""
        sys.exit(f"{error}\n{detail}")


if __name__ == "__main__":
    main()
