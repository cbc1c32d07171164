"""Text processing: paste a text, find its unknown words, translate them, keep a history."""
import pytest

TEXT = "Der Hund und die Katze spielen im Garten. Der Hund schläft unter dem Baum."


def _submit(client, user, content=TEXT, **extra):
    resp = client.post("/api/text/submit", json={"content": content, **extra}, headers=user.headers)
    assert resp.status_code == 201, resp.get_data(as_text=True)
    return resp.get_json()["submission"]


def _ascii_word(seeded):
    for word in seeded["words"]:
        if word["text"].isascii() and word["text"].isalpha():
            return word
    pytest.skip("no ASCII-only word in the seeded category")


def test_submit_text_counts_words_and_saves(client, user):
    assert client.post("/api/text/submit", json={"content": TEXT}).status_code == 401
    assert client.post("/api/text/submit", json={}, headers=user.headers).status_code == 400
    too_long = client.post("/api/text/submit", json={"content": "a" * 20001}, headers=user.headers)
    assert too_long.status_code == 400
    resp = client.post("/api/text/submit", json={"content": TEXT, "title": "Tiere"}, headers=user.headers)
    assert resp.status_code == 201
    sub = resp.get_json()["submission"]
    assert resp.headers["Location"].endswith(f"/api/text/{sub['id']}")
    assert sub["title"] == "Tiere"
    assert sub["word_count"] == 14
    assert sub["unknown_words"] == ["hund", "katze", "spielen", "garten", "schläft", "unter", "baum"]
    assert sub["unknown_count"] == 7
    assert sub["top_words"][0] == {"word": "der", "count": 2}
    me = client.get("/api/auth/me", headers=user.headers).get_json()["user"]
    assert me["xp_total"] >= 10


def test_text_detail_reflects_vocabulary_and_exclusions(client, user):
    sub = _submit(client, user)
    url = f"/api/text/{sub['id']}"
    assert client.get(url).status_code == 401
    client.post("/api/words", json={"text": "Hund", "translation": "dog"}, headers=user.headers)
    client.post("/api/excluded-words", json={"word": "katze"}, headers=user.headers)
    detail = client.get(url, headers=user.headers).get_json()["submission"]
    assert detail["content"] == TEXT
    assert detail["unknown_words"] == ["spielen", "garten", "schläft", "unter", "baum"]
    assert {"word": "hund", "count": 2} in detail["frequencies"]


def test_text_is_private_and_deletable(client, make_user):
    owner, other = make_user(), make_user()
    sub = _submit(client, owner)
    url = f"/api/text/{sub['id']}"
    assert client.get(url, headers=other.headers).status_code == 404
    assert client.delete(url, headers=other.headers).status_code == 404
    assert client.delete(url, headers=owner.headers).status_code == 200
    assert client.get(url, headers=owner.headers).status_code == 404
    assert client.get("/api/text/999999", headers=owner.headers).status_code == 404


def test_extract_unknown_looks_words_up_in_the_catalogue(client, user, seeded):
    word = _ascii_word(seeded)
    text = f"Heute lerne ich {word['text']} und Quastenflosser."
    assert client.post("/api/text/extract-unknown", json={"text": text}).status_code == 401
    assert client.post("/api/text/extract-unknown", json={}, headers=user.headers).status_code == 400
    resp = client.post("/api/text/extract-unknown", json={"text": text}, headers=user.headers)
    assert resp.status_code == 200
    body = resp.get_json()
    by_word = {u["word"]: u for u in body["unknown_words"]}
    hit = by_word[word["text"].lower()]
    assert hit["in_catalogue"] is True and hit["word_id"] == word["id"]
    assert hit["translation"] == word["translation"]
    assert hit["category"] == seeded["category"]["name"]
    assert by_word["quastenflosser"]["in_catalogue"] is False
    assert body["count"] == len(body["unknown_words"])

    # once the word is known it is no longer reported
    client.put(f"/api/vocabulary/{word['id']}/status", json={"status": "known", "add_if_missing": True}, headers=user.headers)
    again = client.post("/api/text/extract-unknown", json={"text": text}, headers=user.headers).get_json()
    assert word["text"].lower() not in {u["word"] for u in again["unknown_words"]}


