"""Word images (Unsplash-style search), the image search proxy and the image-cache admin."""

IMAGE_KEYS = {"id", "word_id", "url", "thumb_url", "photographer", "source_id"}


def _word_ids(seeded):
    return [w["id"] for w in seeded["words"]]


def test_image_endpoints_require_a_token(client, seeded):
    word_id = seeded["word"]["id"]
    assert client.get(f"/api/words/{word_id}/image").status_code == 401
    assert client.delete(f"/api/words/{word_id}/image").status_code == 401
    assert client.post(f"/api/words/{word_id}/image/refresh").status_code == 401
    assert client.get("/api/images/search?q=house").status_code == 401
    assert client.get("/api/admin/images/stats").status_code == 401
    assert client.post("/api/admin/images/clear", json={}).status_code == 401
    assert client.post("/api/admin/images/prefetch", json={}).status_code == 401


def test_word_image_is_fetched_once_then_served_from_the_table(client, user, admin_headers, seeded):
    word_id = _word_ids(seeded)[1]
    # start from a known state: no stored picture for this word
    client.delete(f"/api/words/{word_id}/image", headers=admin_headers)

    first = client.get(f"/api/words/{word_id}/image", headers=user.headers)
    assert first.status_code == 200
    body = first.get_json()
    assert body["cached"] is False
    assert set(body["image"]) == IMAGE_KEYS
    assert body["image"]["word_id"] == word_id
    assert body["image"]["url"].startswith("http") and body["image"]["thumb_url"]
    assert body["image"]["photographer"] and body["image"]["source_id"]
    assert body["word"]["id"] == word_id and body["query"]
    assert body["links"] == {
        "self": f"/api/words/{word_id}/image",
        "refresh": f"/api/words/{word_id}/image/refresh",
    }

    second = client.get(f"/api/words/{word_id}/image", headers=user.headers).get_json()
    assert second["cached"] is True
    assert second["image"] == body["image"]


def test_word_image_unknown_word(client, user):
    assert client.get("/api/words/987654/image", headers=user.headers).status_code == 404


def test_only_admins_delete_word_images(client, user, admin_headers, seeded):
    word_id = _word_ids(seeded)[2]
    client.get(f"/api/words/{word_id}/image", headers=user.headers)
    assert client.delete(f"/api/words/{word_id}/image", headers=user.headers).status_code == 403

    resp = client.delete(f"/api/words/{word_id}/image", headers=admin_headers)
    assert resp.status_code == 200
    assert resp.get_json() == {"word_id": word_id, "deleted": 1}
    again = client.get(f"/api/words/{word_id}/image", headers=user.headers).get_json()
    assert again["cached"] is False


def test_refresh_walks_through_the_search_results(client, user, seeded):
    word_id = _word_ids(seeded)[3]
    current = client.get(f"/api/words/{word_id}/image", headers=user.headers).get_json()["image"]

    resp = client.post(f"/api/words/{word_id}/image/refresh", headers=user.headers)
    assert resp.status_code == 200
    refreshed = resp.get_json()
    assert refreshed["previous"] == [current["source_id"]]
    assert refreshed["image"]["source_id"] != current["source_id"]

    seen = client.get(f"/api/words/{word_id}/image", headers=user.headers).get_json()
    assert seen["cached"] is True and seen["image"]["source_id"] == refreshed["image"]["source_id"]

    third = client.post(f"/api/words/{word_id}/image/refresh", json={}, headers=user.headers).get_json()
    assert third["image"]["source_id"] not in {current["source_id"], refreshed["image"]["source_id"]}

    custom = client.post(
        f"/api/words/{word_id}/image/refresh", json={"query": "sunny beach"}, headers=user.headers
    ).get_json()
    assert custom["query"] == "sunny beach"
    assert client.post("/api/words/987654/image/refresh", headers=user.headers).status_code == 404


