"""The kiosk over a real OpenSSH server, as docs/kiosk.md sets it up.

A private ``sshd`` (Debian's openssh-server, installed by ``.ci/run``) listens on a loopback port
with the configuration of docs/kiosk.md: key-only login of a dedicated user whose every session
runs ``sjvirtual --kiosk --server URL`` (``ForceCommand``), no forwarding of any kind, only
``COLORTERM``, ``NO_COLOR``, ``LANG`` and ``LC_*`` accepted from the client. The bundled server
runs as its own process on another loopback port. A member's terminal is a tmux pane of 80x24
running ``ssh -tt``; the test reads the pane as a person would.

Who runs the kiosk: the dedicated system user ``sjvkiosk`` (created here when missing; this needs
root, which CI is). That user must be able to run the program, and this checkout's venv often
sits behind a directory it may not enter (pyenv's interpreter under ``/root``, mode 0700). The
test does not loosen any permission; it takes the first of:

1. the venv's own ``sjvirtual``, when the kiosk user can run it (a venv and checkout all users
   can read, as docs/kiosk.md asks of a real install);
2. a launcher in a world-readable temporary directory: the system's Python of the same version,
   isolated (``-I -S``) with nothing on its path but the venv's site-packages (this checkout and
   its dependencies): the venv's console script, with another interpreter;
3. when the kiosk user cannot read the checkout at all, the same ``Match User`` block for the
   current user (root, key only) running the venv's ``sjvirtual``: everything but the dedicated
   user (and the check of what it keeps in its home) is still tested.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import sysconfig
import tempfile
import textwrap
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests import ROOT
from tests.loopback import ServerProcess, read_only

SSHD = Path("/usr/sbin/sshd")
KIOSK_USER = "sjvkiosk"
SCREEN = (80, 24)
SHORT = 20.0  # seconds: anything a member waits for on this screen


def missing_requirement() -> str | None:
    """Why the SSH tests cannot run here, or None."""
    if not SSHD.exists() or not shutil.which("ssh") or not shutil.which("ssh-keygen"):
        return "needs Debian's openssh-server and openssh-client (.ci/run installs them)"
    if not shutil.which("tmux"):
        return "needs tmux (.ci/run installs it)"
    if os.geteuid() != 0:
        return (
            "needs root: it runs sshd on a loopback port and logs in as a dedicated system user "
            "it creates (CI runs as root)"
        )
    return None


# --- the kiosk host ---------------------------------------------------------------------------


DOCS = ROOT / "docs" / "kiosk.md"


def documented_match_block(user: str, command: str) -> str:
    """docs/kiosk.md's ``Match User sjvkiosk`` block, for ``user`` and forcing ``command``."""
    text = DOCS.read_text()
    found = re.search(r"```sshd_config\n(.*?)```", text, re.DOTALL)
    assert found, "docs/kiosk.md has no ```sshd_config block"
    block = textwrap.dedent(found.group(1))
    assert block.startswith(f"Match User {KIOSK_USER}\n"), block
    assert re.search(r"^ +ForceCommand .+$", block, re.MULTILINE), block
    block = block.replace(f"Match User {KIOSK_USER}\n", f"Match User {user}\n", 1)
    return re.sub(
        r"^( +ForceCommand ).+$", lambda m: m.group(1) + command, block, count=1, flags=re.M
    )


def sshd_config(
    *, public: Path, port: int, user: str, command: str, root_login: bool = False
) -> str:
    """A private sshd on a loopback port with its own keys and files, and docs/kiosk.md's block."""
    return f"""\
# A private sshd for tests/e2e/test_ssh_kiosk.py: only {user}, only with the test's key.
ListenAddress 127.0.0.1
Port {port}
HostKey {public / "host_key"}
PidFile {public / "sshd.pid"}
AuthorizedKeysFile {public / "authorized_keys"}
StrictModes no
UsePAM no
AllowUsers {user}
PermitRootLogin {"prohibit-password" if root_login else "no"}
PubkeyAuthentication yes
PasswordAuthentication no
PermitUserEnvironment no
# As in Debian's sshd_config: the request is there, and ForceCommand must win over it.
Subsystem sftp /usr/lib/openssh/sftp-server

{documented_match_block(user, command)}"""


