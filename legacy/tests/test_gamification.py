"""Streaks and activity, XP and the leaderboard, achievements."""
from datetime import datetime, timezone

import pytest


def _today():
    return datetime.now(timezone.utc).date().isoformat()


def _award(client, admin_headers, user, amount, reason="support_bonus"):
    resp = client.post(
        "/api/xp/award", json={"user_id": user.id, "amount": amount, "reason": reason}, headers=admin_headers
    )
    assert resp.status_code == 201, resp.get_data(as_text=True)
    return resp.get_json()


@pytest.mark.parametrize(
    "method, path",
    [
        ("get", "/api/streak"),
        ("get", "/api/activity/calendar"),
        ("get", "/api/activity"),
        ("post", "/api/activity"),
        ("post", "/api/streak/freeze"),
        ("post", "/api/xp/award"),
        ("get", "/api/xp/history"),
        ("get", "/api/leaderboard"),
        ("get", "/api/xp/level"),
        ("get", "/api/achievements/me"),
        ("post", "/api/achievements/check"),
    ],
)
def test_gamification_endpoints_require_a_token(client, method, path):
    assert getattr(client, method)(path).status_code == 401


def test_recording_activity_starts_a_streak(client, user):
    resp = client.get("/api/streak", headers=user.headers)
    assert resp.status_code == 200
    body = resp.get_json()
    assert set(body) >= {"current", "longest", "last_activity_date", "active_today", "freezes_available",
                         "freeze_cost", "max_freezes", "links"}
    assert body["links"]["calendar"] == "/api/activity/calendar"

    posted = client.post(
        "/api/activity", json={"type": "practice", "details": {"minutes": 5}}, headers=user.headers
    )
    assert posted.status_code == 201
    assert posted.headers["Location"].endswith("/api/activity/calendar")
    created = posted.get_json()
    assert created["activity"]["type"] == "practice"
    assert created["activity"]["details"] == {"minutes": 5}
    assert created["activity"]["date"] == _today()
    assert created["streak"]["current"] >= 1 and created["streak"]["active_today"] is True

    streak = client.get("/api/streak", headers=user.headers).get_json()
    assert streak["active_today"] is True and streak["current"] >= 1
    assert streak["longest"] >= streak["current"]
    assert streak["last_activity_date"] == _today()

    listed = client.get("/api/activity", headers=user.headers).get_json()
    assert listed["activities"][0]["id"] == created["activity"]["id"]
    assert listed["pagination"]["total"] >= 1
    only_practice = client.get("/api/activity?type=practice", headers=user.headers).get_json()
    assert {a["type"] for a in only_practice["activities"]} == {"practice"}


def test_activity_validation(client, user):
    bad_type = client.post("/api/activity", json={"type": "sleeping"}, headers=user.headers)
    assert bad_type.status_code == 400
    assert "practice" in bad_type.get_json()["allowed"]
    bad_details = client.post("/api/activity", json={"type": "practice", "details": 5}, headers=user.headers)
    assert bad_details.status_code == 400
    assert client.post("/api/activity", json={}, headers=user.headers).status_code == 400


def test_activity_calendar(client, user):
    client.post("/api/activity", json={"type": "word_added"}, headers=user.headers)
    client.post("/api/activity", json={"type": "practice"}, headers=user.headers)
    resp = client.get("/api/activity/calendar?days=7", headers=user.headers)
    assert resp.status_code == 200
    body = resp.get_json()
    assert body["days"] == 7 and len(body["calendar"]) == 7
    dates = [d["date"] for d in body["calendar"]]
    assert dates == sorted(dates) and dates[-1] == _today()
    today = body["calendar"][-1]
    assert today["count"] >= 2
    assert {"practice", "word_added"} <= set(today["types"]) and today["types"] == sorted(today["types"])
    assert body["active_days"] >= 1 and body["total_activities"] >= 2
    assert body["streak"]["active_today"] is True
    default = client.get("/api/activity/calendar", headers=user.headers).get_json()
    assert len(default["calendar"]) == 30
    clamped = client.get("/api/activity/calendar?days=0", headers=user.headers).get_json()
    assert len(clamped["calendar"]) == 1