def test_image_search_pages(client, user):
    resp = client.get("/api/images/search?q=apple&per_page=5", headers=user.headers)
    assert resp.status_code == 200
    body = resp.get_json()
    assert body["query"] == "apple" and body["page"] == 1 and body["per_page"] == 5
    assert len(body["results"]) == 5
    assert body["total"] >= 5 and body["total_pages"] >= 2
    for photo in body["results"]:
        assert set(photo) == {"id", "description", "url", "thumb_url", "full_url", "width", "height", "photographer"}
    assert "prev" not in body["links"]
    assert body["links"]["next"] == "/api/images/search?q=apple&page=2&per_page=5"

    page2 = client.get(body["links"]["next"], headers=user.headers).get_json()
    assert page2["page"] == 2
    assert page2["links"]["prev"] == "/api/images/search?q=apple&page=1&per_page=5"
    assert not {p["id"] for p in page2["results"]} & {p["id"] for p in body["results"]}

    same = client.get("/api/images/search?query=apple&per_page=5", headers=user.headers).get_json()
    assert same["results"] == body["results"]
    assert client.get("/api/images/search", headers=user.headers).status_code == 400
    assert client.get("/api/images/search?q=%20", headers=user.headers).status_code == 400


def test_image_admin_requires_admin(client, user):
    assert client.get("/api/admin/images/stats", headers=user.headers).status_code == 403
    assert client.post("/api/admin/images/clear", json={}, headers=user.headers).status_code == 403
    assert client.post("/api/admin/images/prefetch", json={"category_id": 1}, headers=user.headers).status_code == 403


def test_prefetch_fills_a_category_and_stats_show_it(client, admin_headers, seeded):
    category = seeded["categories"][1]
    cleared = client.post("/api/admin/images/clear", json={"category_id": category["id"]}, headers=admin_headers)
    assert cleared.status_code == 200
    assert cleared.get_json()["scope"] == {"category_id": category["id"]}

    stats = client.get("/api/admin/images/stats", headers=admin_headers).get_json()
    row = next(c for c in stats["categories"] if c["id"] == category["id"])
    assert row["with_image"] == 0 and row["words"] > 0

    resp = client.post("/api/admin/images/prefetch", json={"category_id": category["id"]}, headers=admin_headers)
    assert resp.status_code == 200
    body = resp.get_json()
    assert body["category"]["id"] == category["id"]
    assert body["fetched"] == body["words"] == row["words"]
    assert body["skipped"] == 0 and body["failed"] == 0 and body["errors"] == []

    stats = client.get("/api/admin/images/stats", headers=admin_headers).get_json()
    assert set(stats) >= {"total_images", "total_words", "words_with_images", "coverage", "categories", "process", "searches"}
    row = next(c for c in stats["categories"] if c["id"] == category["id"])
    assert row["with_image"] == row["words"] and row["coverage"] == 100.0
    assert stats["words_with_images"] >= row["words"]
    assert stats["total_images"] >= stats["words_with_images"]

    again = client.post(
        "/api/admin/images/prefetch", json={"category_id": category["id"], "limit": 3}, headers=admin_headers
    ).get_json()
    assert again["words"] == 3 and again["skipped"] == 3 and again["fetched"] == 0
    forced = client.post(
        "/api/admin/images/prefetch", json={"category_id": category["id"], "limit": 2, "force": True},
        headers=admin_headers,
    ).get_json()
    assert forced["fetched"] == 2


def test_prefetch_validation(client, admin_headers):
    assert client.post("/api/admin/images/prefetch", json={}, headers=admin_headers).status_code == 400
    resp = client.post("/api/admin/images/prefetch", json={"category_id": 987654}, headers=admin_headers)
    assert resp.status_code == 404


def test_clear_one_word_and_everything(client, user, admin_headers, seeded):
    word_id = _word_ids(seeded)[4]
    client.get(f"/api/words/{word_id}/image", headers=user.headers)
    resp = client.post("/api/admin/images/clear", json={"word_id": word_id}, headers=admin_headers)
    assert resp.status_code == 200
    assert resp.get_json()["deleted"] == 1 and resp.get_json()["scope"] == {"word_id": word_id}
    assert client.get(f"/api/words/{word_id}/image", headers=user.headers).get_json()["cached"] is False

    everything = client.post("/api/admin/images/clear", json={}, headers=admin_headers)
    assert everything.status_code == 200
    assert everything.get_json()["scope"] == {"all": True} and everything.get_json()["deleted"] >= 1
    stats = client.get("/api/admin/images/stats", headers=admin_headers).get_json()
    assert stats["total_images"] == 0 and stats["words_with_images"] == 0
    missing = client.post("/api/admin/images/clear", json={"word_id": 987654}, headers=admin_headers)
    assert missing.status_code == 404
