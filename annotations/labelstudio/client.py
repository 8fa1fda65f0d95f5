"""The one seam to Label Studio's REST API (the only module importing its SDK).

One method per remote call, plain JSON data in and out. Every failure becomes
a LabelStudioError saying what was asked and whether retrying can help. The SDK
(which brings pandas) is imported when a call first needs it, so commands and
servers that never call Label Studio start without it. The bulk calls of push
and pull (listing tasks, importing them, the snapshot export, the users) go
straight through httpx: on tasks of ~100 regions the SDK's encoding of a
request, walking every value in Python, cost as much as Label Studio's import.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from functools import cached_property
from typing import IO, Any

import httpx


class LabelStudioError(Exception):
    """A call to Label Studio failed: `permanent` says whether asking again can help,
    `status` is Label Studio's HTTP answer (None when it gave none)."""

    def __init__(self, message: str, *, permanent: bool, status: int | None = None) -> None:
        super().__init__(message)
        self.permanent = permanent
        self.status = status

    @property
    def unreachable(self) -> bool:
        """Label Studio did not answer at all (down, or too slow), as opposed to refusing."""
        return self.status is None and not self.permanent


def _api_error() -> type[Exception]:
    from label_studio_sdk.core.api_error import ApiError

    return ApiError


@contextmanager
def _calling(what: str) -> Iterator[None]:
    try:
        yield
    except httpx.HTTPStatusError as error:
        response = error.response
        try:
            detail = json.dumps(response.json())[:500]
        except ValueError:
            detail = response.text[:500]
        raise _refused(what, response.status_code, detail) from None
    except _api_error() as error:
        detail = error.body if isinstance(error.body, str) else json.dumps(error.body)[:500]
        raise _refused(what, error.status_code or 0, detail) from None
    except httpx.TimeoutException:
        message = f"Label Studio did not answer in time to {what}"
        raise LabelStudioError(message, permanent=False) from None
    except httpx.HTTPError as error:
        message = f"cannot reach Label Studio to {what}: {error}"
        raise LabelStudioError(message, permanent=False) from None


def _refused(what: str, status: int, detail: str) -> LabelStudioError:
    return LabelStudioError(
        f"Label Studio refused to {what} (HTTP {status}): {detail}",
        permanent=400 <= status < 500 and status not in (408, 429),
        status=status,
    )


def _when(value: Any, what: str) -> datetime:
    try:
        return datetime.fromisoformat(value)
    except (TypeError, ValueError):
        raise LabelStudioError(
            f"Label Studio did not say when {what}: {value!r}", permanent=True
        ) from None


def _items(spool: IO[bytes]) -> Iterator[dict]:
    """The objects of the JSON array in `spool`, one at a time; the file is closed after."""
    import ijson

    with spool:
        try:
            yield from ijson.items(spool, "item", use_float=True)
        except ijson.JSONError as error:
            raise LabelStudioError(
                f"Label Studio's export is not the JSON expected: {error}", permanent=True
            ) from None


def _plain(value: Any) -> Any:
    return value.model_dump(mode="json") if hasattr(value, "model_dump") else value


