from __future__ import annotations

import dataclasses
import json
import socket
from urllib.parse import urlsplit

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from annotations.errors import NotFound
from annotations.labelstudio import server, sync
from annotations.labelstudio.client import LabelStudioError
from annotations.models import Collection
from annotations.selectors import collection_named


class Command(BaseCommand):
    help = (
        "Label Studio: `serve` starts (or --stop stops) the local server; `setup`, `push`, "
        "`pull` and `status` keep a collection and its project in step."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        serve = actions.add_parser("serve", help="start the local Label Studio and wait for it")
        serve.add_argument("--stop", action="store_true", help="stop it instead")
        actions.add_parser("template", help="make the migrated data folder new servers copy")
        actions.add_parser("invite", help="print the sign-up link for new annotators")
        for name, text in [
            ("setup", "create or update the project, its labeling config and webhook"),
            ("push", "send documents as tasks, with their latest predictions"),
            ("pull", "bring annotations back and reconcile deletions"),
            ("status", "what is in step and what is not"),
        ]:
            sub = actions.add_parser(name, help=text)
            sub.add_argument("--collection", required=True)
            if name == "status":
                sub.add_argument("--json", action="store_true")
            if name == "pull":
                sub.add_argument(
                    "--full",
                    action="store_true",
                    help="read every task, not only those changed since the last pull",
                )
            if name == "setup":
                sub.add_argument(
                    "--ml-backend",
                    action="store_true",
                    help="connect this service as the project's ML backend (predictions on demand)",
                )

    def handle(self, *args, **options) -> None:
        self.console = Console(file=self.stdout._out, highlight=False, soft_wrap=True)
        action = options["action"]
        try:
            if action == "serve":
                self._serve(stop=options["stop"])
            elif action == "template":
                self._template()
            elif action == "invite":
                with sync.client_from_settings() as client:
                    self.console.print(
                        f"Annotators sign up at {client.invite_url()} and then label in "
                        f"{client.url}/projects/"
                    )
            else:
                collection = _collection(options["collection"])
                with sync.client_from_settings() as client:
                    getattr(self, f"_{action}")(collection, client, options)
        except (LabelStudioError, sync.SyncError, server.ServerError) as error:
            raise CommandError(str(error)) from None

    def _serve(self, *, stop: bool) -> None:
        config = local_server_config()
        if stop:
            stopped = server.stop(config)
            self.console.print(
                "Stopped Label Studio." if stopped else "Label Studio was not running."
            )
            return
        pid = server.start(config)
        self.console.print(
            f"Label Studio is up at {config.url} (pid {pid}, data in {config.data_dir}); "
            f"log in as {config.username}. Stop it with `manage.py labelstudio serve --stop`."
        )

    def _template(self) -> None:
        config = local_server_config()
        with socket.socket() as probe:
            probe.bind((server.LOOPBACK, 0))
            free_port = probe.getsockname()[1]
        made = server.make_template(dataclasses.replace(config, port=free_port))
        where = config.template_dir
        self.console.print(f"Made {where}." if made else f"{where} is ready.")

    def _setup(self, collection: Collection, client, options) -> None:
        result = sync.project_setup(
            collection=collection, client=client, ml_backend=options["ml_backend"]
        )
        verb = "Created" if result.created else "Updated" if result.changed else "Checked"
        changed = f" ({', '.join(result.changed)})" if result.changed and not result.created else ""
        backend = f"; ML backend {result.ml_backend}" if options["ml_backend"] else ""
        self.console.print(
            f"{verb} project {result.project_id} for {collection.name!r}{changed}; "
            f"webhook {result.webhook}{backend}. {client.url}/projects/{result.project_id}/"
        )

    def _push(self, collection: Collection, client, options) -> None:
        total = collection.documents.count()
        columns = (TextColumn("pushing"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        quiet = not self.console.is_terminal
        with Progress(*columns, console=self.console, transient=True, disable=quiet) as progress:
            task = progress.add_task("push", total=total)
            result = sync.push(
                collection=collection,
                client=client,
                on_batch=lambda count: progress.advance(task, count),
            )
        self.console.print(
            f"Pushed {collection.name!r}: {result.created} task(s) created with "
            f"{result.predictions} prediction(s), {result.linked} re-linked, "
            f"{result.already} already there."
        )

    def _pull(self, collection: Collection, client, options) -> None:
        result = sync.pull(collection=collection, client=client, full=options["full"])
        how = (
            f"full, {result.why_full}: {result.tasks} task(s)"
            if result.full
            else f"{result.tasks} task(s) changed since the last pull"
        )
        self.console.print(
            f"Pulled {collection.name!r} ({how}): annotations {result.created} new, "
            f"{result.updated} updated, {result.unchanged + result.stale} unchanged, "
            f"{result.deleted} deleted; "
            f"{result.flagged} break the scheme (kept raw, flagged for review); "
            f"{result.unlinked} document(s) lost their deleted task."
        )

    def _status(self, collection: Collection, client, options) -> None:
        report = sync.status(collection=collection, client=client)
        if options["json"]:
            self.stdout.write(json.dumps(report, indent=2))
            return
        labels = {
            "annotations_from_label_studio": "annotations from Label Studio",
            "flagged": "flagged (break the scheme)",
            "project_exists": "project exists",
            "last_pull": "last pull",
        }
        for key, value in report.items():
            shown = "never" if key == "last_pull" and value is None else value
            self.console.print(f"{labels.get(key, key.replace('_', ' ')):>32}: {shown}")


def _collection(name: str) -> Collection:
    try:
        return collection_named(name)
    except NotFound as error:
        raise CommandError(str(error)) from None


def local_server_config() -> server.ServerConfig:
    """The local server described by the settings; refused for a remote LABEL_STUDIO_URL."""
    url = urlsplit(settings.LABEL_STUDIO_URL)
    if url.hostname not in ("127.0.0.1", "localhost"):
        raise server.ServerError(
            f"LABEL_STUDIO_URL ({settings.LABEL_STUDIO_URL}) is not on this machine; "
            "there is nothing to start"
        )
    return server.ServerConfig(
        venv=settings.LABEL_STUDIO_VENV,
        data_dir=settings.LABEL_STUDIO_DATA_DIR,
        port=url.port or 80,
        username=settings.LABEL_STUDIO_USERNAME,
        password=settings.LABEL_STUDIO_PASSWORD,
        token=settings.LABEL_STUDIO_API_KEY,
        template_dir=settings.LABEL_STUDIO_TEMPLATE_DIR,
        database_url=settings.LABEL_STUDIO_DATABASE_URL,
    )
