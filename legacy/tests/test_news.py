"""News: the RSS feed, full articles, unknown words of an article, the admin refresh."""


def _first_feed_item(client, headers):
    resp = client.get("/api/news?limit=5", headers=headers)
    assert resp.status_code == 200, resp.get_data(as_text=True)
    items = resp.get_json()["items"]
    assert items
    return items[0]


def _fetch_article(client, headers, url):
    resp = client.get("/api/news/article", query_string={"url": url}, headers=headers)
    assert resp.status_code == 200, resp.get_data(as_text=True)
    return resp.get_json()


def test_news_endpoints_require_a_token(client):
    assert client.get("/api/news").status_code == 401
    assert client.get("/api/news/article?url=http://127.0.0.1/x.html").status_code == 401
    assert client.get("/api/news/articles").status_code == 401
    assert client.get("/api/news/articles/1").status_code == 401
    assert client.post("/api/news/articles/1/words", json={}).status_code == 401
    assert client.post("/api/admin/news/refresh", json={}).status_code == 401


def test_feed_lists_items_with_links(client, user):
    resp = client.get("/api/news", headers=user.headers)
    assert resp.status_code == 200
    body = resp.get_json()
    assert body["source"]
    assert body["total"] >= body["count"] > 0
    for item in body["items"]:
        assert set(item) >= {"title", "link", "guid", "summary", "published", "article_id", "fetched", "links"}
        assert item["link"].startswith("http")
        assert item["title"] and "<" not in item["summary"]
        assert item["links"]["article"].startswith("/api/news/article?url=")

    limited = client.get("/api/news?limit=3", headers=user.headers).get_json()
    assert limited["count"] == 3
    assert [i["link"] for i in limited["items"]] == [i["link"] for i in body["items"][:3]]


def test_article_is_fetched_cleaned_stored_and_listed(client, user):
    item = _first_feed_item(client, user.headers)
    article = _fetch_article(client, user.headers, item["link"])
    assert article["url"] == item["link"]
    assert article["title"]
    assert article["content"] and article["has_content"] is True
    assert article["word_count"] > 20
    assert "<" not in article["content"], "HTML must be cleaned away"
    assert article["paragraphs"]
    assert article["links"]["self"] == f"/api/news/articles/{article['id']}"

    again = _fetch_article(client, user.headers, item["link"])
    assert again["cached"] is True
    assert again["id"] == article["id"] and again["content"] == article["content"]

    refreshed = client.get(
        "/api/news/article", query_string={"url": item["link"], "refresh": "1"}, headers=user.headers
    ).get_json()
    assert refreshed["cached"] is False and refreshed["id"] == article["id"]

    stored = client.get(f"/api/news/articles/{article['id']}", headers=user.headers)
    assert stored.status_code == 200
    assert stored.get_json()["content"] == article["content"]

    listing = client.get("/api/news/articles?per_page=50", headers=user.headers).get_json()
    assert article["id"] in [a["id"] for a in listing["articles"]]
    assert set(listing["pagination"]) == {"page", "per_page", "total", "pages"}
    with_content = client.get("/api/news/articles?with_content=1&per_page=50", headers=user.headers)
    assert all(a["has_content"] for a in with_content.get_json()["articles"])

    feed = client.get("/api/news", headers=user.headers).get_json()
    entry = next(i for i in feed["items"] if i["link"] == item["link"])
    assert entry["article_id"] == article["id"] and entry["fetched"] is True


def test_article_fetch_validation_and_upstream_errors(client, user, legacy_env):
    assert client.get("/api/news/article", headers=user.headers).status_code == 400
    bad = client.get("/api/news/article", query_string={"url": "ftp://example.test/a"}, headers=user.headers)
    assert bad.status_code == 400
    missing = f"{legacy_env['upstream_url']}/articles/no-such-article-anywhere.html"
    resp = client.get("/api/news/article", query_string={"url": missing}, headers=user.headers)
    assert resp.status_code == 502
    assert "error" in resp.get_json()
    assert client.get("/api/news/articles/987654", headers=user.headers).status_code == 404
    assert client.post("/api/news/articles/987654/words", json={}, headers=user.headers).status_code == 404


def test_unknown_words_of_an_article_mark_it_read_once(client, make_user):
    user = make_user()
    item = _first_feed_item(client, user.headers)
    article = _fetch_article(client, user.headers, item["link"])

    resp = client.post(f"/api/news/articles/{article['id']}/words", json={"limit": 10}, headers=user.headers)
    assert resp.status_code == 200
    body = resp.get_json()
    assert body["article_id"] == article["id"]
    assert body["total_tokens"] >= body["unique_words"] > 0
    assert 0 < body["unknown_count"] == len(body["unknown"]) <= 10
    for entry in body["unknown"]:
        assert set(entry) == {"word", "count", "word_id", "translation", "category", "in_vocabulary", "status"}
        assert entry["word"] == entry["word"].lower() and entry["count"] >= 1
    words = [e["word"] for e in body["unknown"]]
    assert len(words) == len(set(words))
    assert body["xp_awarded"] == 10

    second = client.post(f"/api/news/articles/{article['id']}/words", json={}, headers=user.headers).get_json()
    assert second["xp_awarded"] == 0
    assert second["unknown"][: len(words)] == body["unknown"]

    reads = client.get("/api/activity?type=article_read", headers=user.headers).get_json()["activities"]
    assert [a["details"] for a in reads] == [{"article_id": article["id"]}]
    history = client.get("/api/xp/history", headers=user.headers).get_json()
    assert {"reason": "article_read", "amount": 10} in history["totals_by_reason"]