def run_as(user: str, *argv: str) -> bool:
    """Whether ``argv`` succeeds when run as ``user``."""
    try:
        done = subprocess.run(
            ["runuser", "-u", user, "--", *argv],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=30,
            cwd="/",
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0


def ensure_kiosk_user() -> pwd.struct_passwd:
    """The dedicated user of docs/kiosk.md: a system user with a home and no password. This
    sshd runs without PAM, which refuses a locked account (``!``, as useradd leaves it) even with
    a key: a locked one gets ``*`` instead (no password, not locked). A password of its own, if
    someone gave it one, is left alone."""
    try:
        pwd.getpwnam(KIOSK_USER)
    except KeyError:
        subprocess.run(
            ["useradd", "--system", "--create-home", "--shell", "/bin/sh", KIOSK_USER],
            check=True,
            capture_output=True,
        )
    shadow = subprocess.run(
        ["getent", "shadow", KIOSK_USER], check=True, capture_output=True, text=True
    ).stdout.split(":")
    if shadow[1].startswith("!"):
        subprocess.run(["usermod", "-p", "*", KIOSK_USER], check=True, capture_output=True)
    return pwd.getpwnam(KIOSK_USER)


def kiosk_program(public: Path) -> tuple[str, str]:
    """(user, program) per the module's docstring: who runs the kiosk, and with what."""
    venv_program = str(Path(sys.executable).parent / "sjvirtual")
    user = ensure_kiosk_user().pw_name
    if run_as(user, venv_program, "--version"):
        return user, venv_program
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    site_dirs = sorted({sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]})
    for python in (f"/usr/bin/{version}", f"/usr/local/bin/{version}"):
        if not Path(python).exists():
            continue
        launcher = public / "sjvirtual"
        launcher.write_text(
            f"#!{python} -IS\n"
            "# The venv's console script, run by the system's Python of the same version.\n"
            "import site\nimport sys\n\n"
            + "".join(f"site.addsitedir({d!r})\n" for d in site_dirs)
            + "from sjvirtual_tui.cli import main\n\nsys.exit(main())\n"
        )
        launcher.chmod(0o755)
        probe = "import pydantic_core, argon2, textual, sjvirtual_tui.app"
        if run_as(user, python, "-IS", "-c", f"{_adds(site_dirs)}; {probe}"):
            return user, str(launcher)
    return pwd.getpwuid(os.geteuid()).pw_name, venv_program


def _adds(site_dirs: list[str]) -> str:
    return "import site; " + "; ".join(f"site.addsitedir({d!r})" for d in site_dirs)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def children_of(pid: int) -> list[int]:
    """Every live descendant of ``pid``."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            state = _stat(int(entry.name))
            if state is not None and state[0] not in "ZX":
                parents[int(entry.name)] = state[1]
    found: list[int] = []
    todo = [pid]
    while todo:
        parent = todo.pop()
        kids = [child for child, ppid in parents.items() if ppid == parent]
        found += kids
        todo += kids
    return found


def _stat(pid: int) -> tuple[str, int] | None:
    """(state, parent pid) of a process, or None if it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return fields[0], int(fields[1])


def _cmdline(pid: int) -> list[str]:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace").split("\0")
    except OSError:
        return []


