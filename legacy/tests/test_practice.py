"""Practice: word selection, sessions (start, answer, complete), history, example sentences."""


def _add(client, user, text, translation):
    resp = client.post("/api/words", json={"text": text, "translation": translation}, headers=user.headers)
    assert resp.status_code == 201, resp.get_data(as_text=True)
    return resp.get_json()["word"]


def _start(client, user, **body):
    resp = client.post("/api/practice/sessions", json=body, headers=user.headers)
    assert resp.status_code == 201, resp.get_data(as_text=True)
    return resp


def test_practice_words_come_from_the_vocabulary(client, user):
    assert client.get("/api/practice/words").status_code == 401
    words = [_add(client, user, f"Uebwort{i}", f"practice word {i}") for i in range(3)]
    resp = client.get("/api/practice/words?count=3", headers=user.headers)
    assert resp.status_code == 200
    body = resp.get_json()
    assert body["count"] == 3
    assert {w["id"] for w in body["words"]} == {w["id"] for w in words}
    assert body["direction"] == "to_native"
    assert body["links"]["start_session"] == "/api/practice/sessions"
    two = client.get("/api/practice/words?count=2", headers=user.headers).get_json()
    assert len(two["words"]) == 2 and {w["id"] for w in two["words"]} <= {w["id"] for w in words}
    assert client.get("/api/practice/words?status=bogus", headers=user.headers).status_code == 400
    none_known = client.get("/api/practice/words?status=known&count=5", headers=user.headers).get_json()
    # no known words: topped up from the catalogue, never with words already in the vocabulary
    assert none_known["count"] == 5
    assert not {w["id"] for w in none_known["words"]} & {w["id"] for w in words}


def test_practice_words_for_a_new_user_use_the_catalogue(client, user, seeded):
    cat = seeded["category"]["id"]
    resp = client.get(f"/api/practice/words?count=4&category_id={cat}", headers=user.headers)
    assert resp.status_code == 200
    words = resp.get_json()["words"]
    assert len(words) == 4 and all(w["category_id"] == cat for w in words)


def test_multiple_choice_contains_the_answer(client, user, seeded):
    word = seeded["word"]
    url = f"/api/practice/words/{word['id']}/choices"
    assert client.get(url).status_code == 401
    resp = client.get(url + "?n=4", headers=user.headers)
    assert resp.status_code == 200
    body = resp.get_json()
    assert body["prompt"] == word["text"]
    assert len(body["choices"]) == 4
    assert {"word_id": word["id"], "text": word["translation"]} in body["choices"]
    assert len({c["word_id"] for c in body["choices"]}) == 4
    assert client.get("/api/practice/words/999999/choices", headers=user.headers).status_code == 404


def test_start_session_validates_and_links(client, user, seeded):
    url = "/api/practice/sessions"
    assert client.post(url, json={}).status_code == 401
    assert client.post(url, json={"mode": "juggling"}, headers=user.headers).status_code == 400
    assert client.post(url, json={"category_id": 999999}, headers=user.headers).status_code == 404
    resp = _start(client, user, mode="typing", word_count=3, category_id=seeded["category"]["id"])
    body = resp.get_json()
    sid = body["session"]["id"]
    assert resp.headers["Location"].endswith(f"/api/practice/sessions/{sid}")
    assert body["session"]["mode"] == "typing"
    assert body["session"]["total_questions"] == 3 and len(body["cards"]) == 3
    card = body["cards"][0]
    assert set(card) == {"word_id", "prompt", "answer_language", "part_of_speech", "difficulty", "category"}
    assert body["links"] == {
        "self": f"/api/practice/sessions/{sid}",
        "answer": f"/api/practice/sessions/{sid}/answer",
        "complete": f"/api/practice/sessions/{sid}/complete",
    }
    detail = client.get(body["links"]["self"], headers=user.headers)
    assert detail.status_code == 200
    data = detail.get_json()["session"]
    assert data["answers"] == [] and data["completed_at"] is None
    assert data["category"] == seeded["category"]["name"]


