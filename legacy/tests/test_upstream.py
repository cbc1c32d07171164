"""The local upstream speaks the wire formats the app relies on (real HTTP, no latency)."""
import base64
import concurrent.futures
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import feedparser
import pytest
import requests

from legacy.upstream.server import DEFAULT_LATENCY_MS, resolve_latency, start_in_thread

AUTH = {"Authorization": "Bearer sk-test"}
UNSPLASH_AUTH = {"Authorization": "Client-ID local-key"}
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def base():
    url, stop = start_in_thread(latency_ms=0)
    yield url
    stop()


def chat(base, content, **extra):
    body = {"model": "gpt-3.5-turbo", "messages": [{"role": "user", "content": content}], **extra}
    return requests.post(f"{base}/v1/chat/completions", json=body, headers=AUTH, timeout=10)


# --- chat completions -------------------------------------------------------------------------

def test_chat_completion_envelope(base):
    resp = chat(base, "Hallo!")
    assert resp.status_code == 200
    data = resp.json()
    assert data["id"].startswith("chatcmpl-")
    assert data["object"] == "chat.completion"
    assert isinstance(data["created"], int)
    assert data["model"] == "gpt-3.5-turbo"
    choice = data["choices"][0]
    assert choice["index"] == 0 and choice["finish_reason"] == "stop"
    assert choice["message"]["role"] == "assistant" and choice["message"]["content"]
    usage = data["usage"]
    assert usage["total_tokens"] == usage["prompt_tokens"] + usage["completion_tokens"] > 0


def test_chat_completion_is_deterministic(base):
    assert chat(base, "Erkläre den Dativ.").json() == chat(base, "Erkläre den Dativ.").json()


def test_chat_translation_answers_a_json_object(base):
    prompt = 'Translate the following German words to English. Reply with a JSON object.\nWords: ["Hund", "Katze", "Quatschwort"]'
    content = json.loads(chat(base, prompt).json()["choices"][0]["message"]["content"])
    assert set(content) == {"Hund", "Katze", "Quatschwort"}
    assert content["Hund"] == "dog" and content["Katze"] == "cat"
    assert content["Quatschwort"]  # unknown words still get a (pseudo) translation


def test_chat_translation_accepts_a_comma_list_and_the_other_direction(base):
    content = json.loads(
        chat(base, "Translate these English words to German. Words: dog, cat").json()["choices"][0]["message"]["content"]
    )
    assert content == {"dog": "Hund", "cat": "Katze"}


def test_chat_example_sentences_answers_a_json_list(base):
    prompt = 'Write 4 short example sentences in German using the word "Bahnhof", each with a translation.'
    content = json.loads(chat(base, prompt).json()["choices"][0]["message"]["content"])
    assert len(content) == 4
    for item in content:
        assert set(item) == {"sentence", "translation"}
        assert "Bahnhof" in item["sentence"] and "station" in item["translation"]


def test_chat_requires_a_bearer_key(base):
    body = {"model": "m", "messages": [{"role": "user", "content": "hi"}]}
    resp = requests.post(f"{base}/v1/chat/completions", json=body, timeout=10)
    assert resp.status_code == 401
    assert "API key" in resp.json()["error"]["message"]
    resp = requests.post(
        f"{base}/v1/chat/completions", json=body, headers={"Authorization": "Bearer sk-invalid-1"}, timeout=10
    )
    assert resp.status_code == 401 and resp.json()["error"]["code"] == "invalid_api_key"


def test_chat_rejects_a_request_without_messages(base):
    resp = requests.post(f"{base}/v1/chat/completions", json={"model": "m"}, headers=AUTH, timeout=10)
    assert resp.status_code == 400


# --- images ------------------------------------------------------------------------------------

def test_image_generation_returns_fetchable_urls(base):
    resp = requests.post(
        f"{base}/v1/images/generations", json={"prompt": "a friendly fox avatar", "n": 2}, headers=AUTH, timeout=10
    )
    assert resp.status_code == 200
    data = resp.json()["data"]
    assert len(data) == 2 and data[0]["url"] != data[1]["url"]
    for item in data:
        assert item["url"].startswith(base + "/")
        image = requests.get(item["url"], timeout=10)
        assert image.headers["Content-Type"] == "image/png"
        assert image.content.startswith(b"\x89PNG\r\n\x1a\n")


def test_image_generation_b64_and_auth(base):
    resp = requests.post(
        f"{base}/v1/images/generations",
        json={"prompt": "fox", "response_format": "b64_json"},
        headers=AUTH,
        timeout=10,
    )
    assert base64.b64decode(resp.json()["data"][0]["b64_json"]).startswith(b"\x89PNG")
    assert requests.post(f"{base}/v1/images/generations", json={"prompt": "fox"}, timeout=10).status_code == 401


# --- unsplash ------------------------------------------------------------------------------------

def search(base, headers=UNSPLASH_AUTH, **params):
    return requests.get(f"{base}/unsplash/search/photos", params=params, headers=headers, timeout=10)