@dataclass
class KioskHost:
    """The bundled server, a private sshd running the kiosk, and a client key for it."""

    server: ServerProcess
    db_path: Path
    public: Path  # world-readable: config, host key, authorized_keys, launcher
    client_key: Path
    port: int
    user: str
    program: str
    sshd: subprocess.Popen[bytes] | None = None
    home: Path = field(init=False)

    def __post_init__(self) -> None:
        self.home = Path(pwd.getpwnam(self.user).pw_dir)

    @property
    def dedicated(self) -> bool:
        return self.user == KIOSK_USER

    @property
    def sshd_log(self) -> str:
        try:
            return (self.public / "sshd.log").read_text(errors="replace")[-3000:]
        except OSError:
            return ""

    def ssh_argv(self, *options: str, command: tuple[str, ...] = ()) -> list[str]:
        return [
            "ssh",
            "-F",
            "/dev/null",
            *options,
            "-p",
            str(self.port),
            "-i",
            str(self.client_key),
            "-o",
            "IdentitiesOnly=yes",
            "-o",
            "BatchMode=yes",
            "-o",
            "StrictHostKeyChecking=no",
            "-o",
            "UserKnownHostsFile=/dev/null",
            "-o",
            "LogLevel=ERROR",
            f"{self.user}@127.0.0.1",
            *command,
        ]

    def kiosk_pids(self) -> list[int]:
        """Live processes running the kiosk against this test's server (its URL is unique)."""
        pids = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            pid = int(entry.name)
            argv = _cmdline(pid)
            state = _stat(pid)
            if (
                state is not None
                and state[0] not in "ZX"
                and any("sjvirtual" in arg for arg in argv)
                and self.server.url in argv
            ):
                pids.append(pid)
        return pids

    def sessions_left(self) -> list[int]:
        """sshd's per-connection processes (and anything they started) still alive."""
        assert self.sshd is not None
        return children_of(self.sshd.pid)

    def open_sessions(self) -> set[str]:
        """Server sessions not ended (token hashes)."""
        conn = read_only(self.db_path)
        try:
            rows = conn.execute("SELECT token_hash FROM sessions WHERE ended_at IS NULL")
            return {row[0] for row in rows}
        finally:
            conn.close()