def test_streak_freeze_costs_xp(client, make_user, admin_headers):
    user = make_user()
    streak = client.get("/api/streak", headers=user.headers).get_json()
    cost = streak["freeze_cost"]
    poor = client.post("/api/streak/freeze", headers=user.headers)
    assert poor.status_code == 402
    assert poor.get_json()["required"] == cost

    _award(client, admin_headers, user, cost * 3)
    level_before = client.get("/api/xp/level", headers=user.headers).get_json()
    bought = client.post("/api/streak/freeze", headers=user.headers)
    assert bought.status_code == 200
    body = bought.get_json()
    assert body["cost"] == cost
    assert body["freezes_available"] == streak["freezes_available"] + 1
    assert body["xp_total"] == level_before["xp_total"] - cost

    assert client.get("/api/streak", headers=user.headers).get_json()["freezes_available"] == body["freezes_available"]
    history = client.get("/api/xp/history", headers=user.headers).get_json()
    assert history["transactions"][0]["amount"] == -cost
    assert history["transactions"][0]["reason"] == "streak_freeze"

    for _ in range(streak["max_freezes"]):
        last = client.post("/api/streak/freeze", headers=user.headers)
    assert last.status_code == 409
    final = client.get("/api/streak", headers=user.headers).get_json()
    assert final["freezes_available"] == streak["max_freezes"]


def test_award_xp_is_admin_only_and_validated(client, user, admin_headers):
    assert client.post("/api/xp/award", json={"reason": "word_added"}, headers=user.headers).status_code == 403
    for body in (
        {},
        {"user_id": user.id, "reason": "no_such_rule"},
        {"user_id": user.id, "reason": "bonus", "amount": "ten"},
        {"user_id": user.id, "reason": "bonus", "amount": 0},
        {"user_id": user.id, "reason": "bonus", "amount": 10**6},
    ):
        assert client.post("/api/xp/award", json=body, headers=admin_headers).status_code == 400, body
    missing = client.post("/api/xp/award", json={"user_id": 987654, "reason": "word_added"}, headers=admin_headers)
    assert missing.status_code == 404


def test_award_xp_shows_in_history_and_level(client, make_user, admin_headers):
    user = make_user()
    start = client.get("/api/xp/level", headers=user.headers).get_json()
    assert set(start) >= {"level", "max_level", "xp_total", "xp_current_level", "xp_next_level", "xp_to_next",
                          "progress", "today_xp", "daily_goal", "daily_goal_reached"}
    assert start["level"] == 1

    resp = client.post("/api/xp/award", json={"user_id": user.id, "reason": "word_added"}, headers=admin_headers)
    assert resp.status_code == 201
    by_rule = resp.get_json()
    assert by_rule["amount"] == 5 and by_rule["xp_total"] == start["xp_total"] + 5
    assert resp.headers["Location"].endswith("/api/xp/history")

    big = _award(client, admin_headers, user, 300 - by_rule["xp_total"] + 250, reason="contest")
    assert "xp_500" in big["unlocked"]
    # 550 awarded, plus the reward of the achievement that the award unlocked
    catalogue = client.get("/api/achievements").get_json()["achievements"]
    reward = next(a["xp_reward"] for a in catalogue if a["code"] == "xp_500")
    assert big["xp_total"] == 550 + reward and big["level"] == 3

    level = client.get("/api/xp/level", headers=user.headers).get_json()
    assert level["xp_total"] >= 550 and level["level"] >= 3
    assert level["xp_current_level"] <= level["xp_total"] < level["xp_next_level"]
    assert level["xp_to_next"] == level["xp_next_level"] - level["xp_total"]
    assert 0 <= level["progress"] < 1
    assert level["today_xp"] >= 550 and level["daily_goal_reached"] is True

    history = client.get("/api/xp/history?per_page=2", headers=user.headers).get_json()
    assert history["xp_total"] == level["xp_total"]
    assert len(history["transactions"]) == 2 and history["pagination"]["per_page"] == 2
    totals = {t["reason"]: t["amount"] for t in history["totals_by_reason"]}
    assert totals["word_added"] == 5 and totals["contest"] == big["amount"]
    assert totals["achievement"] >= 25
    reasons = [t["reason"] for t in history["totals_by_reason"]]
    assert reasons == sorted(reasons)