def test_unknown_words_skip_known_and_excluded_words(client, make_user):
    user = make_user()
    item = _first_feed_item(client, user.headers)
    article = _fetch_article(client, user.headers, item["link"])
    before = client.post(
        f"/api/news/articles/{article['id']}/words", json={"limit": 200, "mark_read": False}, headers=user.headers
    ).get_json()
    assert before["xp_awarded"] == 0
    first = before["unknown"][0]["word"]
    resp = client.post("/api/excluded-words", json={"word": first}, headers=user.headers)
    assert resp.status_code in (200, 201), resp.get_data(as_text=True)

    after = client.post(
        f"/api/news/articles/{article['id']}/words", json={"limit": 200, "mark_read": False}, headers=user.headers
    ).get_json()
    assert first not in [e["word"] for e in after["unknown"]]
    assert after["excluded"] == before["excluded"] + 1


def test_admin_news_refresh(client, user, admin_headers):
    assert client.post("/api/admin/news/refresh", json={}, headers=user.headers).status_code == 403

    resp = client.post("/api/admin/news/refresh", json={"fetch_articles": False}, headers=admin_headers)
    assert resp.status_code == 200
    body = resp.get_json()
    assert body["total"] > 0
    assert body["created"] + body["updated"] == body["total"]
    assert body["fetched"] == 0 and body["failed"] == 0
    assert body["state"]["last_item_count"] >= body["total"]

    forced = client.post(
        "/api/admin/news/refresh", json={"limit": 3, "force": True}, headers=admin_headers
    ).get_json()
    assert forced["total"] == 3 and forced["fetched"] == 3 and forced["failed"] == 0
    assert forced["created"] == 0 and forced["updated"] == 3

    feed = client.get("/api/news?limit=3", headers=user.headers).get_json()
    for item in feed["items"]:
        assert item["fetched"] is True and item["article_id"]
        stored = client.get(f"/api/news/articles/{item['article_id']}", headers=user.headers).get_json()
        assert stored["summary"] and stored["published"] and stored["content"]


def test_unknown_words_need_the_article_text_first(client, user, admin_headers):
    # a refresh without downloads stores the feed items as articles without text
    refresh = client.post("/api/admin/news/refresh", json={"fetch_articles": False}, headers=admin_headers)
    assert refresh.status_code == 200
    listing = client.get("/api/news/articles?per_page=50", headers=user.headers).get_json()
    empty = [a for a in listing["articles"] if not a["has_content"]]
    assert empty, "no test downloads every article of the feed"
    article = empty[0]
    assert article["word_count"] == 0

    resp = client.post(f"/api/news/articles/{article['id']}/words", json={}, headers=user.headers)
    assert resp.status_code == 409
    fetch_link = resp.get_json()["links"]["fetch"]
    assert fetch_link.startswith("/api/news/article?url=")

    fetched = client.get(fetch_link, headers=user.headers)
    assert fetched.status_code == 200 and fetched.get_json()["id"] == article["id"]
    ok = client.post(f"/api/news/articles/{article['id']}/words", json={"mark_read": False}, headers=user.headers)
    assert ok.status_code == 200 and ok.get_json()["unknown_count"] > 0


def test_reading_articles_unlocks_the_reader_achievement(client, make_user):
    user = make_user()
    catalogue = client.get("/api/achievements").get_json()["achievements"]
    reader = next(a for a in catalogue if a["metric"] == "articles")
    items = client.get(f"/api/news?limit={reader['threshold']}", headers=user.headers).get_json()["items"]
    assert len(items) == reader["threshold"]

    unlocked = []
    for item in items:
        article = _fetch_article(client, user.headers, item["link"])
        resp = client.post(f"/api/news/articles/{article['id']}/words", json={"limit": 1}, headers=user.headers)
        assert resp.status_code == 200
        unlocked.append(resp.get_json()["unlocked"])
    assert reader["code"] not in sum(unlocked[:-1], [])
    assert reader["code"] in unlocked[-1]
    mine = client.get("/api/achievements/me", headers=user.headers).get_json()["achievements"]
    entry = next(a for a in mine if a["code"] == reader["code"])
    assert entry["unlocked"] is True and entry["progress"] == reader["threshold"]
