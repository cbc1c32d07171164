"""Accounts: register, login, me, logout, password, settings, OpenAI key, profile."""


def test_register_returns_user_token_and_location(client):
    resp = client.post(
        "/api/auth/register",
        json={"username": "newbie_reg", "email": "Newbie_Reg@Example.test", "password": "longenough"},
    )
    assert resp.status_code == 201
    body = resp.get_json()
    assert body["user"]["username"] == "newbie_reg"
    assert body["user"]["email"] == "newbie_reg@example.test"
    assert body["user"]["level"] == 1 and body["user"]["xp_total"] == 0
    assert body["access_token"]
    assert resp.headers["Location"].endswith("/api/auth/me")
    me = client.get("/api/auth/me", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.status_code == 200
    assert me.get_json()["user"]["username"] == "newbie_reg"


def test_register_rejects_invalid_and_duplicate(client, user):
    resp = client.post("/api/auth/register", json={"username": "x", "email": "nope", "password": "1"})
    assert resp.status_code == 400
    assert set(resp.get_json()["fields"]) == {"username", "email", "password"}
    dup = client.post(
        "/api/auth/register",
        json={"username": user.username, "email": "other@example.test", "password": "longenough"},
    )
    assert dup.status_code == 409
    dup_mail = client.post(
        "/api/auth/register",
        json={"username": user.username + "x", "email": user.email, "password": "longenough"},
    )
    assert dup_mail.status_code == 409


def test_login_with_username_or_email_and_wrong_password(client, user):
    resp = client.post("/api/auth/login", json={"username": user.username, "password": user.password})
    assert resp.status_code == 200
    body = resp.get_json()
    assert body["token_type"] == "Bearer"
    assert body["user"]["id"] == user.id
    assert set(body["settings"]) >= {"daily_goal", "theme", "has_openai_key"}
    by_mail = client.post("/api/auth/login", json={"email": user.email, "password": user.password})
    assert by_mail.status_code == 200
    wrong = client.post("/api/auth/login", json={"username": user.username, "password": "wrong-one"})
    assert wrong.status_code == 401
    missing = client.post("/api/auth/login", json={"username": user.username})
    assert missing.status_code == 400


def test_seeded_admin_can_log_in(admin_user, client):
    me = client.get("/api/auth/me", headers=admin_user.headers)
    assert me.status_code == 200
    assert me.get_json()["user"]["is_admin"] is True


def test_me_requires_token_and_has_links(client, user):
    assert client.get("/api/auth/me").status_code == 401
    resp = client.get("/api/auth/me", headers=user.headers)
    assert resp.status_code == 200
    data = resp.get_json()["user"]
    assert data["id"] == user.id
    assert data["is_admin"] is False
    assert data["vocabulary_count"] == 0
    assert data["streak"]["current"] == 1  # the login counts as today's activity
    assert data["links"] == {"settings": "/api/settings", "vocabulary": "/api/vocabulary", "stats": "/api/stats"}


def test_logout_revokes_the_token(client, user, login):
    assert client.post("/api/auth/logout").status_code == 401
    resp = client.post("/api/auth/logout", headers=user.headers)
    assert resp.status_code == 200
    again = client.get("/api/auth/me", headers=user.headers)
    assert again.status_code == 401
    # a new login works
    fresh = login(user.username, user.password)
    assert client.get("/api/auth/me", headers=fresh.headers).status_code == 200


def test_change_password(client, user, login):
    url = "/api/auth/change-password"
    assert client.post(url, json={}).status_code == 401
    assert client.post(url, json={}, headers=user.headers).status_code == 400
    bad = client.post(url, json={"current_password": "nope", "new_password": "another1"}, headers=user.headers)
    assert bad.status_code == 401
    short = client.post(url, json={"current_password": user.password, "new_password": "x"}, headers=user.headers)
    assert short.status_code == 400
    ok = client.post(url, json={"current_password": user.password, "new_password": "brand-new-pw"}, headers=user.headers)
    assert ok.status_code == 200
    old = client.post("/api/auth/login", json={"username": user.username, "password": user.password})
    assert old.status_code == 401
    login(user.username, "brand-new-pw")


def test_settings_get_put(client, user):
    assert client.get("/api/settings").status_code == 401
    resp = client.get("/api/settings", headers=user.headers)
    assert resp.status_code == 200
    settings = resp.get_json()["settings"]
    assert settings["daily_goal"] == 20
    assert settings["has_openai_key"] is False

    upd = client.put(
        "/api/settings",
        json={"daily_goal": 35, "theme": "dark", "practice_direction": "to_target", "show_images": False},
        headers=user.headers,
    )
    assert upd.status_code == 200
    after = client.get("/api/settings", headers=user.headers).get_json()["settings"]
    assert (after["daily_goal"], after["theme"], after["practice_direction"], after["show_images"]) == (
        35, "dark", "to_target", False,
    )
    bad = client.put("/api/settings", json={"daily_goal": 0, "theme": "pink"}, headers=user.headers)
    assert bad.status_code == 400
    assert set(bad.get_json()["fields"]) == {"daily_goal", "theme"}
    assert client.put("/api/settings", json={"theme": "light"}).status_code == 401


def test_settings_options_describes_the_schema(client):
    resp = client.options("/api/settings")
    assert resp.status_code == 200
    body = resp.get_json()
    assert body["methods"] == ["GET", "PUT", "OPTIONS"]
    assert "daily_goal" in body["fields"]


def test_openai_key_set_masked_read_delete(client, user):
    url = "/api/settings/openai-key"
    assert client.get(url).status_code == 401
    empty = client.get(url, headers=user.headers).get_json()
    assert empty == {"has_key": False, "masked_key": None, "model": "gpt-3.5-turbo"}
    assert client.put(url, json={"api_key": "nope"}, headers=user.headers).status_code == 400
    key = "sk-test-0123456789abcdefWXYZ"
    put = client.put(url, json={"api_key": key, "validate": True}, headers=user.headers)
    assert put.status_code == 200
    assert put.get_json()["masked_key"] == "sk-...WXYZ"
    read = client.get(url, headers=user.headers).get_json()
    assert read["has_key"] is True and read["masked_key"] == "sk-...WXYZ"
    assert key not in str(read)
    settings = client.get("/api/settings", headers=user.headers).get_json()["settings"]
    assert settings["has_openai_key"] is True and settings["openai_api_key"] == "sk-...WXYZ"
    assert client.delete(url, headers=user.headers).status_code == 200
    assert client.get(url, headers=user.headers).get_json()["has_key"] is False
    assert client.delete(url, headers=user.headers).status_code == 404


def test_profile_get_patch_put(client, user):
    assert client.get("/api/profile").status_code == 401
    prof = client.get("/api/profile", headers=user.headers)
    assert prof.status_code == 200
    assert prof.get_json()["profile"]["username"] == user.username
    patch = client.patch("/api/profile", json={"target_language": "fr"}, headers=user.headers)
    assert patch.status_code == 200
    assert patch.get_json()["profile"]["target_language"] == "fr"
    assert client.get("/api/auth/me", headers=user.headers).get_json()["user"]["target_language"] == "fr"
    incomplete = client.put("/api/profile", json={"email": "a@b.cd"}, headers=user.headers)
    assert incomplete.status_code == 400
    full = client.put(
        "/api/profile",
        json={"email": "moved-" + user.email, "native_language": "en", "target_language": "es"},
        headers=user.headers,
    )
    assert full.status_code == 200
    assert full.get_json()["profile"]["email"] == "moved-" + user.email
    same = client.patch("/api/profile", json={"target_language": "en"}, headers=user.headers)
    assert same.status_code == 400


def test_profile_email_must_be_unique(client, make_user):
    a = make_user()
    b = make_user()
    resp = client.patch("/api/profile", json={"email": b.email}, headers=a.headers)
    assert resp.status_code == 400
    assert resp.get_json()["fields"]["email"] == "already registered"


def test_make_user_gives_independent_users(make_user):
    a = make_user()
    b = make_user()
    assert a.id != b.id


def test_create_admin_cli_command(app, client, login):
    result = app.test_cli_runner().invoke(args=["create-admin", "cli_admin", "cli-secret-1"])
    assert result.exit_code == 0, result.output
    assert "cli_admin is an admin" in result.output
    admin = login("cli_admin", "cli-secret-1")
    assert client.get("/api/auth/me", headers=admin.headers).get_json()["user"]["is_admin"] is True
    assert client.get("/api/admin/stats", headers=admin.headers).status_code == 200
