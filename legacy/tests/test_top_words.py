"""Top-100 words: per category, overall, and the per-category preview."""

TOP_WORD_KEYS = {
    "rank", "id", "text", "translation", "part_of_speech", "difficulty", "frequency_rank",
    "category_id", "category", "has_image", "learners", "known_by", "links",
}


def _assert_ranked(words):
    assert [w["rank"] for w in words] == list(range(1, len(words) + 1))
    learners = [w["learners"] for w in words]
    assert learners == sorted(learners, reverse=True)
    for w in words:
        assert TOP_WORD_KEYS <= set(w)
        assert 0 <= w["known_by"] <= w["learners"]
        assert w["links"]["image"] == f"/api/words/{w['id']}/image"


def test_category_top_words_anonymous(client, seeded):
    category = seeded["category"]
    resp = client.get(f"/api/categories/{category['id']}/top-words")
    assert resp.status_code == 200
    body = resp.get_json()
    assert body["category"]["id"] == category["id"]
    assert body["limit"] == 100
    assert 0 < body["count"] == len(body["words"]) <= 100
    _assert_ranked(body["words"])
    assert {w["category_id"] for w in body["words"]} == {category["id"]}
    assert {w["category"] for w in body["words"]} == {category["name"]}
    assert "in_vocabulary" not in body["words"][0]
    assert body["links"] == {"overall": "/api/top-words", "by_category": "/api/top-words/by-category"}

    limited = client.get(f"/api/categories/{category['id']}/top-words?limit=3").get_json()
    assert limited["count"] == 3
    assert [w["id"] for w in limited["words"]] == [w["id"] for w in body["words"][:3]]


def test_category_top_words_unknown_category(client):
    assert client.get("/api/categories/987654/top-words").status_code == 404


def test_category_top_words_sees_a_new_learner(client, user, seeded):
    category = seeded["category"]
    before = client.get(f"/api/categories/{category['id']}/top-words", headers=user.headers).get_json()
    assert all(w["in_vocabulary"] is False for w in before["words"])
    target = before["words"][-1]

    resp = client.post(
        "/api/vocabulary/words",
        json={"text": target["text"], "translation": target["translation"], "category_id": category["id"]},
        headers=user.headers,
    )
    assert resp.status_code == 201, resp.get_data(as_text=True)
    assert resp.get_json()["word"]["id"] == target["id"]

    after = client.get(f"/api/categories/{category['id']}/top-words", headers=user.headers).get_json()
    entry = next(w for w in after["words"] if w["id"] == target["id"])
    assert entry["in_vocabulary"] is True and entry["status"] is not None
    assert entry["learners"] == target["learners"] + 1
    _assert_ranked(after["words"])


def test_top_words_overall_and_by_level(client, user, seeded):
    resp = client.get("/api/top-words?limit=20", headers=user.headers)
    assert resp.status_code == 200
    body = resp.get_json()
    assert body["count"] == 20 and body["level"] is None
    _assert_ranked(body["words"])
    assert all("in_vocabulary" in w for w in body["words"])

    level = seeded["categories"][0]["level"]
    same_level = {c["id"] for c in seeded["categories"] if c["level"] == level}
    by_level = client.get(f"/api/top-words?level={level}").get_json()
    assert by_level["level"] == level and by_level["count"] > 0
    assert {w["category_id"] for w in by_level["words"]} <= same_level
    _assert_ranked(by_level["words"])

    assert client.get("/api/top-words?level=Z9").status_code == 400


def test_top_words_by_category_preview(client, seeded):
    resp = client.get("/api/top-words/by-category?per_category=2")
    assert resp.status_code == 200
    body = resp.get_json()
    assert body["per_category"] == 2
    ids = [entry["category"]["id"] for entry in body["categories"]]
    assert ids == sorted(ids)
    assert set(ids) >= {c["id"] for c in seeded["categories"]}
    assert body["count"] == len(ids)
    for entry in body["categories"]:
        assert len(entry["words"]) <= 2
        assert entry["word_count"] >= len(entry["words"])
        assert entry["links"]["full"] == f"/api/categories/{entry['category']['id']}/top-words"
        _assert_ranked(entry["words"])