class LabelStudioClient:
    def __init__(self, url: str, api_key: str, *, timeout: float = 60.0, retries: int = 0) -> None:
        """`retries`: how often a refused connection or a 5xx answer to a call made through
        the SDK is tried again. None by default: a server that is down fails the call at
        once, and whoever started the work (a job, a command) decides whether to try
        again. The calls made with httpx (`_send`) are never retried: an import sent
        twice would make its tasks twice."""
        if not api_key:
            raise LabelStudioError("no API key: set LABEL_STUDIO_API_KEY", permanent=True)
        self.url = url.rstrip("/")
        self._api_key, self._retries = api_key, retries
        self._http = httpx.Client(timeout=timeout, follow_redirects=True)

    @cached_property
    def _sdk(self) -> Any:
        from label_studio_sdk import LabelStudio

        return LabelStudio(
            base_url=self.url, api_key=self._api_key, httpx_client=self._http,
            max_retries=self._retries,
        )  # fmt: skip

    def _send(self, method: str, path: str, **request: Any) -> httpx.Response:
        """A call made without the SDK (never retried); a refusal raises for `_calling`."""
        headers = {"Authorization": self._authorization(), **request.pop("headers", {})}
        response = self._http.request(method, f"{self.url}/{path}", headers=headers, **request)
        response.raise_for_status()
        return response

    def _authorization(self) -> str:
        # A personal access token (a JWT) is traded for short-lived access tokens, which
        # the SDK does; a legacy token is sent as it is.
        if self._api_key.count(".") == 2:
            return self._sdk._client_wrapper.get_headers()["Authorization"]
        return f"Token {self._api_key}"

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> LabelStudioClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # --- server -------------------------------------------------------------
    def health(self) -> bool:
        try:
            response = self._http.get(f"{self.url}/health", timeout=2.0)
        except httpx.HTTPError:
            return False
        return response.status_code == 200 and response.json().get("status") == "UP"

    def now(self) -> datetime:
        """Label Studio's clock, to the second (its answer's Date header)."""
        with _calling("tell its time"):
            response = self._http.get(f"{self.url}/api/version", timeout=5.0)
            response.raise_for_status()
        try:
            return parsedate_to_datetime(response.headers["date"])
        except (KeyError, TypeError, ValueError):
            raise LabelStudioError(
                "Label Studio's answer has no usable Date header", permanent=True
            ) from None

    def version(self) -> str:
        with _calling("report its version"):
            response = self._http.get(f"{self.url}/api/version", timeout=5.0)
            response.raise_for_status()
        return str(response.json().get("release", "?"))

    # --- projects -----------------------------------------------------------
    def project_get(self, project_id: int) -> dict | None:
        try:
            with _calling(f"read project {project_id}"):
                return _plain(self._sdk.projects.get(id=project_id))
        except LabelStudioError as error:
            if error.status == 404:
                return None
            raise

    def project_create(self, **fields: Any) -> dict:
        with _calling("create a project"):
            return _plain(self._sdk.projects.create(**fields))

    def project_update(self, project_id: int, **fields: Any) -> dict:
        with _calling(f"update project {project_id}"):
            return _plain(self._sdk.projects.update(id=project_id, **fields))

    def project_delete(self, project_id: int) -> None:
        with _calling(f"delete project {project_id}"):
            self._sdk.projects.delete(id=project_id)

    # --- webhooks -----------------------------------------------------------
    def webhooks(self, project_id: int) -> list[dict]:
        with _calling("list webhooks"):
            return [_plain(hook) for hook in self._sdk.webhooks.list(project=str(project_id))]

    def webhook_create(self, **fields: Any) -> dict:
        with _calling("create a webhook"):
            return _plain(self._sdk.webhooks.create(**fields))

    def webhook_update(self, webhook_id: int, **fields: Any) -> dict:
        with _calling(f"update webhook {webhook_id}"):
            return _plain(self._sdk.webhooks.update(id=webhook_id, **fields))

    def webhook_delete(self, webhook_id: int) -> None:
        with _calling(f"delete webhook {webhook_id}"):
            self._sdk.webhooks.delete(id=webhook_id)

    # --- tasks --------------------------------------------------------------
    def tasks_import(self, project_id: int, tasks: list[dict]) -> list[int]:
        """Create tasks (with predictions); their ids, in the order given."""
        body = json.dumps(tasks, separators=(",", ":")).encode()
        with _calling(f"import {len(tasks)} task(s)"):
            response = self._send(
                "POST", f"api/projects/{project_id}/import", params={"return_task_ids": "true"},
                content=body, headers={"Content-Type": "application/json"},
            )  # fmt: skip
        return list(response.json().get("task_ids") or [])

    def tasks(self, project_id: int) -> Iterator[dict]:
        """Every task of a project with its data only (no annotations), in id order."""
        after = 0
        while page := self.tasks_page(project_id, after=after, size=1000, annotations=False):
            yield from page
            after = page[-1]["id"]

    def tasks_page(
        self,
        project_id: int,
        *,
        after: int = 0,
        size: int,
        changed_since: datetime | None = None,
        annotations: bool = True,
    ) -> list[dict]:
        """Up to `size` tasks of a project with ids above `after`, in id order: their data,
        annotations and when they last changed (`updated_at`, Label Studio's clock); only
        those changed after `changed_since` when given. A task changes when one of its
        annotations is made, changed or deleted through Label Studio's API or screens.

        Pages are keyed by id rather than numbered, so a task deleted meanwhile makes
        the next page skip none. Label Studio lists tasks in pages of 100 in about two
        thirds of the time its snapshot export of the same tasks takes.
        """
        filters = [{"filter": "filter:tasks:id", "operator": "greater", "type": "Number",
                    "value": after}]  # fmt: skip
        if changed_since is not None:
            value = changed_since.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
            filters.append({"filter": "filter:tasks:updated_at", "operator": "greater",
                            "type": "Datetime", "value": value})  # fmt: skip
        query = {"filters": {"conjunction": "and", "items": filters}, "ordering": ["tasks:id"]}
        params = {"project": project_id, "page": 1, "page_size": size, "query": json.dumps(query)}
        # `include` and `omit` pick the fields of the task and, by the same names, of its
        # annotations: predictions and drafts are left out, annotations kept whole.
        if annotations:
            params.update(fields="all", omit="predictions,drafts,annotators")
        else:
            params.update(include="id,data")
        with _calling(f"list the tasks of project {project_id}"):
            answer = self._send("GET", "api/tasks/", params=params).json()
        return answer.get("tasks") or []

    def task_reopen(self, task_id: int, *, annotations: int, note: str) -> dict:
        """Ask for one more annotation of a task (it returns to the annotators' queue), with
        the reviewer's note in the task's meta (the open-source edition has no comments)."""
        with _calling(f"reopen task {task_id}"):
            task = self.task_get(task_id)
            overlap = max(int(task.get("overlap") or 1), annotations + 1)
            meta = {**(task.get("meta") or {}), "review_note": note}
            return _plain(
                self._sdk.tasks.update(
                    id=str(task_id), overlap=overlap, is_labeled=False, meta=meta
                )
            )

    def task_get(self, task_id: int) -> dict:
        with _calling(f"read task {task_id}"):
            return _plain(self._sdk.tasks.get(id=str(task_id)))

    def task_delete(self, task_id: int) -> None:
        with _calling(f"delete task {task_id}"):
            self._sdk.tasks.delete(id=str(task_id))

    # --- annotations and predictions -----------------------------------------
    def annotation_create(self, task_id: int, result: list, **fields: Any) -> dict:
        with _calling(f"create an annotation on task {task_id}"):
            return _plain(self._sdk.annotations.create(id=task_id, result=result, **fields))

    def annotation_update(self, annotation_id: int, **fields: Any) -> dict:
        with _calling(f"update annotation {annotation_id}"):
            return _plain(self._sdk.annotations.update(id=annotation_id, **fields))

    def annotation_delete(self, annotation_id: int) -> None:
        with _calling(f"delete annotation {annotation_id}"):
            self._sdk.annotations.delete(id=annotation_id)

    def predictions(self, project_id: int) -> list[dict]:
        with _calling(f"list the predictions of project {project_id}"):
            return [_plain(p) for p in self._sdk.predictions.list(project=project_id)]

    def prediction_create(self, task_id: int, result: list, **fields: Any) -> dict:
        with _calling(f"create a prediction on task {task_id}"):
            return _plain(self._sdk.predictions.create(task=task_id, result=result, **fields))

    # --- export -------------------------------------------------------------
    def export_snapshot(self, project_id: int) -> tuple[datetime, list[dict]]:
        """When the snapshot was taken (Label Studio's clock), and every task in it with its
        annotations and full predictions, as Label Studio exports them."""
        taken_at, tasks = self.export_tasks(project_id)
        return taken_at, list(tasks)

    def export_tasks(
        self, project_id: int, *, predictions: bool = True
    ) -> tuple[datetime, Iterator[dict]]:
        """A snapshot export, read one task at a time (memory stays flat however large the
        project): when it was taken (Label Studio's clock) and its tasks with their
        annotations, and their predictions in full or (`predictions` False) by id only."""
        spool = tempfile.TemporaryFile()  # noqa: SIM115 - closed by _items, or on failure
        try:
            with _calling(f"export project {project_id}"):
                exports = f"api/projects/{project_id}/exports"
                options = {"predictions": {"only_id": not predictions}}
                export = self._send(
                    "POST", f"{exports}/",
                    json={"title": "quote-annotations sync", "serialization_options": options},
                ).json()  # fmt: skip
                try:
                    with self._http.stream(
                        "GET", f"{self.url}/{exports}/{export['id']}/download",
                        params={"exportType": "JSON"},
                        headers={"Authorization": self._authorization()},
                    ) as download:  # fmt: skip
                        download.raise_for_status()
                        for chunk in download.iter_bytes(1 << 20):
                            spool.write(chunk)
                finally:
                    self._send("DELETE", f"{exports}/{export['id']}")
            taken_at = _when(export.get("created_at"), "the export was taken")
        except BaseException:
            spool.close()
            raise
        spool.seek(0)
        return taken_at, _items(spool)

    # --- ML backends ------------------------------------------------------------
    def ml_backends(self, project_id: int) -> list[dict]:
        with _calling(f"list the ML backends of project {project_id}"):
            return [_plain(b) for b in self._sdk.ml.list(project=project_id)]

    def ml_backend_create(self, **fields: Any) -> dict:
        with _calling("connect an ML backend"):
            return _plain(self._sdk.ml.create(**fields))

    def predictions_retrieve(self, project_id: int) -> None:
        """Ask the project's ML backend for predictions of every task."""
        with _calling(f"retrieve predictions for project {project_id}"):
            self._sdk.actions.create(
                id="retrieve_tasks_predictions",
                project=project_id,
                selected_items={"all": True, "excluded": []},
            )

    def invite_url(self) -> str:
        """The organisation's sign-up link for new annotators."""
        with _calling("make an invite link"):
            invite = _plain(self._sdk.organizations.invites.get_invite_link())
        return self.url + invite["invite_url"]

    # --- users --------------------------------------------------------------
    def users(self) -> list[dict]:
        with _calling("list users"):
            return list(self._send("GET", "api/users/").json())

    def user_get(self, user_id: int) -> dict | None:
        try:
            with _calling(f"read user {user_id}"):
                return _plain(self._sdk.users.get(id=user_id))
        except LabelStudioError as error:
            if error.status == 404:
                return None
            raise