def start_sshd(host: KioskHost) -> None:
    command = f"{host.program} --kiosk --server {host.server.url}"
    config = host.public / "sshd_config"
    for _attempt in range(3):  # the free port may be taken in between: try another
        host.port = free_port()
        config.write_text(
            sshd_config(
                public=host.public,
                port=host.port,
                user=host.user,
                command=command,
                root_login=host.user == "root",
            )
        )
        log = (host.public / "sshd.log").open("wb")
        host.sshd = subprocess.Popen(
            [str(SSHD), "-D", "-e", "-f", str(config)],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and host.sshd.poll() is None:
            if "Server listening" in host.sshd_log:
                return
            time.sleep(0.05)
        host.sshd.kill()
        host.sshd.wait()
        if "Address already in use" not in host.sshd_log:
            break
    raise RuntimeError(f"sshd did not start:\n{host.sshd_log}")


@pytest.fixture(scope="module")
def kiosk_host(
    _seeded_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[KioskHost]:
    reason = missing_requirement()
    if reason:
        pytest.skip(reason)
    private = tmp_path_factory.mktemp("ssh-kiosk")
    # tmp_path lives under a directory only root may enter; sshd reads authorized_keys, and the
    # kiosk user runs the launcher, from this one.
    public = Path(tempfile.mkdtemp(prefix="sjv-kiosk-"))
    public.chmod(0o755)
    server: ServerProcess | None = None
    host: KioskHost | None = None
    try:
        keygen = ["ssh-keygen", "-q", "-t", "ed25519", "-N", ""]
        subprocess.run([*keygen, "-f", str(public / "host_key")], check=True)
        subprocess.run([*keygen, "-f", str(private / "client_key")], check=True)
        shutil.copyfile(private / "client_key.pub", public / "authorized_keys")
        (public / "authorized_keys").chmod(0o644)
        # sshd's privilege separation directory (made by the init script, which never ran).
        Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)

        db_path = private / "sjvirtual.sqlite"
        shutil.copyfile(_seeded_template, db_path)
        server = ServerProcess(db_path)
        server.start()
        user, program = kiosk_program(public)
        host = KioskHost(server, db_path, public, private / "client_key", 0, user, program)
        start_sshd(host)
        yield host
    finally:
        if host is not None and host.sshd is not None:
            leftovers = host.sessions_left() + host.kiosk_pids()
            host.sshd.terminate()
            for pid in leftovers:
                _kill(pid)
            try:
                host.sshd.wait(timeout=10)
            except subprocess.TimeoutExpired:
                host.sshd.kill()
                host.sshd.wait()
        if server is not None:
            server.stop()
        shutil.rmtree(public, ignore_errors=True)


def _kill(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)


# --- the member's terminal: a tmux pane -------------------------------------------------------


class Pane:
    """One tmux session of 80x24 on a private socket (never the user's own tmux)."""

    def __init__(self, socket_name: str, config: Path, status_file: Path) -> None:
        self.socket_name = socket_name
        self.config = config
        self.status_file = status_file
        self.target = "kiosk"
        self.socket_path = ""

    def tmux(self, *args: str) -> str:
        done = subprocess.run(
            ["tmux", "-L", self.socket_name, "-f", str(self.config), *args],
            capture_output=True,
            text=True,
            timeout=10,
        )
        if done.returncode != 0:
            raise RuntimeError(f"tmux {args[0]}: {done.stderr.strip()}")
        return done.stdout

    def start(self, argv: list[str], env: dict[str, str]) -> None:
        """Runs ``argv`` in the pane; its exit status goes to ``status_file`` (tmux's own
        ``pane_dead_status`` is now and then never filled in)."""
        width, height = SCREEN
        status = shlex.quote(str(self.status_file))
        command = ["sh", "-c", f"{shlex.join(argv)}; echo $? > {status}"]
        sets = [arg for name, value in env.items() for arg in ("-e", f"{name}={value}")]
        self.tmux(
            "new-session",
            "-d",
            "-s",
            self.target,
            "-x",
            str(width),
            "-y",
            str(height),
            *sets,
            *command,
        )
        self.socket_path = self.tmux("display-message", "-p", "#{socket_path}").strip()

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p", "-t", self.target)

    def keys(self, *keys: str) -> None:
        self.tmux("send-keys", "-t", self.target, *keys)

    def type(self, text: str) -> None:
        self.tmux("send-keys", "-t", self.target, "-l", text)

    def exit_status(self) -> int | None:
        """The exit status of the pane's program, once it has ended."""
        try:
            return int(self.status_file.read_text())
        except (OSError, ValueError):
            return None

    def program_pid(self, name: str) -> int | None:
        """The pid of the pane's ``name`` process (under the pane's shell), if it runs."""
        shell = int(self.tmux("display-message", "-p", "-t", self.target, "#{pane_pid}"))
        for pid in children_of(shell):
            with contextlib.suppress(OSError):
                if Path(f"/proc/{pid}/comm").read_text().strip() == name:
                    return pid
        return None

    def kill_server(self) -> None:
        with contextlib.suppress(RuntimeError, subprocess.TimeoutExpired):
            self.tmux("kill-server")
        if self.socket_path:  # tmux leaves it behind
            Path(self.socket_path).unlink(missing_ok=True)


@pytest.fixture
def pane(tmp_path: Path) -> Iterator[Pane]:
    config = tmp_path / "tmux.conf"
    # The pane stays after ssh ends, so what it last showed can be read.
    config.write_text("set -g remain-on-exit on\nset -g status off\n")
    name = f"sjv-kiosk-test-{os.getpid()}-{time.monotonic_ns()}"
    terminal = Pane(name, config, tmp_path / "ssh-exit-status")
    try:
        yield terminal
    finally:
        terminal.kill_server()


def wait_until(
    what: str, check: Callable[[], object], host: KioskHost, pane: Pane | None = None
) -> object:
    deadline = time.monotonic() + SHORT
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            screen = pane.screen() if pane is not None else ""
            state = f"exit status {pane.exit_status()}" if pane is not None else ""
            processes = "\n".join(
                f"{pid} {_stat(pid)} {' '.join(_cmdline(pid))}"
                for pid in host.sessions_left() + host.kiosk_pids()
            )
            pytest.fail(
                f"timed out waiting for {what}\n--- screen:\n{screen}\n--- pane: {state}\n"
                f"--- processes:\n{processes}\n--- sshd:\n{host.sshd_log}"
            )
        time.sleep(0.1)


def wait_for_text(pane: Pane, host: KioskHost, text: str) -> str:
    """The screen, once ``text`` shows on it."""

    def shown() -> str:
        screen = pane.screen()
        if text not in screen and pane.exit_status() is not None:
            pytest.fail(
                f"ssh ended before {text!r} showed\n--- screen:\n{screen}\n"
                f"--- sshd:\n{host.sshd_log}"
            )
        return screen if text in screen else ""

    screen = wait_until(repr(text), shown, host, pane)
    assert isinstance(screen, str)
    return screen


def connect(pane: Pane, host: KioskHost) -> None:
    """The member's terminal opens the kiosk: ``ssh -tt``, sending LANG (accepted) and an SJV_
    variable (which the kiosk must never take from the client)."""
    argv = host.ssh_argv("-tt", "-o", "SendEnv=LANG", "-o", "SendEnv=SJV_SERVER_URL")
    env = {"LANG": "es_EC.UTF-8", "SJV_SERVER_URL": "http://203.0.113.9/"}
    pane.start(argv, env)
    wait_for_text(pane, host, "INGRESAR")


def home_files(home: Path) -> dict[Path, tuple[int, int]]:
    files = {}
    for path in home.rglob("*"):
        if path.is_file():
            info = path.stat()
            files[path] = (info.st_mtime_ns, info.st_size)
    return files


# --- the tests --------------------------------------------------------------------------------


def test_kiosk_over_ssh_logs_in_and_a_killed_client_leaves_nothing(
    kiosk_host: KioskHost, pane: Pane
) -> None:
    host = kiosk_host
    before = home_files(host.home) if host.dedicated else {}
    sessions_before = host.open_sessions()

    connect(pane, host)
    pane.type("demo")
    pane.keys("Enter")
    wait_for_text(pane, host, "SIGUIENTE")  # the password step, with the security image
    pane.type("Demo2026")
    pane.keys("Enter")
    wait_for_text(pane, host, "POSICIÓN CONSOLIDADA")
    screen = wait_for_text(pane, host, "00104721")  # the accounts arrive after the title
    rows = [line for line in screen.splitlines() if "00104721" in line]
    assert rows and "Ahorro a la vista" in rows[0] and "$" in rows[0], screen
    assert len(screen.splitlines()) <= SCREEN[1]
    assert host.open_sessions() - sessions_before, "no session was opened on the server"

    # The kiosk runs as the user sshd logged in, and took from the client only what
    # AcceptEnv lets through.
    (kiosk,) = host.kiosk_pids()
    assert pwd.getpwuid(Path(f"/proc/{kiosk}").stat().st_uid).pw_name == host.user
    environ = Path(f"/proc/{kiosk}/environ").read_bytes().split(b"\0")
    assert b"LANG=es_EC.UTF-8" in environ
    assert not any(item.startswith(b"SJV_SERVER_URL=") for item in environ)

    # The member's end of the link dies (a kiosk terminal switched off, a dropped link).
    ssh_pid = pane.program_pid("ssh")
    assert ssh_pid is not None, pane.screen()
    os.kill(ssh_pid, signal.SIGKILL)
    started = time.monotonic()
    wait_until(
        "every kiosk and sshd session process to end",
        lambda: not host.kiosk_pids() and not host.sessions_left(),
        host,
    )
    elapsed = time.monotonic() - started
    assert elapsed < 10, f"the kiosk took {elapsed:.1f} s to end after the hang-up"
    # It left as Ctrl+Q does: the session is ended on the server, not left to expire.
    assert not host.open_sessions() - sessions_before

    if host.dedicated:
        # Nothing is kept on the kiosk host but the log, and the log holds no password.
        after = home_files(host.home)
        changed = [path for path, info in after.items() if before.get(path) != info]
        log_dir = host.home / ".local" / "state" / "sjvirtual-tui"
        assert all(log_dir in path.parents for path in changed), changed
        for path in changed:
            assert "Demo2026" not in path.read_text(errors="replace")


def test_ctrl_q_ends_the_ssh_session_and_ctrl_z_does_not_stop_the_kiosk(
    kiosk_host: KioskHost, pane: Pane
) -> None:
    host = kiosk_host
    connect(pane, host)
    (kiosk,) = host.kiosk_pids()
    # Ctrl+Z is a key like any other (the terminal's ISIG is off): under ForceCommand there is
    # no shell to resume a stopped job, so a stop would hang the kiosk for good.
    pane.keys("C-z")
    time.sleep(0.5)
    state = _stat(kiosk)
    assert state is not None and state[0] not in "Tt", "Ctrl+Z stopped the kiosk"
    pane.type("demo")
    pane.keys("Enter")
    wait_for_text(pane, host, "SIGUIENTE")  # still answering

    pane.keys("C-q")
    wait_until("ssh to end after Ctrl+Q", lambda: pane.exit_status() is not None, host, pane)
    assert pane.exit_status() == 0, pane.screen()
    wait_until(
        "every kiosk process to end",
        lambda: not host.kiosk_pids() and not host.sessions_left(),
        host,
    )


NO_TERMINAL = {
    # (ssh options, remote command, stdin an open pipe, the refusal reaches the client)
    # An open pipe nobody writes to or closes: the refusal must not wait for the end of input,
    # or an `ssh -T` would leave the program running.
    "ssh -T, stdin an open pipe": ((), (), True, True),
    "ssh -T, stdin closed": ((), (), False, True),
    # ForceCommand runs instead of whatever the client asks for. sshd drops a subsystem's
    # stderr, so sftp sees only the exit status.
    "a command of its own": ((), ("cat", "/etc/passwd"), False, True),
    "the sftp subsystem": (("-s",), ("sftp",), False, False),
}


@pytest.mark.parametrize("case", list(NO_TERMINAL))
def test_ssh_without_a_terminal_is_refused_in_one_line(
    kiosk_host: KioskHost, case: str, tmp_path: Path
) -> None:
    host = kiosk_host
    options, command, open_pipe, shown = NO_TERMINAL[case]
    output = tmp_path / "output"
    with output.open("wb") as sink:
        client = subprocess.Popen(
            host.ssh_argv("-T", *options, command=command),
            stdin=subprocess.PIPE if open_pipe else subprocess.DEVNULL,
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    try:
        client.wait(timeout=SHORT)
    finally:
        if client.stdin is not None:
            client.stdin.close()
        if client.poll() is None:
            client.kill()
            client.wait()
    text = output.read_text()
    assert client.returncode == 2, text
    assert "root:" not in text
    if shown:
        assert "no es una terminal" in text
        assert len(text.strip().splitlines()) == 1, text
    wait_until(
        "the refused session to end",
        lambda: not host.kiosk_pids() and not host.sessions_left(),
        host,
    )


def test_the_kiosk_account_forwards_nothing(kiosk_host: KioskHost) -> None:
    """No tunnel through the kiosk host: here to the bank's server itself (``ssh -W``); the
    client gets no answer from it."""
    host = kiosk_host
    server_port = host.server.url.rsplit(":", 1)[1].strip("/")
    done = subprocess.run(
        host.ssh_argv("-W", f"127.0.0.1:{server_port}"),
        input=b"GET /health HTTP/1.0\r\n\r\n",
        capture_output=True,
        timeout=SHORT,
    )
    assert done.returncode == 255, done
    assert b"HTTP/" not in done.stdout
    assert b"forwarding failed" in done.stderr or b"prohibited" in done.stderr, done.stderr
    assert not host.kiosk_pids()


# --- the hang-up handler on its own (no sshd needed) -------------------------------------------

HANGUP_SCRIPT = """
import asyncio, os, signal, sys, time
from sjvirtual_tui import kiosk

class App:  # an app that never gets out: its exit blocks the loop
    def exit(self, result=None, return_code=0):
        print("exit", return_code, flush=True)
        time.sleep(60)

kiosk.end_on_hangup(App(), grace=0.5)

async def main():
    os.kill(os.getpid(), signal.SIGHUP)
    await asyncio.sleep(60)

if sys.argv[1] == "running":
    asyncio.run(main())
else:  # before the app's loop runs
    os.kill(os.getpid(), signal.SIGTERM)
    time.sleep(60)
"""


@pytest.mark.parametrize("when", ["running", "not running"])
def test_a_hang_up_always_ends_the_process(when: str) -> None:
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-c", HANGUP_SCRIPT, when],
        capture_output=True,
        text=True,
        timeout=SHORT,
    )
    assert time.monotonic() - started < 10
    if when == "running":
        # The app was asked to leave with 128 + SIGHUP, and ended by the watchdog when it hung.
        assert done.stdout == "exit 129\n", done
        assert done.returncode == 129, done
    else:
        assert done.returncode == -signal.SIGTERM, done