def test_leaderboards(client, make_user, admin_headers):
    user = make_user()
    _award(client, admin_headers, user, 4321, reason="contest")

    weekly = client.get("/api/leaderboard?limit=100", headers=user.headers)
    assert weekly.status_code == 200
    body = weekly.get_json()
    assert body["period"] == "weekly" and body["limit"] == 100
    weeks = [e["xp_week"] for e in body["entries"]]
    assert weeks == sorted(weeks, reverse=True) and all(w > 0 for w in weeks)
    assert [e["rank"] for e in body["entries"]] == list(range(1, len(body["entries"]) + 1))
    mine = next(e for e in body["entries"] if e["user_id"] == user.id)
    assert mine["xp_week"] >= 4321
    assert set(mine) >= {"username", "level", "xp_total", "avatar", "current_streak", "achievements"}
    assert body["me"]["rank"] == mine["rank"] and body["me"]["xp_week"] == mine["xp_week"]
    assert body["links"]["all_time"] == "/api/leaderboard?period=all_time&limit=100"

    all_time = client.get("/api/leaderboard?period=all&limit=5", headers=user.headers).get_json()
    assert all_time["period"] == "all_time" and all_time["count"] <= 5
    totals = [e["xp_total"] for e in all_time["entries"]]
    assert totals == sorted(totals, reverse=True)
    assert all_time["me"]["user_id"] == user.id and all_time["me"]["rank"] >= 1
    assert all_time["me"]["xp_total"] >= 4321

    newcomer = make_user()
    fresh = client.get("/api/leaderboard", headers=newcomer.headers).get_json()
    assert fresh["me"]["rank"] is None and fresh["me"]["xp_week"] == 0
    assert client.get("/api/leaderboard?period=yearly", headers=user.headers).status_code == 400


def test_achievement_catalogue(client, user):
    resp = client.get("/api/achievements")
    assert resp.status_code == 200
    body = resp.get_json()
    assert body["count"] == len(body["achievements"]) > 0
    ids = [a["id"] for a in body["achievements"]]
    assert ids == sorted(ids)
    for a in body["achievements"]:
        assert set(a) >= {"id", "code", "name", "metric", "threshold", "xp_reward", "unlocked_by", "rarity", "links"}
    first = body["achievements"][0]
    single = client.get(first["links"]["self"])
    assert single.status_code == 200
    assert single.get_json()["code"] == first["code"]
    assert "unlocked" not in single.get_json()
    with_user = client.get(first["links"]["self"], headers=user.headers).get_json()
    assert with_user["unlocked"] is False and "progress" in with_user
    assert client.get("/api/achievements/987654").status_code == 404


def test_checking_achievements_unlocks_and_awards_xp(client, make_user):
    user = make_user()
    mine = client.get("/api/achievements/me", headers=user.headers)
    assert mine.status_code == 200
    body = mine.get_json()
    assert body["total"] == len(body["achievements"]) > 0
    avatar_ach = next(a for a in body["achievements"] if a["metric"] == "avatars" and a["threshold"] == 1)
    assert avatar_ach["unlocked"] is False and avatar_ach["progress"] == 0 and avatar_ach["percent"] == 0
    xp_before = client.get("/api/xp/level", headers=user.headers).get_json()["xp_total"]

    assert client.post("/api/avatars/generate", json={"engine": "svg"}, headers=user.headers).status_code == 201
    checked = client.post("/api/achievements/check", headers=user.headers)
    assert checked.status_code == 200
    result = checked.get_json()
    codes = [a["code"] for a in result["unlocked"]]
    assert avatar_ach["code"] in codes
    assert result["count"] == len(codes)
    assert result["xp_total"] >= xp_before + avatar_ach["xp_reward"]

    after = client.get("/api/achievements/me", headers=user.headers).get_json()
    entry = next(a for a in after["achievements"] if a["code"] == avatar_ach["code"])
    assert entry["unlocked"] is True and entry["percent"] == 100 and entry["unlocked_at"]
    assert after["unlocked_count"] >= 1 and after["xp_from_achievements"] >= avatar_ach["xp_reward"]

    detail = client.get(f"/api/achievements/{avatar_ach['id']}", headers=user.headers).get_json()
    assert detail["unlocked"] is True and detail["unlocked_by"] >= 1
    assert user.username in [r["username"] for r in detail["recent"]]
    activities = client.get("/api/activity?type=achievement", headers=user.headers).get_json()["activities"]
    assert avatar_ach["code"] in activities[0]["details"]["codes"]

    again = client.post("/api/achievements/check", headers=user.headers).get_json()
    assert again["count"] == 0 and again["unlocked"] == []
