"""Start a real, throwaway PostgreSQL server for the database tests (not a test module itself).

The server lives in a fresh folder under ``/tmp``, listens on a free loopback port and on a
Unix socket in that folder, and asks for a password on TCP (``scram-sha-256``) while trusting
the local socket, which is how the tests create the ``arkit`` role and the ``ar`` database::

    initdb -D <dir>/data -U postgres --auth-local=trust --auth-host=scram-sha-256
           --encoding=UTF8 --locale=C --no-sync
    pg_ctl -D <dir>/data -l <dir>/server.log -w -t 30
           -o "-c listen_addresses=127.0.0.1 -p <port> -k <dir>/run -c fsync=off ..." start
    pg_ctl -D <dir>/data -m fast -w stop

``initdb`` and ``pg_ctl`` refuse to run as root, so as root they run as the ``postgres`` system
user (``runuser -u postgres --``), which owns the folder.
"""

from __future__ import annotations

import glob
import os
import pwd
import shlex
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import psycopg
from psycopg import sql

__all__ = ["PostgresServer", "find_postgres_bindir", "start_postgres"]

INSTALL_HINT = "run scripts/install-test-deps.sh (it installs the Debian postgresql package)"


def find_postgres_bindir() -> Path:
    """The folder holding ``initdb`` and ``pg_ctl``: ``pg_config --bindir``, else the newest Debian one."""
    try:
        out = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True, timeout=10)
        candidate = Path(out.stdout.strip())
        if out.returncode == 0 and (candidate / "initdb").is_file():
            return candidate
    except (OSError, subprocess.SubprocessError):
        pass
    found = [Path(p).parent for p in glob.glob("/usr/lib/postgresql/*/bin/initdb")]
    if not found:
        raise RuntimeError(f"no PostgreSQL server binaries (initdb) found; {INSTALL_HINT}")

    def version(bindir: Path) -> tuple[int, ...]:
        return tuple(int(part) for part in bindir.parent.name.split(".") if part.isdigit())

    return max(found, key=version)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PostgresServer:
    """A PostgreSQL server in a temp folder; use as a context manager or call start/stop.

    ``url`` is ``postgresql://arkit@127.0.0.1:<port>/ar`` (no password: the password is the
    one given); ``admin_conninfo`` reaches the ``postgres`` superuser over the Unix socket.
    """

    def __init__(self, password: str, *, base_dir: str | os.PathLike | None = None):
        self.password = password
        self.base_dir = base_dir
        self.bindir = find_postgres_bindir()
        self.as_root = os.geteuid() == 0
        self.dir: Path | None = None
        self.port: int | None = None

    @property
    def data_dir(self) -> Path:
        return self.dir / "data"

    @property
    def socket_dir(self) -> Path:
        return self.dir / "run"

    @property
    def url(self) -> str:
        return f"postgresql://arkit@127.0.0.1:{self.port}/ar"

    @property
    def admin_conninfo(self) -> str:
        return f"host={self.socket_dir} port={self.port} user=postgres dbname=postgres"

    def _run(self, *args: str) -> None:
        command = [str(self.bindir / args[0]), *args[1:]]
        if self.as_root:
            command = (["runuser", "-u", "postgres", "--", *command] if shutil.which("runuser")
                       else ["su", "postgres", "-s", "/bin/sh", "-c", shlex.join(command)])
        done = subprocess.run(command, cwd=self.dir, capture_output=True, text=True, timeout=60)
        if done.returncode != 0:
            log = self.dir / "server.log"
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise RuntimeError(f"{' '.join(command)} failed ({done.returncode}):\n"
                               f"{done.stdout}{done.stderr}{tail}")

    def start(self) -> "PostgresServer":
        # As root the folder must belong to postgres and every parent must be traversable by it,
        # so it gets its own folder directly under /tmp rather than one inside pytest's 0700 tree.
        self.dir = Path(tempfile.mkdtemp(prefix="arkit-pg-", dir="/tmp" if self.as_root else self.base_dir))
        try:
            self.socket_dir.mkdir()
            if self.as_root:
                try:
                    user = pwd.getpwnam("postgres")
                except KeyError:
                    raise RuntimeError(f"running as root but there is no 'postgres' user; {INSTALL_HINT}") from None
                for path in (self.dir, self.socket_dir):
                    os.chown(path, user.pw_uid, user.pw_gid)
            self._run("initdb", "-D", str(self.data_dir), "-U", "postgres", "--auth-local=trust",
                      "--auth-host=scram-sha-256", "--encoding=UTF8", "--locale=C", "--no-sync")
            for attempt in range(3):
                self.port = _free_port()
                options = (f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.socket_dir} "
                           "-c fsync=off -c synchronous_commit=off -c full_page_writes=off")
                try:
                    self._run("pg_ctl", "-D", str(self.data_dir), "-l", str(self.dir / "server.log"),
                              "-w", "-t", "30", "-o", options, "start")
                    break
                except RuntimeError:
                    if attempt == 2:  # the free port may have been taken in between: retry
                        raise
            with psycopg.connect(self.admin_conninfo, autocommit=True) as admin:
                admin.execute(sql.SQL("CREATE ROLE arkit LOGIN PASSWORD {}").format(self.password))
                admin.execute("CREATE DATABASE ar OWNER arkit")
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        if self.dir is None:
            return
        if (self.data_dir / "postmaster.pid").exists():
            try:
                self._run("pg_ctl", "-D", str(self.data_dir), "-m", "fast", "-w", "stop")
            except (RuntimeError, subprocess.SubprocessError):
                pass
        shutil.rmtree(self.dir, ignore_errors=True)
        self.dir = None

    def __enter__(self) -> "PostgresServer":
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()


def start_postgres(password: str, tmp_dir: str | os.PathLike | None = None):
    """Start a server; return ``(url_without_password, stop)``. ``tmp_dir`` is ignored as root."""
    server = PostgresServer(password, base_dir=tmp_dir).start()
    return server.url, server.stop
