"""Starting and stopping a local Label Studio in its own virtualenv.

Label Studio is bound to 127.0.0.1 with telemetry off, its data under one
folder. It is started detached, with a pid file, and waited for until
`/health` answers on the expected port: Label Studio itself would quietly move
to the next port when the one asked for is taken, so a taken port is refused
here first.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

LOOPBACK = "127.0.0.1"
# Every variable that could reach the network or change Label Studio's behaviour
# is set here; nothing else from our environment is passed on (it reads plain
# HOST, PORT, USERNAME, PASSWORD and DEBUG as its own settings).
OFFLINE_ENVIRONMENT = {
    "DJANGO_DB": "sqlite",
    "LATEST_VERSION_CHECK": "false",
    "COLLECT_ANALYTICS": "false",
    "SENTRY_DSN": "",
    "FRONTEND_SENTRY_DSN": "",
    "LABEL_STUDIO_DISABLE_SIGNUP_WITHOUT_LINK": "true",
    "LABEL_STUDIO_ENABLE_LEGACY_API_TOKEN": "true",
    # Webhooks and the ML backend on this machine (127.0.0.1) must be reachable; each
    # has its own switch.
    "SSRF_PROTECTION_ENABLED": "false",
    "ML_BLOCK_LOCAL_IP": "false",
}
PASSED_THROUGH = ("PATH", "HOME", "LANG", "LC_ALL", "TZ", "TMPDIR")
# Servers started by this process, kept until stopped (a dropped Popen of a live
# process is reported as a leak).
_children: dict[int, subprocess.Popen] = {}


class ServerError(RuntimeError):
    pass


@dataclass(frozen=True)
class ServerConfig:
    venv: Path
    data_dir: Path
    port: int
    username: str
    password: str
    token: str
    template_dir: Path | None = None
    # Label Studio's own PostgreSQL database (postgres://user:password@host:port/name);
    # empty: SQLite in the data folder.
    database_url: str = ""

    @property
    def executable(self) -> Path:
        return self.venv / "bin" / "label-studio"

    @property
    def pid_file(self) -> Path:
        return self.data_dir / "label-studio.pid"

    @property
    def log_file(self) -> Path:
        return self.data_dir / "label-studio.log"

    @property
    def url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"

    def credentials_stamp(self) -> str:
        """Which admin account a data folder was made with."""
        account = json.dumps([self.username, self.password, self.token])
        return hashlib.sha256(account.encode()).hexdigest()


def environment(config: ServerConfig) -> dict[str, str]:
    env = {name: os.environ[name] for name in PASSED_THROUGH if name in os.environ}
    env.update(OFFLINE_ENVIRONMENT)
    env["LABEL_STUDIO_BASE_DATA_DIR"] = str(config.data_dir)
    env["XDG_CONFIG_HOME"] = str(config.data_dir / "xdg-config")
    if config.database_url:
        env.update(postgres_environment(config.database_url))
    return env


def postgres_environment(url: str) -> dict[str, str]:
    """Label Studio's variables for its PostgreSQL database, from a database URL."""
    parts = urlsplit(url)
    name = unquote(parts.path.lstrip("/"))
    if parts.scheme not in ("postgres", "postgresql") or not parts.hostname or not name:
        raise ServerError(
            "LABEL_STUDIO_DATABASE_URL must look like postgres://user:password@host:5432/name, "
            f"not {parts.scheme or '(no scheme)'}://…"
        )
    return {
        "DJANGO_DB": "postgresql",
        "POSTGRE_NAME": name,
        "POSTGRE_USER": unquote(parts.username or "postgres"),
        "POSTGRE_PASSWORD": unquote(parts.password or ""),
        "POSTGRE_HOST": parts.hostname,
        "POSTGRE_PORT": str(parts.port or 5432),
    }


def port_is_free(port: int, host: str = LOOPBACK) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def healthy(url: str, timeout: float = 2.0) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/health", timeout=timeout) as response:
            return json.loads(response.read() or b"{}").get("status") == "UP"
    except (OSError, ValueError, urllib.error.URLError):
        return False


def running_pid(config: ServerConfig) -> int | None:
    """The pid from the pid file, if that process is still alive."""
    try:
        pid = int(config.pid_file.read_text().strip())
        os.kill(pid, 0)
    except (OSError, ValueError):
        return None
    return pid


