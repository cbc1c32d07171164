"""Categories, words, the user's vocabulary and excluded words."""


def _add(client, user, text, translation="x", **extra):
    resp = client.post("/api/words", json={"text": text, "translation": translation, **extra}, headers=user.headers)
    assert resp.status_code == 201, resp.get_data(as_text=True)
    return resp.get_json()


def test_categories_list_is_public_and_counts_words(client, user, seeded):
    resp = client.get("/api/categories")
    assert resp.status_code == 200
    body = resp.get_json()
    assert body["total"] == len(body["categories"]) == len(seeded["categories"])
    first = body["categories"][0]
    assert set(first) >= {"id", "name", "slug", "level", "word_count", "url"}
    assert first["word_count"] > 0
    assert first["url"] == f"/api/categories/{first['id']}"
    assert "in_vocabulary" not in first
    authed = client.get("/api/categories", headers=user.headers).get_json()["categories"]
    assert all(c["in_vocabulary"] == 0 for c in authed)
    level = first["level"]
    only = client.get(f"/api/categories?level={level}").get_json()["categories"]
    assert only and all(c["level"] == level for c in only)


def test_category_detail(client, user, seeded):
    cat = seeded["category"]
    resp = client.get(f"/api/categories/{cat['id']}")
    assert resp.status_code == 200
    data = resp.get_json()["category"]
    assert data["name"] == cat["name"]
    assert data["word_count"] == cat["word_count"]
    assert sum(data["difficulty_distribution"].values()) == data["word_count"]
    assert data["links"]["words"] == f"/api/categories/{cat['id']}/words"
    assert "progress" not in data
    _add(client, user, seeded["word"]["text"], category_id=cat["id"])
    mine = client.get(f"/api/categories/{cat['id']}", headers=user.headers).get_json()["category"]
    assert mine["progress"] == {"new": 1, "learning": 0, "known": 0}
    assert client.get("/api/categories/999999").status_code == 404


