"""`make serve` as a team runs it: DEBUG off, gunicorn and a worker on PostgreSQL, in
processes of their own. Health and readiness, the admin's styles, no debug page, a job
run by the worker, readiness lost and regained with the database, and a stop that stops
every process."""

from __future__ import annotations

import io
import json
import os
import re
import secrets
import signal
import subprocess
import sys
import urllib.error
import urllib.request

import psycopg
import pytest

from tests.stack import PG, ROOT, Stack, free_port, wait_until

pytestmark = pytest.mark.integration

PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "127.0.0.1",
    "LABEL_STUDIO_URL": "http://127.0.0.1:9",
    "LABEL_STUDIO_API_KEY": "k" * 40,
    "LABEL_STUDIO_WEBHOOK_SECRET": "a-webhook-secret",
    "SECURE_COOKIES": "false",  # plain http on this machine
    "WEB_CONCURRENCY": "2",
    "WEB_THREADS": "2",
    "JOB_WORKERS": "1",
}


def get(url: str, **headers: str) -> tuple[int, dict, bytes]:
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status, dict(answer.headers), answer.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()
    except OSError:
        return 0, {}, b""


def post_file(url: str, token: str, name: str, content: bytes) -> dict:
    boundary = secrets.token_hex(8)
    body = io.BytesIO()
    body.write(f'--{boundary}\r\nContent-Disposition: form-data; name="files"; '
               f'filename="{name}"\r\nContent-Type: application/json\r\n\r\n'.encode())  # fmt: skip
    body.write(content + f"\r\n--{boundary}--\r\n".encode())
    request = urllib.request.Request(url, data=body.getvalue(), method="POST", headers={
        "Authorization": f"Token {token}",
        "Content-Type": f"multipart/form-data; boundary={boundary}",
    })  # fmt: skip
    with urllib.request.urlopen(request, timeout=30) as answer:
        return json.loads(answer.read())


def post_json(url: str, token: str, data: dict) -> dict:
    request = urllib.request.Request(url, data=json.dumps(data).encode(), method="POST",
                                     headers={"Authorization": f"Token {token}",
                                              "Content-Type": "application/json"})  # fmt: skip
    with urllib.request.urlopen(request, timeout=30) as answer:
        return json.loads(answer.read())


def set_connections(database: str, allowed: bool) -> None:
    with psycopg.connect(f"{PG}/postgres", autocommit=True) as admin:
        admin.execute(f'ALTER DATABASE "{database}" WITH ALLOW_CONNECTIONS {str(allowed).lower()}')
        if not allowed:
            admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                          "WHERE datname = %s", [database])  # fmt: skip


def test_serve_runs_the_service_for_a_team_and_stops_as_one(tmp_path):
    stack = Stack(tmp_path, postgres=True, **PRODUCTION)
    try:
        port = free_port()
        serve = stack.start("serve", "--port", str(port), log="serve")
        url = f"http://127.0.0.1:{port}"
        wait_until(lambda: get(f"{url}/healthz")[0] == 200, 120, "serve to answer")
        wait_until(lambda: get(f"{url}/readyz")[0] == 200, 60, "serve to be ready")
        status, headers, body = get(f"{url}/readyz")
        checks = json.loads(body)["checks"]
        assert {name: check["ok"] for name, check in checks.items()} == {
            "database": True, "inbox": True, "worker": True, "labelstudio": False
        }  # fmt: skip
        assert headers["Server"] == "gunicorn"

        # The admin with its styles, served under hashed names.
        status, headers, body = get(f"{url}/admin/login/")
        assert status == 200 and headers["X-Frame-Options"] == "DENY"
        assert headers["X-Content-Type-Options"] == "nosniff"
        [css] = re.findall(rb'href="(/static/admin/css/base\.[0-9a-f]+\.css)"', body)
        status, headers, body = get(url + css.decode())
        assert status == 200 and headers["Content-Type"].startswith("text/css") and body
        assert "max-age=" in headers["Cache-Control"]

        # No debug page: a missing page says only that.
        status, _, body = get(f"{url}/no/such/page/")
        assert status == 404 and b"Traceback" not in body and b"URLconf" not in body
        status, _, body = get(f"{url}/api/no-such-thing/")
        assert status == 404 and json.loads(body) == {"detail": "Not found."}

        # The worker runs a job started through the API.
        token = stack.query(
            "from django.contrib.auth.models import User\n"
            "from rest_framework.authtoken.models import Token\n"
            "user = User.objects.create_superuser('ops', 'ops@example.com', 'pw')\n"
            "Token.objects.create(user=user).key"
        )
        post_json(f"{url}/api/collections/", token, {"name": "served"})
        line = json.dumps({"id": "d1", "title": "T", "text": '"We will," said Ana Lopez.'})
        job = post_file(f"{url}/api/collections/served/import/", token, "one.jsonl",
                        line.encode())  # fmt: skip

        def job_status() -> str:
            _, _, body = get(f"{url}/api/jobs/{job['id']}/", Authorization=f"Token {token}")
            return json.loads(body)["status"]

        wait_until(lambda: job_status() == "done", 60, "the import job")

        # The database goes away: not ready; it comes back: ready again.
        set_connections(stack.pg_name, allowed=False)
        try:
            wait_until(lambda: get(f"{url}/readyz")[0] == 503, 30, "readiness to drop")
            _, _, body = get(f"{url}/readyz")
            assert json.loads(body)["checks"]["database"]["ok"] is False
        finally:
            set_connections(stack.pg_name, allowed=True)
        wait_until(lambda: get(f"{url}/readyz")[0] == 200, 60, "readiness to come back")

        # A signal to serve stops the web server and the worker with it.
        serve.send_signal(signal.SIGTERM)
        assert serve.wait(timeout=60) == 0
        with pytest.raises(ProcessLookupError):
            os.killpg(serve.pid, 0)
    finally:
        stack.close()


@pytest.mark.parametrize(
    ("unset", "message"),
    [
        ("SECRET_KEY", "SECRET_KEY must be set when DEBUG is off"),
        ("LABEL_STUDIO_WEBHOOK_SECRET", "LABEL_STUDIO_WEBHOOK_SECRET is not set"),
    ],
)
def test_serve_refuses_to_start_without_a_required_setting(tmp_path, unset, message):
    env = {**os.environ, **PRODUCTION, "VAR_DIR": str(tmp_path), "PORT": str(free_port())}
    env.pop(unset)
    done = subprocess.run([sys.executable, "manage.py", "serve"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)  # fmt: skip
    assert done.returncode != 0
    assert message in done.stderr
    assert "Traceback" not in done.stderr
