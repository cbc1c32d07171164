"""Stats, dashboard, meta, cache stats and admin endpoints, health and error handlers."""


def _practice_once(client, user, text, translation, answer):
    word = client.post("/api/words", json={"text": text, "translation": translation}, headers=user.headers).get_json()["word"]
    sid = client.post("/api/practice/sessions", json={"word_count": 1}, headers=user.headers).get_json()["session"]["id"]
    client.post(
        f"/api/practice/sessions/{sid}/answer",
        json={"word_id": word["id"], "answer": answer, "response_ms": 800},
        headers=user.headers,
    )
    client.post(f"/api/practice/sessions/{sid}/complete", headers=user.headers)
    return word


def test_user_stats_for_a_new_user(client, user):
    assert client.get("/api/stats").status_code == 401
    resp = client.get("/api/stats", headers=user.headers)
    assert resp.status_code == 200
    body = resp.get_json()
    assert body["user_id"] == user.id
    assert body["vocabulary"] == {"total": 0, "new": 0, "learning": 0, "known": 0}
    assert body["practice"]["sessions"] == 0 and body["practice"]["accuracy"] == 0.0
    assert body["practice"]["avg_response_ms"] is None
    assert body["categories"] == {} and body["best_category"] is None
    assert body["xp"] == {"total": 0, "level": 1, "ledger_total": 0}
    assert body["texts"] == 0


def test_user_stats_after_practice(client, user):
    _practice_once(client, user, "Wetterhahn", "weathercock", "weathercock")
    _practice_once(client, user, "Dachrinne", "gutter", "roof")
    body = client.get("/api/stats", headers=user.headers).get_json()
    practice = body["practice"]
    assert (practice["sessions"], practice["completed_sessions"], practice["answers"], practice["correct"]) == (2, 2, 2, 1)
    assert practice["accuracy"] == 50.0
    assert practice["avg_response_ms"] == 800
    assert practice["by_mode"]["flashcards"] == {"sessions": 2, "answers": 2, "correct": 1, "accuracy": 50.0}
    assert body["categories"] == {"Uncategorized": {"answers": 2, "correct": 1, "accuracy": 50.0}}
    assert body["vocabulary"]["total"] == 2 and body["vocabulary"]["learning"] == 2
    assert body["xp"]["total"] == body["xp"]["ledger_total"] > 0
    assert body["streak"]["current"] >= 1


def test_dashboard(client, user):
    assert client.get("/api/stats/dashboard").status_code == 401
    empty = client.get("/api/stats/dashboard", headers=user.headers)
    assert empty.status_code == 200
    data = empty.get_json()
    assert data["username"] == user.username
    assert data["daily_goal"]["answered_today"] == 0 and data["daily_goal"]["reached"] is False
    assert data["last_session"] is None and data["due_words"] == []
    assert len(data["calendar"]) == 7
    assert data["links"]["practice"] == "/api/practice/words"

    word = _practice_once(client, user, "Kuckucksuhr", "cuckoo clock", "cuckoo clock")
    data = client.get("/api/stats/dashboard", headers=user.headers).get_json()
    assert data["daily_goal"]["answered_today"] == 1
    assert data["daily_goal"]["xp_today"] == data["level"]["xp_total"]
    assert data["last_session"]["correct_answers"] == 1
    assert data["due_words"] == [{"word_id": word["id"], "text": "Kuckucksuhr", "translation": "cuckoo clock"}]
    assert data["vocabulary_count"] == 1
    assert data["recent_activity"][0]["type"] == "session_completed"
    assert data["calendar"][-1]["count"] >= 2


def test_category_progress(client, user, seeded):
    assert client.get("/api/stats/categories").status_code == 401
    cat = seeded["category"]
    word = seeded["words"][0]
    client.put(f"/api/vocabulary/{word['id']}/status", json={"status": "known", "add_if_missing": True}, headers=user.headers)
    body = client.get("/api/stats/categories", headers=user.headers).get_json()
    assert [c["category_id"] for c in body["categories"]] == [c["id"] for c in seeded["categories"]]
    mine = body["categories"][0]
    assert mine == {
        "category_id": cat["id"],
        "name": cat["name"],
        "total": cat["word_count"],
        "known": 1,
        "learning": 0,
        "percent_known": round(100.0 / cat["word_count"], 1),
    }


