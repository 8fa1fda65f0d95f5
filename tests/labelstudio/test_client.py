"""The client's error handling, with Label Studio's HTTP answers faked at the transport."""

import json
import time

import httpx
import pytest

from annotations.labelstudio.client import LabelStudioClient, LabelStudioError


def client_answering(handler) -> LabelStudioClient:
    client = LabelStudioClient("http://ls.test", "token-123456")
    client._http._transport = httpx.MockTransport(handler)
    return client


def test_missing_project_reads_as_none():
    client = client_answering(lambda request: httpx.Response(404, json={"detail": "Not found."}))
    assert client.project_get(3) is None


def test_refusals_say_what_was_asked_and_whether_to_retry():
    client = client_answering(lambda request: httpx.Response(400, json={"label_config": ["bad"]}))
    with pytest.raises(LabelStudioError) as refused:
        client.project_create(title="x")
    assert (
        str(refused.value)
        == 'Label Studio refused to create a project (HTTP 400): {"label_config": ["bad"]}'
    )
    assert refused.value.permanent
    busy = client_answering(lambda request: httpx.Response(503, text="busy"))
    with pytest.raises(LabelStudioError) as failed:
        busy.project_update(3, title="x")
    assert not failed.value.permanent and failed.value.status == 503


def test_unreachable_server():
    def refuse(request):
        raise httpx.ConnectError("connection refused", request=request)

    client = client_answering(refuse)
    with pytest.raises(
        LabelStudioError, match="cannot reach Label Studio to list webhooks"
    ) as error:
        client.webhooks(1)
    assert not error.value.permanent
    assert client.health() is False


def test_token_auth_header_is_sent():
    seen = {}

    def record(request):
        seen["auth"] = request.headers.get("authorization")
        return httpx.Response(200, json=[])

    client_answering(record).webhooks(1)
    assert seen["auth"] == "Token token-123456"


def test_no_api_key():
    with pytest.raises(LabelStudioError, match="set LABEL_STUDIO_API_KEY"):
        LabelStudioClient("http://ls.test", "")


def test_tasks_are_imported_as_one_json_body_and_their_ids_read_back():
    seen = {}

    def answer(request):
        seen.update(path=request.url.path, query=dict(request.url.params))
        seen["tasks"] = json.loads(request.content)
        return httpx.Response(201, json={"task_count": 2, "task_ids": [7, 8]})

    tasks = [{"data": {"text": "a"}}, {"data": {"text": "b"}, "predictions": [{"result": []}]}]
    assert client_answering(answer).tasks_import(3, tasks) == [7, 8]
    assert seen == {"path": "/api/projects/3/import", "query": {"return_task_ids": "true"},
                    "tasks": tasks}  # fmt: skip
    refusing = client_answering(lambda request: httpx.Response(400, json={"detail": "no text"}))
    with pytest.raises(LabelStudioError, match=r"refused to import 2 task\(s\) \(HTTP 400\)"):
        refusing.tasks_import(3, tasks)


def test_tasks_are_listed_in_pages_keyed_by_id():
    stored = [{"id": i, "data": {"document_id": i}} for i in (4, 9, 12)]
    asked = []

    def answer(request):
        query = json.loads(request.url.params["query"])
        [by_id] = query["filters"]["items"]
        assert query["ordering"] == ["tasks:id"] and request.url.params["page"] == "1"
        asked.append(by_id["value"])
        size = int(request.url.params["page_size"])
        return httpx.Response(
            200, json={"tasks": [t for t in stored if t["id"] > by_id["value"]][:size]}
        )

    client = client_answering(answer)
    assert client.tasks_page(1, size=2) == stored[:2]
    assert list(client.tasks(1)) == stored
    assert asked == [0, 0, 12]  # one page, then every task and an empty page


# The SDK (which trades the token) reads the answer with a method Pydantic 2 deprecates.
@pytest.mark.filterwarnings("ignore:The `parse_obj` method is deprecated")
def test_a_personal_access_token_is_traded_for_an_access_token():
    import jwt

    def token(kind: str) -> str:
        return jwt.encode({"token_type": kind, "exp": int(time.time()) + 3600}, "k" * 32, "HS256")

    refresh, access, seen = token("refresh"), token("access"), []

    def answer(request):
        if request.url.path == "/api/token/refresh/":
            return httpx.Response(200, json={"access": access})
        seen.append(request.headers["authorization"])
        return httpx.Response(200, json=[{"id": 1, "email": "a@example.com"}])

    client = LabelStudioClient("http://ls.test", refresh)
    client._http._transport = httpx.MockTransport(answer)
    assert client.users() == [{"id": 1, "email": "a@example.com"}]
    assert seen == [f"Bearer {access}"]