def test_unsplash_search_shape(base):
    resp = search(base, query="apple", per_page=3)
    assert resp.status_code == 200
    data = resp.json()
    assert data["total"] > 3 and data["total_pages"] == -(-data["total"] // 3)
    assert len(data["results"]) == 3
    photo = data["results"][0]
    assert {"id", "urls", "user", "alt_description", "width", "height"} <= set(photo)
    assert set(photo["urls"]) == {"raw", "full", "regular", "small", "thumb"}
    assert photo["user"]["name"]
    thumb = requests.get(photo["urls"]["thumb"], timeout=10)
    assert thumb.status_code == 200 and thumb.headers["Content-Type"] == "image/png"


def test_unsplash_search_is_deterministic_and_paged(base):
    first = search(base, query="dog", per_page=5, page=1).json()
    assert first == search(base, query="dog", per_page=5, page=1).json()
    second = search(base, query="dog", per_page=5, page=2).json()
    assert {p["id"] for p in first["results"]}.isdisjoint({p["id"] for p in second["results"]})
    assert search(base, query="cat", per_page=5).json()["results"][0]["id"] != first["results"][0]["id"]


def test_unsplash_search_accepts_client_id_param_and_checks_input(base):
    assert search(base, headers={}, query="dog", client_id="k").status_code == 200
    assert search(base, headers={}, query="dog").status_code == 401
    assert search(base, query="").status_code == 400
    assert search(base, query="dog", per_page="many").status_code == 400


# --- news ------------------------------------------------------------------------------------------

def test_rss_feed_and_articles(base):
    resp = requests.get(f"{base}/rss/news.xml", timeout=10)
    assert resp.status_code == 200 and "xml" in resp.headers["Content-Type"]
    feed = feedparser.parse(resp.text)
    assert not feed.bozo
    assert len(feed.entries) == 20
    assert feed.entries[0].published == "Fri, 27 Nov 2026 18:00:00 +0000"
    assert resp.text == requests.get(f"{base}/rss/news.xml", timeout=10).text
    entry = feed.entries[3]
    assert entry.link.startswith(f"{base}/articles/") and entry.link.endswith(".html")
    assert entry.title and entry.summary
    page = requests.get(entry.link, timeout=10)
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
    html = page.text
    for marker in ("<nav>", "<script", 'class="ad"', "<article>", f"<h1>{entry.title}</h1>"):
        assert marker in html
    assert html.count("<p>") >= 6


def test_unknown_article_and_route(base):
    assert requests.get(f"{base}/articles/no-such-story.html", timeout=10).status_code == 404
    assert requests.get(f"{base}/nothing-here", timeout=10).status_code == 404
    assert requests.post(f"{base}/v1/embeddings", json={}, headers=AUTH, timeout=10).status_code == 404


# --- server behaviour ------------------------------------------------------------------------------

def test_concurrent_requests_all_succeed(base):
    def one(i):
        return chat(base, f"Frage {i}").status_code

    with concurrent.futures.ThreadPoolExecutor(max_workers=16) as pool:
        assert set(pool.map(one, range(48))) == {200}


def test_keep_alive_session_reuses_the_connection(base):
    with requests.Session() as session:
        for _ in range(3):
            assert session.get(f"{base}/health", timeout=10).json()["status"] == "ok"


def test_latency_configuration(monkeypatch):
    monkeypatch.delenv("UPSTREAM_LATENCY_MS", raising=False)
    assert resolve_latency() == DEFAULT_LATENCY_MS
    assert DEFAULT_LATENCY_MS["chat"] >= 300 and DEFAULT_LATENCY_MS["images"] >= 300
    assert resolve_latency(0)["chat"] == 0
    monkeypatch.setenv("UPSTREAM_LATENCY_MS", "120")
    assert resolve_latency()["unsplash"] == 120
    assert resolve_latency(5)["rss"] == 5
    monkeypatch.setenv("UPSTREAM_LATENCY_MS", "fast")
    with pytest.raises(ValueError, match="UPSTREAM_LATENCY_MS"):
        resolve_latency()
    with pytest.raises(ValueError):
        resolve_latency(-1)


def test_start_in_thread_stop_is_idempotent():
    url, stop = start_in_thread(latency_ms=0)
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+", url)
    assert requests.get(url + "/health", timeout=10).status_code == 200
    stop()
    stop()
    with pytest.raises(requests.ConnectionError):
        requests.get(url + "/health", timeout=2)


def test_module_entry_point_serves_in_the_foreground():
    env = {**os.environ, "PYTHONPATH": str(REPO), "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "legacy.upstream", "--port", "0", "--latency-ms", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=REPO,
    )
    try:
        line = proc.stdout.readline()
        match = re.search(r"http://127\.0\.0\.1:(\d+)", line)
        assert match, line
        assert requests.get(f"http://127.0.0.1:{match.group(1)}/health", timeout=10).status_code == 200
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        proc.stdout.close()
        proc.stderr.close()