def start(config: ServerConfig, *, timeout: float = 120.0) -> int:
    """Start Label Studio detached and wait until it is healthy; returns its pid."""
    if not (config.username and config.password and len(config.token) > 5):
        raise ServerError(
            "the local Label Studio needs LABEL_STUDIO_USERNAME, LABEL_STUDIO_PASSWORD and "
            "LABEL_STUDIO_API_KEY (more than 5 characters)"
        )
    if config.database_url and len(config.token) > 40:
        raise ServerError(
            f"LABEL_STUDIO_API_KEY has {len(config.token)} characters; on PostgreSQL Label Studio "
            "keeps at most 40 (e.g. `python -c 'import secrets; print(secrets.token_hex(20))'`)"
        )
    if not config.executable.exists():
        raise ServerError(
            f"{config.executable} is missing; run `make setup` to install Label Studio"
        )
    pid = running_pid(config)
    if pid is not None and healthy(config.url):
        return pid
    if not port_is_free(config.port):
        raise ServerError(
            f"port {config.port} on {LOOPBACK} is taken; Label Studio would silently move to "
            "another port. Stop what uses it or choose another port in LABEL_STUDIO_URL"
        )
    prepare_data_dir(config)
    command = [str(config.executable), "start", "--no-browser", "--enable-legacy-api-token"]
    command += ["--internal-host", LOOPBACK, "--port", str(config.port)]
    command += ["--data-dir", str(config.data_dir), "--username", config.username]
    command += ["--password", config.password, "--user-token", config.token]
    with config.log_file.open("ab") as log:
        process = subprocess.Popen(
            command,
            env=environment(config),
            cwd=config.data_dir,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    _children[process.pid] = process
    config.pid_file.write_text(str(process.pid))
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            _children.pop(process.pid, None)
            config.pid_file.unlink(missing_ok=True)
            raise ServerError(
                f"Label Studio exited with status {process.returncode}; last lines of "
                f"{config.log_file}:\n{_tail(config.log_file)}"
            )
        if healthy(config.url):
            return process.pid
        time.sleep(0.5)
    stop(config)
    raise ServerError(
        f"Label Studio did not become healthy within {timeout:.0f} s; see {config.log_file}"
    )


def stop(config: ServerConfig, *, timeout: float = 20.0) -> bool:
    """Stop the Label Studio started from this data folder; False if none was running."""
    pid = running_pid(config)
    if pid is None:
        config.pid_file.unlink(missing_ok=True)
        return False
    _signal_group(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and _alive(pid):
        time.sleep(0.2)
    if _alive(pid):
        _signal_group(pid, signal.SIGKILL)
    child = _children.pop(pid, None)
    if child is not None:
        child.wait(timeout=timeout)
    config.pid_file.unlink(missing_ok=True)
    return True


def prepare_data_dir(config: ServerConfig) -> None:
    """A new data folder starts as a copy of the migrated template, when one matches.

    A fresh Label Studio database takes ~25 s of migrations; a copy starts in ~3 s.
    On PostgreSQL the first start migrates.
    """
    if config.database_url or (config.data_dir / "label_studio.sqlite3").exists():
        config.data_dir.mkdir(parents=True, exist_ok=True)
        return
    if _template_matches(config.template_dir, config):
        leftovers = shutil.ignore_patterns("*.pid", "*.log")
        shutil.copytree(config.template_dir, config.data_dir, dirs_exist_ok=True, ignore=leftovers)
        return
    config.data_dir.mkdir(parents=True, exist_ok=True)
    (config.data_dir / ".credentials").write_text(config.credentials_stamp())


def make_template(config: ServerConfig) -> bool:
    """Create the migrated template data folder once; False if it already existed."""
    template = config.template_dir
    if template is None:
        raise ServerError("no template folder configured")
    if _template_matches(template, config):
        return False
    shutil.rmtree(template, ignore_errors=True)
    builder = dataclasses.replace(config, data_dir=template, template_dir=None)
    start(builder)
    stop(builder)
    for leftover in ("label-studio.log", "label-studio.pid"):
        (template / leftover).unlink(missing_ok=True)
    return True


def _template_matches(template: Path | None, config: ServerConfig) -> bool:
    if template is None or not (template / "label_studio.sqlite3").exists():
        return False
    stamp = template / ".credentials"
    return stamp.exists() and stamp.read_text() == config.credentials_stamp()


def _signal_group(pid: int, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, sig)


def _alive(pid: int) -> bool:
    try:
        finished, _ = os.waitpid(pid, os.WNOHANG)
        if finished == pid:
            return False
    except ChildProcessError:
        pass
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    return True


def _tail(path: Path, lines: int = 15) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"