def test_extract_unknown_from_a_submission(client, make_user):
    owner, other = make_user(), make_user()
    sub = _submit(client, owner)
    resp = client.post("/api/text/extract-unknown", json={"submission_id": sub["id"]}, headers=owner.headers)
    assert resp.status_code == 200
    assert [u["word"] for u in resp.get_json()["unknown_words"]][:2] == ["hund", "katze"]
    denied = client.post("/api/text/extract-unknown", json={"submission_id": sub["id"]}, headers=other.headers)
    assert denied.status_code == 404


def test_translate_calls_the_llm_then_caches(client, user):
    url = "/api/text/translate"
    assert client.post(url, json={"words": ["hund"]}).status_code == 401
    assert client.post(url, json={"words": []}, headers=user.headers).status_code == 400
    assert client.post(url, json={"words": ["x"] * 51}, headers=user.headers).status_code == 400
    words = ["Regenschirm", "fahrrad", "Zahnbürste"]
    resp = client.post(url, json={"words": words}, headers=user.headers)
    assert resp.status_code == 200
    body = resp.get_json()
    assert (body["source"], body["target"]) == ("de", "en")
    assert [t["word"] for t in body["translations"]] == ["regenschirm", "fahrrad", "zahnbürste"]
    assert all(isinstance(t["translation"], str) and t["translation"] for t in body["translations"])
    again = client.post(url, json={"words": words}, headers=user.headers).get_json()
    assert again["cached"] == 3
    assert again["translations"] == body["translations"]


def test_translate_a_submission(client, user):
    sub = _submit(client, user, content="Das Fahrrad steht vor dem Haus.")
    resp = client.post("/api/text/translate", json={"submission_id": sub["id"]}, headers=user.headers)
    assert resp.status_code == 200
    assert [t["word"] for t in resp.get_json()["translations"]] == ["fahrrad", "steht", "vor", "haus"]
    assert client.post("/api/text/translate", json={"submission_id": 999999}, headers=user.headers).status_code == 404


def test_translate_with_a_rejected_user_key_is_a_502(client, user):
    key_url = "/api/settings/openai-key"
    rejected = client.put(key_url, json={"api_key": "sk-invalid-0000000000000", "validate": True}, headers=user.headers)
    assert rejected.status_code == 400
    stored = client.put(key_url, json={"api_key": "sk-invalid-0000000000000"}, headers=user.headers)
    assert stored.status_code == 200
    resp = client.post("/api/text/translate", json={"words": ["nirgendwohin"]}, headers=user.headers)
    assert resp.status_code == 502
    assert resp.get_json()["error"] == "Language model unavailable"


def test_add_words_from_a_text(client, make_user):
    owner, other = make_user(), make_user()
    sub = _submit(client, owner)
    url = f"/api/text/{sub['id']}/add-words"
    assert client.post(url, json={"words": ["hund"]}).status_code == 401
    assert client.post(url, json={"words": ["hund"]}, headers=other.headers).status_code == 404
    assert client.post(url, json={"words": []}, headers=owner.headers).status_code == 400
    resp = client.post(url, json={"words": [{"word": "Katze", "translation": "cat"}, "garten"]}, headers=owner.headers)
    assert resp.status_code == 201
    assert [a["word"] for a in resp.get_json()["added"]] == ["katze", "garten"]
    again = client.post(url, json={"words": ["katze"]}, headers=owner.headers)
    assert again.status_code == 200 and [s["word"] for s in again.get_json()["skipped"]] == ["katze"]
    vocab = client.get("/api/vocabulary", headers=owner.headers).get_json()["vocabulary"]
    assert {v["text"] for v in vocab} >= {"katze", "garten"}
    assert {v["source"] for v in vocab} == {"text"}
    detail = client.get(f"/api/text/{sub['id']}", headers=owner.headers).get_json()["submission"]
    assert "katze" not in detail["unknown_words"]


def test_text_history_is_newest_first(client, user):
    assert client.get("/api/text/history").status_code == 401
    first = _submit(client, user, content="Erster Text mit fünf Wörtern.")
    second = _submit(client, user, content="Zweiter Text.", title="Zwei")
    body = client.get("/api/text/history", headers=user.headers).get_json()
    assert [t["id"] for t in body["texts"]] == [second["id"], first["id"]]
    assert body["pagination"]["total"] == 2
    assert body["totals"] == {"texts": 2, "words": 7}
    assert body["texts"][0]["title"] == "Zwei"
    assert body["texts"][0]["url"] == f"/api/text/{second['id']}"
    paged = client.get("/api/text/history?per_page=1&page=2", headers=user.headers).get_json()
    assert [t["id"] for t in paged["texts"]] == [first["id"]]