def test_category_words_pagination_and_user_status(client, user, seeded):
    cat = seeded["category"]
    url = f"/api/categories/{cat['id']}/words"
    page1 = client.get(url + "?per_page=5").get_json()
    assert page1["pagination"] == {"page": 1, "per_page": 5, "total": cat["word_count"], "pages": (cat["word_count"] + 4) // 5}
    assert len(page1["words"]) == 5
    assert "next" in page1["links"] and "prev" not in page1["links"]
    page2 = client.get(page1["links"]["next"]).get_json()
    assert page2["pagination"]["page"] == 2
    assert {w["id"] for w in page1["words"]}.isdisjoint({w["id"] for w in page2["words"]})
    assert "prev" in page2["links"]

    word = page1["words"][0]
    _add(client, user, word["text"], category_id=cat["id"])
    mine = client.get(url + "?per_page=5", headers=user.headers).get_json()["words"]
    assert mine[0]["in_vocabulary"] is True and mine[0]["status"] == "new"
    assert all(w["in_vocabulary"] is False for w in mine[1:])
    only_new = client.get(url + "?per_page=5&status=new", headers=user.headers).get_json()["words"]
    assert [w["id"] for w in only_new] == [word["id"]]
    diff = client.get(url + f"?difficulty={word['difficulty']}").get_json()["words"]
    assert diff and all(w["difficulty"] == word["difficulty"] for w in diff)
    assert client.get("/api/categories/999999/words").status_code == 404


def test_word_detail_get_and_options(client, user, seeded):
    word = seeded["word"]
    resp = client.get(f"/api/words/{word['id']}")
    assert resp.status_code == 200
    data = resp.get_json()["word"]
    assert data["text"] == word["text"]
    assert data["category"] == seeded["category"]["name"]
    assert isinstance(data["images"], list) and isinstance(data["sentences"], list)
    assert data["links"]["examples"] == f"/api/words/{word['id']}/examples"
    authed = client.get(f"/api/words/{word['id']}", headers=user.headers).get_json()["word"]
    assert authed["in_vocabulary"] is False
    opts = client.options(f"/api/words/{word['id']}")
    assert opts.status_code == 204
    assert opts.headers["Allow"] == "GET, PUT, DELETE, OPTIONS"
    assert client.get("/api/words/999999").status_code == 404


def test_word_put_and_delete_need_the_creator(client, make_user, seeded):
    owner, other = make_user(), make_user()
    created = _add(client, owner, "Zwetschgenkuchen", "plum cake")
    word_id = created["word"]["id"]
    url = f"/api/words/{word_id}"
    assert client.put(url, json={"translation": "cake"}).status_code == 401
    assert client.put(url, json={"translation": "cake"}, headers=other.headers).status_code == 403
    assert client.put(url, json={"difficulty": 9}, headers=owner.headers).status_code == 400
    assert client.put(url, json={"text": "x"}, headers=owner.headers).status_code == 400
    upd = client.put(url, json={"translation": "plum tart", "difficulty": 3}, headers=owner.headers)
    assert upd.status_code == 200
    got = client.get(url).get_json()["word"]
    assert (got["translation"], got["difficulty"]) == ("plum tart", 3)
    # the seeded words belong to nobody: only admins may change them
    seeded_url = f"/api/words/{seeded['word']['id']}"
    assert client.delete(seeded_url, headers=other.headers).status_code == 403
    assert client.delete(url, headers=other.headers).status_code == 403
    assert client.delete(url, headers=owner.headers).status_code == 200
    assert client.get(url).status_code == 404
    assert client.get(f"/api/vocabulary/{word_id}", headers=owner.headers).status_code == 404


def test_admin_can_edit_seeded_words(client, admin_headers, seeded):
    word = seeded["words"][-1]
    url = f"/api/words/{word['id']}"
    resp = client.put(url, json={"example": "Ein Beispiel."}, headers=admin_headers)
    assert resp.status_code == 200
    assert client.get(url).get_json()["word"]["example"] == "Ein Beispiel."


def test_search(client, user, seeded):
    word = seeded["word"]
    assert client.get("/api/words/search?q=a").status_code == 400
    resp = client.get(f"/api/words/search?q={word['text']}")
    assert resp.status_code == 200
    body = resp.get_json()
    assert body["results"][0]["id"] == word["id"]
    assert body["count"] == len(body["results"])
    by_translation = client.get(f"/api/words/search?q={word['translation']}").get_json()
    assert word["id"] in [w["id"] for w in by_translation["results"]]
    other_cat = seeded["categories"][1]["id"]
    none = client.get(f"/api/words/search?q={word['text']}&category_id={other_cat}&limit=5").get_json()
    assert word["id"] not in [w["id"] for w in none["results"]]
    authed = client.get(f"/api/words/search?q={word['text']}", headers=user.headers).get_json()
    assert authed["results"][0]["in_vocabulary"] is False


def test_add_word_both_routes_and_duplicates(client, user, seeded):
    assert client.post("/api/words", json={"text": "Haus"}).status_code == 401
    assert client.post("/api/words", json={}, headers=user.headers).status_code == 400
    assert client.post("/api/words", json={"text": "Haus", "category_id": 999999}, headers=user.headers).status_code == 404
    resp = client.post("/api/words", json={"text": "Vogelscheuche", "translation": "scarecrow"}, headers=user.headers)
    assert resp.status_code == 201
    body = resp.get_json()
    assert body["created"] is True
    assert body["vocabulary"]["status"] == "new"
    assert body["xp_total"] >= 5
    assert resp.headers["Location"].endswith(f"/api/words/{body['word']['id']}")
    dup = client.post("/api/vocabulary/words", json={"text": "vogelscheuche"}, headers=user.headers)
    assert dup.status_code == 409
    # the second route adds an existing catalogue word without creating a new one
    seeded_word = seeded["words"][1]
    other = client.post(
        "/api/vocabulary/words",
        json={"text": seeded_word["text"], "category_id": seeded["category"]["id"]},
        headers=user.headers,
    )
    assert other.status_code == 201
    assert other.get_json()["created"] is False
    assert other.get_json()["word"]["id"] == seeded_word["id"]
    vocab = client.get("/api/vocabulary", headers=user.headers).get_json()
    assert {v["text"] for v in vocab["vocabulary"]} == {"Vogelscheuche", seeded_word["text"]}


def test_suggestions_get_and_add(client, user, seeded):
    assert client.get("/api/vocabulary/suggestions").status_code == 401
    cat = seeded["category"]["id"]
    resp = client.get(f"/api/vocabulary/suggestions?category_id={cat}&limit=3", headers=user.headers)
    assert resp.status_code == 200
    suggestions = resp.get_json()["suggestions"]
    assert len(suggestions) == 3
    assert all(s["category_id"] == cat for s in suggestions)
    ids = [s["id"] for s in suggestions]
    add = client.post("/api/vocabulary/suggestions", json={"word_ids": ids[:2]}, headers=user.headers)
    assert add.status_code == 201
    assert add.get_json()["added"] == ids[:2]
    again = client.post("/api/vocabulary/suggestions", json={"word_ids": ids[:2]}, headers=user.headers)
    assert again.status_code == 200
    assert again.get_json()["skipped"] == ids[:2]
    after = client.get(f"/api/vocabulary/suggestions?category_id={cat}&limit=3", headers=user.headers).get_json()
    assert not set(ids[:2]) & {s["id"] for s in after["suggestions"]}
    auto = client.post("/api/vocabulary/suggestions", json={"count": 2, "category_id": cat}, headers=user.headers)
    assert auto.status_code == 201 and len(auto.get_json()["added"]) == 2
    bad = client.post("/api/vocabulary/suggestions", json={"word_ids": "1,2"}, headers=user.headers)
    assert bad.status_code == 400
    vocab = client.get("/api/vocabulary?status=new", headers=user.headers).get_json()
    assert vocab["pagination"]["total"] == 4
    assert {v["source"] for v in vocab["vocabulary"]} == {"suggested"}


def test_bulk_add(client, user, seeded):
    url = "/api/vocabulary/bulk"
    assert client.post(url, json={"words": ["a"]}).status_code == 401
    assert client.post(url, json={"words": []}, headers=user.headers).status_code == 400
    assert client.post(url, json={"words": ["w"] * 201}, headers=user.headers).status_code == 400
    payload = {
        "words": [
            {"text": "Bulkwort", "translation": "bulk word"},
            "Zweitwort",
            {"text": seeded["word"]["text"], "category_id": seeded["category"]["id"]},
            {"text": "Bulkwort"},
            {"translation": "no text"},
            {"text": "Irgendwo", "category_id": 999999},
        ]
    }
    resp = client.post(url, json=payload, headers=user.headers)
    assert resp.status_code == 201
    body = resp.get_json()
    assert body["added"] == 3 and body["total"] == 6
    assert [r["status"] for r in body["results"]] == ["added", "added", "added", "duplicate", "invalid", "unknown_category"]
    assert body["results"][2]["word_id"] == seeded["word"]["id"]
    vocab = client.get("/api/vocabulary", headers=user.headers).get_json()
    assert vocab["pagination"]["total"] == 3
    assert {v["source"] for v in vocab["vocabulary"]} == {"bulk"}


def test_vocabulary_list_filters_and_counts(client, user, seeded):
    assert client.get("/api/vocabulary").status_code == 401
    w1, w2 = seeded["words"][2], seeded["words"][3]
    for w in (w1, w2):
        _add(client, user, w["text"], category_id=seeded["category"]["id"])
    client.put(f"/api/vocabulary/{w2['id']}/status", json={"status": "learning"}, headers=user.headers)
    body = client.get("/api/vocabulary", headers=user.headers).get_json()
    assert body["counts"] == {"new": 1, "learning": 1, "known": 0}
    item = body["vocabulary"][0]
    assert set(item) >= {"word_id", "status", "text", "translation", "category", "word"}
    assert item["category"] == seeded["category"]["name"]
    learning = client.get("/api/vocabulary?status=learning", headers=user.headers).get_json()["vocabulary"]
    assert [v["word_id"] for v in learning] == [w2["id"]]
    by_cat = client.get(f"/api/vocabulary?category_id={seeded['category']['id']}", headers=user.headers).get_json()
    assert by_cat["pagination"]["total"] == 2
    assert client.get("/api/vocabulary?status=bogus", headers=user.headers).status_code == 400
    paged = client.get("/api/vocabulary?per_page=1&page=2", headers=user.headers).get_json()
    assert paged["pagination"]["pages"] == 2 and len(paged["vocabulary"]) == 1


def test_vocabulary_entry_get_and_delete(client, user, seeded):
    word = seeded["words"][4]
    url = f"/api/vocabulary/{word['id']}"
    assert client.get(url).status_code == 401
    assert client.get(url, headers=user.headers).status_code == 404
    _add(client, user, word["text"], category_id=seeded["category"]["id"])
    entry = client.get(url, headers=user.headers).get_json()["entry"]
    assert entry["word"]["id"] == word["id"] and entry["recent_answers"] == []
    assert client.delete(url, headers=user.headers).status_code == 200
    assert client.get(url, headers=user.headers).status_code == 404
    assert client.delete(url, headers=user.headers).status_code == 404


def test_status_update_awards_xp_once(client, user, seeded):
    word = seeded["words"][5]
    url = f"/api/vocabulary/{word['id']}/status"
    assert client.put(url, json={"status": "known"}).status_code == 401
    assert client.put(url, json={"status": "known"}, headers=user.headers).status_code == 404
    assert client.put(url, json={"status": "wrong"}, headers=user.headers).status_code == 400
    assert client.put("/api/vocabulary/999999/status", json={"status": "known"}, headers=user.headers).status_code == 404
    first = client.put(url, json={"status": "known", "add_if_missing": True}, headers=user.headers)
    assert first.status_code == 200
    body = first.get_json()
    assert body["entry"]["status"] == "known"
    assert body["previous_status"] == "new"
    xp_after_first = body["xp_total"]
    assert xp_after_first >= 15  # word_added + word_known
    client.patch(url, json={"status": "learning"}, headers=user.headers)
    again = client.put(url, json={"status": "known"}, headers=user.headers).get_json()
    assert again["xp_total"] == xp_after_first
    vocab = client.get("/api/vocabulary?status=known", headers=user.headers).get_json()["vocabulary"]
    assert [v["word_id"] for v in vocab] == [word["id"]]


def test_export_json_and_csv(client, user, seeded):
    assert client.get("/api/vocabulary/export").status_code == 401
    _add(client, user, "Exportwort", "export word")
    data = client.get("/api/vocabulary/export", headers=user.headers).get_json()
    assert data["count"] == 1
    assert data["words"][0] == {
        "text": "Exportwort", "translation": "export word", "category": "", "status": "new", "correct": 0, "incorrect": 0,
    }
    csv = client.get("/api/vocabulary/export?format=csv", headers=user.headers)
    assert csv.status_code == 200
    assert csv.headers["Content-Type"].startswith("text/csv")
    lines = csv.get_data(as_text=True).strip().splitlines()
    assert lines[0] == "text,translation,category,status,correct,incorrect"
    assert lines[1].startswith("Exportwort,export word")
    assert client.get("/api/vocabulary/export?format=xml", headers=user.headers).status_code == 400


def test_excluded_words_crud(client, make_user):
    user, other = make_user(), make_user()
    url = "/api/excluded-words"
    assert client.get(url).status_code == 401
    assert client.get(url, headers=user.headers).get_json() == {"excluded_words": [], "count": 0}
    assert client.post(url, json={}, headers=user.headers).status_code == 400
    one = client.post(url, json={"word": "Zebra", "reason": "name"}, headers=user.headers)
    assert one.status_code == 201 and one.get_json()["added"] == ["zebra"]
    many = client.post(url, json={"words": ["apfel", "ZEBRA", "birne", "apfel"]}, headers=user.headers)
    assert many.status_code == 201
    assert many.get_json() == {"added": ["apfel", "birne"], "skipped": ["zebra", "apfel"]}
    listed = client.get(url, headers=user.headers).get_json()
    assert [e["word"] for e in listed["excluded_words"]] == ["apfel", "birne", "zebra"]
    zebra = listed["excluded_words"][2]
    assert zebra["reason"] == "name"
    assert client.delete(f"{url}/{zebra['id']}", headers=other.headers).status_code == 404
    assert client.delete(f"{url}/{zebra['id']}").status_code == 401
    deleted = client.delete(f"{url}/{zebra['id']}", headers=user.headers)
    assert deleted.status_code == 200 and deleted.get_json()["word"] == "zebra"
    assert client.get(url, headers=user.headers).get_json()["count"] == 2
    assert client.get(url, headers=other.headers).get_json()["count"] == 0
