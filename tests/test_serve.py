"""dunning-guard serve: the API in-process, its limits and errors, feedback that is
safe under concurrent requests, and a page that escapes every message."""

from __future__ import annotations

import concurrent.futures
import csv
import io
import json

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("httpx2")
from fastapi.testclient import TestClient  # noqa: E402

import dunning_guard as dg  # noqa: E402
from dunning_guard.cli import main  # noqa: E402
from dunning_guard.serve import create_app  # noqa: E402

SCAM = "您的借款已逾期，请立即添加客服薇信 kf8899 处理"
REMINDER = "【花呗】您本月账单1,205.30元将于明天到期，请及时还款。"


@pytest.fixture(scope="module")
def client(bundled, tmp_path_factory):
    path = tmp_path_factory.mktemp("serve") / "feedback.csv"
    with TestClient(create_app(bundled, feedback=path)) as client:
        client.feedback_path = path
        yield client


def test_classify_returns_the_record_of_classify_json(client, bundled):
    answer = client.post("/v1/classify", json={"text": SCAM, "sender": "13800138000"})
    assert answer.status_code == 200
    expected = json.loads(
        json.dumps(bundled.classify(SCAM, sender="13800138000").to_dict())
    )
    assert answer.json() == expected
    assert answer.json()["label"] == "scam" and answer.json()["basis"] == "mechanism"


def test_batch_returns_the_records_in_order(client, bundled):
    texts = [REMINDER, SCAM, "明天开会"]
    answer = client.post("/v1/classify/batch", json={"texts": texts})
    assert [r["label"] for r in answer.json()] == list(bundled.predict(texts))
    assert [r["text"] for r in answer.json()] == texts


def test_model_health_and_docs(client, bundled):
    info = client.get("/v1/model").json()
    assert info["classes"] == list(bundled.classes_) and info["feedback"] is True
    assert client.get("/healthz").json() == {"status": "ok"}
    assert "/v1/classify" in client.get("/openapi.json").json()["paths"]
    assert client.get("/docs").status_code == 200


@pytest.mark.parametrize(
    "body, status, message",
    [
        (b"{not json", 400, "The body is not valid JSON."),
        (b'{"text": 5}', 422, "text: Input should be a valid string."),
        (b'{"texts": "one"}', 422, "texts: Input should be a valid list."),
    ],
)
def test_bad_requests_get_one_line_and_no_traceback(client, body, status, message):
    path = "/v1/classify/batch" if b"texts" in body else "/v1/classify"
    answer = client.post(
        path, content=body, headers={"content-type": "application/json"}
    )
    assert answer.status_code == status
    assert answer.json() == {"error": message}


def test_limits_on_the_body_and_the_batch(client):
    big = {"text": "逾" * 600_000}
    answer = client.post("/v1/classify", json=big)
    assert answer.status_code == 413 and "1,000,000 bytes" in answer.json()["error"]
    many = {"texts": ["账单明天到期"] * 1001}
    answer = client.post("/v1/classify/batch", json=many)
    assert answer.status_code == 422
    assert answer.json()["error"] == "texts: at most 1000 messages a request, got 1001."


def test_a_message_is_escaped_on_the_page(client):
    hostile = '<script>alert("x")</script><img src=x onerror=alert(1)>加薇信kf88还款'
    answer = client.post("/v1/view", json={"texts": [hostile], "explain": 3})
    html = answer.json()["html"]
    assert "<script>" not in html and "<img" not in html
    assert "&lt;script&gt;" in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "<mark" in html  # the flag is still highlighted, escaped text inside
    page = client.get("/").text
    assert "innerHTML = data.html" in page and "textContent" in page
    assert "http://" not in page and "https://" not in page  # works offline, no CDN


def test_two_hundred_concurrent_corrections_leave_two_hundred_whole_records(client):
    texts = [f'测试消息{i}\n第二行，含逗号,和"引号"' for i in range(200)]

    def send(i):
        return client.post(
            "/v1/feedback",
            json={
                "text": texts[i],
                "label": "scam",
                "predicted": "reminder",
                "note": f"n{i}",
            },
        ).status_code

    with concurrent.futures.ThreadPoolExecutor(max_workers=16) as pool:
        codes = list(pool.map(send, range(200)))
    assert codes == [201] * 200
    data = client.get("/v1/feedback").content.decode("utf-8")
    lines = data.splitlines()
    assert lines[0] == "time,text,label,predicted,note" and len(lines) == 201
    rows = list(csv.DictReader(io.StringIO(data)))
    assert sorted(r["note"] for r in rows) == sorted(f"n{i}" for i in range(200))
    assert {r["text"] for r in rows} == {" ".join(t.splitlines()) for t in texts}


def test_feedback_is_checked_and_trains(client, tmp_path):
    bad = client.post("/v1/feedback", json={"text": SCAM, "label": "spam"})
    assert bad.status_code == 422 and bad.json()["error"].startswith(
        "label: expected one of"
    )
    before = client.get("/v1/feedback").content
    assert (
        client.post("/v1/feedback", json={"text": "  ", "label": "scam"}).status_code
        == 422
    )
    assert client.get("/v1/feedback").content == before


def test_a_token_guards_feedback_and_its_export(bundled, tmp_path):
    app = create_app(bundled, feedback=tmp_path / "f.csv", token="s3cret")
    with TestClient(app) as client:
        body = {"text": SCAM, "label": "scam"}
        assert client.post("/v1/feedback", json=body).status_code == 401
        assert client.get("/v1/feedback").status_code == 401
        auth = {"Authorization": "Bearer s3cret"}
        assert client.post("/v1/feedback", json=body, headers=auth).status_code == 201
        assert client.get("/v1/feedback", headers=auth).status_code == 200
        # Scoring needs no token.
        assert client.post("/v1/classify", json={"text": SCAM}).status_code == 200


def test_feedback_off_and_no_cors_by_default(bundled):
    with TestClient(create_app(bundled)) as client:
        assert (
            client.post(
                "/v1/feedback", json={"text": SCAM, "label": "scam"}
            ).status_code
            == 404
        )
        answer = client.post(
            "/v1/classify",
            json={"text": SCAM},
            headers={"Origin": "https://elsewhere.example"},
        )
        assert "access-control-allow-origin" not in answer.headers


def test_the_cli_refuses_public_feedback_without_a_token(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("DUNNING_GUARD_TOKEN", raising=False)
    code = main(["serve", "--host", "0.0.0.0", "--feedback", str(tmp_path / "f.csv")])
    assert code == 2
    assert "without a token" in capsys.readouterr().err


def test_trusted_senders_are_evidence_both_ways(bundled, tmp_path):
    allow = tmp_path / "trusted.txt"
    allow.write_text("# our own short codes\n95588\n", encoding="utf-8")
    app = create_app(bundled, trusted_senders=allow)
    plain = "您的账户存在异常风险，请立即处理，否则将影响使用"
    with TestClient(app) as client:
        trusted = client.post(
            "/v1/classify", json={"text": plain, "sender": "95588"}
        ).json()
        assert trusted["label"] != "scam"
        spoofed = client.post(
            "/v1/classify", json={"text": SCAM, "sender": "95588"}
        ).json()
        assert spoofed["label"] == "scam"  # a mechanism: a spoofed id is a known trick
    assert (
        dg.load(trusted_senders=["95588"]).classify(SCAM, sender="95588").label
        == "scam"
    )