def test_full_session_answer_complete_history(client, user):
    gnome = _add(client, user, "Gartenzwerg", "garden gnome")
    bike = _add(client, user, "Klapprad", "folding bike; folder")
    body = _start(client, user, word_count=2).get_json()
    sid = body["session"]["id"]
    assert {c["word_id"] for c in body["cards"]} == {gnome["id"], bike["id"]}
    answer_url = f"/api/practice/sessions/{sid}/answer"

    assert client.post(answer_url, json={"word_id": gnome["id"], "answer": "x"}).status_code == 401
    assert client.post(answer_url, json={"answer": "x"}, headers=user.headers).status_code == 400
    assert client.post(answer_url, json={"word_id": gnome["id"]}, headers=user.headers).status_code == 400
    assert client.post(answer_url, json={"word_id": 999999, "answer": "x"}, headers=user.headers).status_code == 404

    ok = client.post(answer_url, json={"word_id": gnome["id"], "answer": "Garden Gnome!", "response_ms": 1200}, headers=user.headers)
    assert ok.status_code == 200
    assert ok.get_json() == {
        "correct": True,
        "expected": "garden gnome",
        "status": "learning",
        "progress": {"answered": 1, "total": 2, "correct": 1},
    }
    bike_ok = client.post(answer_url, json={"word_id": bike["id"], "answer": "Folder"}, headers=user.headers)
    assert bike_ok.get_json()["correct"] is True

    detail = client.get(f"/api/practice/sessions/{sid}", headers=user.headers).get_json()["session"]
    assert [a["word"] for a in detail["answers"]] == ["Gartenzwerg", "Klapprad"]
    assert detail["answers"][0]["response_ms"] == 1200

    done = client.post(f"/api/practice/sessions/{sid}/complete", headers=user.headers)
    assert done.status_code == 200
    result = done.get_json()
    assert result["accuracy"] == 100.0
    assert result["awards"][:2] == ["session_completed", "perfect_session"]
    assert result["xp_earned"] == 2 * 2 + 20 + 30
    assert result["session"]["completed_at"] is not None
    assert result["mistakes"] == []
    assert result["streak"]["current"] >= 1
    assert result["daily_goal"]["answered_today"] == 2

    assert client.post(f"/api/practice/sessions/{sid}/complete", headers=user.headers).status_code == 409
    late = client.post(answer_url, json={"word_id": gnome["id"], "answer": "x"}, headers=user.headers)
    assert late.status_code == 409

    history = client.get("/api/practice/history", headers=user.headers).get_json()
    assert history["pagination"]["total"] == 1
    item = history["sessions"][0]
    assert item["id"] == sid and item["answer_count"] == 2 and item["accuracy"] == 100.0
    completed = client.get("/api/practice/history?completed=true", headers=user.headers).get_json()
    assert completed["pagination"]["total"] == 1


def test_wrong_answers_are_reported_as_mistakes(client, user):
    word = _add(client, user, "Schneeschaufel", "snow shovel")
    sid = _start(client, user, word_count=1, mode="flashcards").get_json()["session"]["id"]
    wrong = client.post(
        f"/api/practice/sessions/{sid}/answer", json={"word_id": word["id"], "answer": "umbrella"}, headers=user.headers
    ).get_json()
    assert wrong["correct"] is False and wrong["expected"] == "snow shovel"
    result = client.post(f"/api/practice/sessions/{sid}/complete", headers=user.headers).get_json()
    assert result["accuracy"] == 0.0
    assert result["awards"] == ["session_completed"]
    assert result["mistakes"] == [
        {"word_id": word["id"], "word": "Schneeschaufel", "expected": "snow shovel", "given": "umbrella"}
    ]
    entry = client.get(f"/api/vocabulary/{word['id']}", headers=user.headers).get_json()["entry"]
    assert entry["incorrect_count"] == 1 and entry["status"] == "learning"
    assert entry["recent_answers"][0]["user_answer"] == "umbrella"


def test_direction_to_target_expects_the_word_itself(client, user):
    word = _add(client, user, "Leuchtturm", "lighthouse")
    client.put("/api/settings", json={"practice_direction": "to_target"}, headers=user.headers)
    body = _start(client, user, word_count=1).get_json()
    assert body["direction"] == "to_target"
    assert body["cards"][0]["prompt"] == "lighthouse"
    resp = client.post(
        f"/api/practice/sessions/{body['session']['id']}/answer",
        json={"word_id": word["id"], "answer": "leuchtturm"},
        headers=user.headers,
    ).get_json()
    assert resp["correct"] is True and resp["expected"] == "Leuchtturm"


def test_sessions_are_private(client, make_user):
    owner, other = make_user(), make_user()
    _add(client, owner, "Eigentum", "property")
    sid = _start(client, owner, word_count=1).get_json()["session"]["id"]
    assert client.get(f"/api/practice/sessions/{sid}", headers=other.headers).status_code == 404
    assert client.post(f"/api/practice/sessions/{sid}/complete", headers=other.headers).status_code == 404
    assert client.get("/api/practice/sessions/999999", headers=owner.headers).status_code == 404
    assert client.get("/api/practice/history").status_code == 401


def test_example_sentences_generated_stored_and_regenerated(client, user):
    word = _add(client, user, "Sonnenuhr", "sundial")
    url = f"/api/words/{word['id']}/examples"
    assert client.get(url).status_code == 401
    first = client.get(url, headers=user.headers)
    assert first.status_code == 200
    body = first.get_json()
    assert body["source"] == "llm" and body["word"] == "Sonnenuhr"
    assert len(body["examples"]) == 3
    assert all(set(e) == {"sentence", "translation"} and "Sonnenuhr" in e["sentence"] for e in body["examples"])
    second = client.get(url, headers=user.headers).get_json()
    assert second["examples"] == body["examples"] and second["source"] in ("memory", "database")
    stored = client.get(f"/api/words/{word['id']}").get_json()["word"]["sentences"]
    assert [s["sentence"] for s in stored] == [e["sentence"] for e in body["examples"]]
    regen = client.post(url + "?n=2", headers=user.headers)
    assert regen.status_code == 201 and len(regen.get_json()["examples"]) == 2
    stored = client.get(f"/api/words/{word['id']}").get_json()["word"]["sentences"]
    assert len(stored) == 2
    assert client.get("/api/words/999999/examples", headers=user.headers).status_code == 404