def test_stats_history(client, user):
    assert client.get("/api/stats/history").status_code == 401
    _practice_once(client, user, "Blitzableiter", "lightning rod", "lightning rod")
    body = client.get("/api/stats/history?days=3", headers=user.headers).get_json()
    assert body["days"] == 3 and len(body["history"]) == 3
    today = body["history"][-1]
    assert (today["answers"], today["correct"], today["words_added"]) == (1, 1, 1)
    assert today["xp"] > 0
    assert body["history"][0]["answers"] == 0
    assert len(client.get("/api/stats/history", headers=user.headers).get_json()["history"]) == 14


def test_meta_is_public(client):
    resp = client.get("/api/meta")
    assert resp.status_code == 200
    body = resp.get_json()
    assert body["statuses"] == ["new", "learning", "known"]
    assert body["words_per_page"] == 50 and body["practice_batch_size"] == 10
    assert body["xp_rules"]["word_added"] == 5


def test_cache_stats_counts_memory_cache(client, user):
    assert client.get("/api/cache/stats").status_code == 401
    client.post("/api/text/translate", json={"words": ["Kaffeekanne"]}, headers=user.headers)
    body = client.get("/api/cache/stats", headers=user.headers).get_json()
    memory = body["memory"]
    assert memory["entries"] >= 1 and memory["by_prefix"].get("translation", 0) >= 1
    assert memory["sets"] >= 1
    assert set(body["database"]) == {"example_sentences", "word_images", "news_articles"}
    assert isinstance(body["redis"]["available"], bool)
    assert body["requests"]["total"] > 0


def test_clear_cache_is_admin_only(client, user, admin_headers):
    url = "/api/admin/cache/clear"
    assert client.post(url).status_code == 401
    assert client.post(url, json={}, headers=user.headers).status_code == 403
    client.post("/api/text/translate", json={"words": ["Teetasse"]}, headers=user.headers)
    assert client.post(url, json={"prefix": 5}, headers=admin_headers).status_code == 400
    resp = client.post(url, json={"prefix": "translation:"}, headers=admin_headers)
    assert resp.status_code == 200
    assert resp.get_json()["removed"] >= 1 and resp.get_json()["prefix"] == "translation:"
    after = client.get("/api/cache/stats", headers=user.headers).get_json()["memory"]
    assert "translation" not in after["by_prefix"]
    all_ = client.post(url, json={"include_redis": True}, headers=admin_headers)
    assert all_.status_code == 200
    assert client.get("/api/cache/stats", headers=user.headers).get_json()["memory"]["entries"] == 0


def test_admin_stats(client, user, admin_headers):
    assert client.get("/api/admin/stats").status_code == 401
    assert client.get("/api/admin/stats", headers=user.headers).status_code == 403
    body = client.get("/api/admin/stats", headers=admin_headers).get_json()
    assert body["users"] >= 7  # 5 seeded + admin + this test's user
    assert body["categories"] >= 1 and body["words"] >= 1
    assert body["requests"]["total"] > 0 and body["requests"]["top_endpoints"]
    assert "password" not in body["database_url"]


def test_admin_users(client, user, admin_headers):
    assert client.get("/api/admin/users").status_code == 401
    assert client.get("/api/admin/users", headers=user.headers).status_code == 403
    body = client.get("/api/admin/users?per_page=3", headers=admin_headers).get_json()
    assert len(body["users"]) == 3 and body["pagination"]["per_page"] == 3
    assert set(body["users"][0]) >= {"id", "username", "is_admin", "vocabulary_count", "session_count"}
    found = client.get(f"/api/admin/users?q={user.username}", headers=admin_headers).get_json()["users"]
    assert [u["id"] for u in found] == [user.id]
    assert found[0]["is_admin"] is False and found[0]["vocabulary_count"] == 0
    admin = client.get("/api/admin/users?q=admin", headers=admin_headers).get_json()["users"]
    assert any(u["username"] == "admin" and u["is_admin"] for u in admin)


def test_health(client):
    resp = client.get("/health")
    assert resp.status_code == 200
    body = resp.get_json()
    assert body["status"] == "ok" and body["database"] == "ok"
    assert body["redis"] in ("ok", "unavailable")


def test_error_handlers_return_json(client, user):
    missing = client.get("/api/does-not-exist")
    assert missing.status_code == 404
    assert missing.get_json() == {"error": "Not found", "path": "/api/does-not-exist"}
    wrong_method = client.delete("/api/categories")
    assert wrong_method.status_code == 405
    assert wrong_method.get_json()["error"] == "Method not allowed"
    assert "X-Response-Time" in missing.headers and missing.headers["X-API-Version"] == "2.7"
