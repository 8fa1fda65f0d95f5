"""The client's error handling, with Label Studio's HTTP answers faked at the transport."""

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
