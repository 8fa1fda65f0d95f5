import os
import socket
from pathlib import Path

import pytest

from annotations.labelstudio import server


def config(tmp_path: Path, **changes) -> server.ServerConfig:
    values = {"venv": tmp_path / "venv", "data_dir": tmp_path / "data", "port": 18080}
    account = {"username": "a@example.com", "password": "pw-123456", "token": "t" * 40}
    return server.ServerConfig(**{**values, **account, **changes})


def test_environment_turns_telemetry_off_and_passes_nothing_stray(tmp_path, monkeypatch):
    for stray in ("HOST", "PORT", "USERNAME", "PASSWORD", "DEBUG", "DATABASE_URL", "SECRET_KEY"):
        monkeypatch.setenv(stray, "x")
    env = server.environment(config(tmp_path))
    assert not {
        "HOST",
        "PORT",
        "USERNAME",
        "PASSWORD",
        "DEBUG",
        "DATABASE_URL",
        "SECRET_KEY",
    } & set(env)
    assert env["LATEST_VERSION_CHECK"] == env["COLLECT_ANALYTICS"] == "false"
    assert env["SENTRY_DSN"] == env["FRONTEND_SENTRY_DSN"] == ""
    assert env["LABEL_STUDIO_BASE_DATA_DIR"] == str(tmp_path / "data")
    assert env["XDG_CONFIG_HOME"].startswith(str(tmp_path / "data"))
    assert env["PATH"] == os.environ["PATH"]


def test_missing_installation_is_explained(tmp_path):
    with pytest.raises(server.ServerError, match="run `make setup` to install Label Studio"):
        server.start(config(tmp_path))


def test_taken_port_is_refused_before_anything_starts(tmp_path):
    (tmp_path / "venv" / "bin").mkdir(parents=True)
    (tmp_path / "venv" / "bin" / "label-studio").write_text("")
    with socket.socket() as squatter:
        squatter.bind((server.LOOPBACK, 0))
        squatter.listen()
        port = squatter.getsockname()[1]
        with pytest.raises(server.ServerError, match=f"port {port} on 127.0.0.1 is taken"):
            server.start(config(tmp_path, port=port))
    assert not (tmp_path / "data").exists()


def test_stop_without_a_server(tmp_path):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "label-studio.pid").write_text("999999999")
    assert server.stop(config(tmp_path)) is False
    assert not (tmp_path / "data" / "label-studio.pid").exists()


def test_new_data_folder_copies_a_template_made_with_the_same_account(tmp_path):
    template = tmp_path / "template"
    template.mkdir()
    (template / "label_studio.sqlite3").write_text("db")
    (template / ".credentials").write_text(config(tmp_path).credentials_stamp())
    server.prepare_data_dir(config(tmp_path, template_dir=template))
    assert (tmp_path / "data" / "label_studio.sqlite3").read_text() == "db"
    other = config(tmp_path, data_dir=tmp_path / "other", token="u" * 40, template_dir=template)
    server.prepare_data_dir(other)
    assert not (tmp_path / "other" / "label_studio.sqlite3").exists()


def test_a_postgresql_database_is_given_as_label_studios_own_variables(tmp_path):
    url = "postgres://ls%40team:p%2Fw@db.internal:6543/labelstudio"
    env = server.environment(config(tmp_path, database_url=url))
    assert {k: v for k, v in env.items() if k.startswith(("POSTGRE_", "DJANGO_DB"))} == {
        "DJANGO_DB": "postgresql", "POSTGRE_NAME": "labelstudio", "POSTGRE_USER": "ls@team",
        "POSTGRE_PASSWORD": "p/w", "POSTGRE_HOST": "db.internal", "POSTGRE_PORT": "6543",
    }  # fmt: skip
    with pytest.raises(server.ServerError, match="must look like postgres://"):
        server.environment(config(tmp_path, database_url="mysql://db/x"))
    with pytest.raises(server.ServerError, match="on PostgreSQL Label Studio keeps at most 40"):
        server.start(config(tmp_path, database_url=url, token="t" * 41))


@pytest.mark.integration
def test_label_studio_runs_on_its_own_postgresql_database(tmp_path, settings):
    import uuid

    import psycopg

    from annotations.labelstudio.client import LabelStudioClient
    from tests.live import unavailable
    from tests.stack import PG, free_port

    if not (settings.LABEL_STUDIO_VENV / "bin" / "label-studio").exists():
        unavailable("Label Studio is not installed; run `make setup`")
    name = f"ls_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(f"{PG}/postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    live = server.ServerConfig(
        venv=settings.LABEL_STUDIO_VENV, data_dir=tmp_path / "data", port=free_port(),
        username="admin@example.com", password="admin-pass-123", token="t0k" * 13,
        database_url=f"{PG}/{name}",
    )  # fmt: skip
    try:
        server.start(live, timeout=300)
        with LabelStudioClient(live.url, live.token) as client:
            project = client.project_create(title="on postgres", label_config="<View/>")
        with psycopg.connect(f"{PG}/{name}") as database:
            stored = database.execute("SELECT title FROM project WHERE id = %s", [project["id"]])
            assert stored.fetchone() == ("on postgres",)
        assert not (live.data_dir / "label_studio.sqlite3").exists()
    finally:
        server.stop(live)
        with psycopg.connect(f"{PG}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
