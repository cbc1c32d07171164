"""Avatars: generate (image API or SVG fallback), variations, upload, select, current, list, delete."""
import base64
import io
import socket

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(range(64))
GIF = b"GIF89a" + bytes(32)


def _generate(client, user, **body):
    resp = client.post("/api/avatars/generate", json=body, headers=user.headers)
    assert resp.status_code == 201, resp.get_data(as_text=True)
    return resp


def _closed_port_url():
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return f"http://127.0.0.1:{port}/v1"


def test_avatar_endpoints_require_a_token(client):
    assert client.post("/api/avatars/generate", json={}).status_code == 401
    assert client.post("/api/avatars/1/variations", json={}).status_code == 401
    assert client.post("/api/avatars/upload", json={}).status_code == 401
    assert client.post("/api/avatars/1/select").status_code == 401
    assert client.get("/api/avatars/current").status_code == 401
    assert client.get("/api/avatars").status_code == 401
    assert client.get("/api/avatars/1").status_code == 401
    assert client.delete("/api/avatars/1").status_code == 401


def test_styles_and_previews_are_public(client):
    resp = client.get("/api/avatars/styles?seed=anna")
    assert resp.status_code == 200
    body = resp.get_json()
    names = [s["name"] for s in body["styles"]]
    assert body["default"] in names and len(names) == len(set(names)) >= 3
    for style in body["styles"]:
        preview = client.get(style["preview"])
        assert preview.status_code == 200
        assert preview.mimetype == "image/svg+xml"
        assert preview.get_data(as_text=True).startswith("<svg")
    again = client.get(body["styles"][0]["preview"]).get_data()
    assert again == client.get(body["styles"][0]["preview"]).get_data()
    assert client.get("/api/avatars/preview/no-such-style").status_code == 404


def test_generate_with_the_image_api(client, make_user, legacy_env):
    user = make_user()
    current = client.get("/api/avatars/current", headers=user.headers)
    assert current.status_code == 200
    assert current.get_json()["avatar"] is None and current.get_json()["default"]

    resp = _generate(client, user, style="rings", prompt="a cheerful owl reading a book")
    body = resp.get_json()
    assert body["engine"] == "ai" and body["fallback"] is False
    avatar = body["avatar"]
    assert avatar["source"] == "generated" and avatar["style"] == "rings"
    assert avatar["prompt"] == "a cheerful owl reading a book"
    assert avatar["image_url"].startswith(legacy_env["upstream_url"])
    assert avatar["is_current"] is True, "the first avatar becomes the current one"
    assert resp.headers["Location"].endswith(f"/api/avatars/{avatar['id']}")

    image = client.get(avatar["image"])
    assert image.status_code == 302 and image.headers["Location"] == avatar["image_url"]
    now = client.get("/api/avatars/current", headers=user.headers).get_json()
    assert now["avatar"]["id"] == avatar["id"]


def test_generate_svg_and_fallback_when_the_api_fails(client, app, make_user, monkeypatch):
    user = make_user()
    svg = _generate(client, user, engine="svg", style="identicon", seed="fixed-seed").get_json()
    assert svg["engine"] == "svg" and svg["fallback"] is False
    assert svg["avatar"]["seed"] == "fixed-seed" and svg["avatar"]["content_type"] == "image/svg+xml"
    picture = client.get(svg["avatar"]["image"])
    assert picture.status_code == 200 and picture.mimetype == "image/svg+xml"
    same_seed = _generate(client, user, engine="svg", style="identicon", seed="fixed-seed").get_json()
    assert client.get(same_seed["avatar"]["image"]).get_data() == picture.get_data()

    # an invalid personal key: the image API answers 401 and we draw an SVG instead
    key = client.put(
        "/api/settings/openai-key", json={"api_key": "sk-invalid-0123456789abcdef"}, headers=user.headers
    )
    assert key.status_code == 200, key.get_data(as_text=True)
    rejected = _generate(client, user, style="pixel").get_json()
    assert rejected["engine"] == "svg" and rejected["fallback"] is True
    assert "401" in rejected["fallback_reason"]
    assert rejected["avatar"]["image_url"] is None and rejected["avatar"]["content_type"] == "image/svg+xml"

    # the image API is down altogether
    other = make_user()
    monkeypatch.setitem(app.config, "OPENAI_BASE_URL", _closed_port_url())
    down = _generate(client, other, style="geometric").get_json()
    assert down["engine"] == "svg" and down["fallback"] is True
    assert client.get(down["avatar"]["image"]).mimetype == "image/svg+xml"


def test_generate_validation(client, user):
    bad_style = client.post("/api/avatars/generate", json={"style": "cubist"}, headers=user.headers)
    assert bad_style.status_code == 400 and "styles" in bad_style.get_json()
    bad_engine = client.post("/api/avatars/generate", json={"engine": "paint"}, headers=user.headers)
    assert bad_engine.status_code == 400
    too_long = client.post("/api/avatars/generate", json={"prompt": "x" * 1001}, headers=user.headers)
    assert too_long.status_code == 400


def test_variations(client, make_user):
    user = make_user()
    parent = _generate(client, user, engine="svg", style="geometric").get_json()["avatar"]
    resp = client.post(f"/api/avatars/{parent['id']}/variations", json={"count": 2}, headers=user.headers)
    assert resp.status_code == 201
    body = resp.get_json()
    assert body["count"] == 2 and body["parent"]["id"] == parent["id"]
    first_seeds = [v["seed"] for v in body["variations"]]
    for v in body["variations"]:
        assert v["source"] == "variation" and v["parent_id"] == parent["id"] and v["style"] == "geometric"
        assert client.get(v["image"]).mimetype == "image/svg+xml"
    assert resp.headers["Location"].endswith(f"/api/avatars/{body['variations'][0]['id']}")

    more = client.post(f"/api/avatars/{parent['id']}/variations", json={}, headers=user.headers).get_json()
    assert more["count"] == 3
    seeds = first_seeds + [v["seed"] for v in more["variations"]]
    assert len(set(seeds)) == 5, "each variation gets a new seed"
    capped = client.post(f"/api/avatars/{parent['id']}/variations", json={"count": 50}, headers=user.headers)
    assert capped.get_json()["count"] == 4

    detail = client.get(f"/api/avatars/{parent['id']}", headers=user.headers).get_json()
    assert len(detail["variations"]) == 9
    listing = client.get("/api/avatars", headers=user.headers).get_json()
    assert next(a for a in listing["avatars"] if a["id"] == parent["id"])["variation_count"] == 9
    only = client.get("/api/avatars?source=variation", headers=user.headers).get_json()
    assert only["count"] == 9

    stranger = make_user()
    assert client.post(f"/api/avatars/{parent['id']}/variations", json={}, headers=stranger.headers).status_code == 404


def test_upload_multipart_and_base64(client, make_user):
    user = make_user()
    resp = client.post(
        "/api/avatars/upload",
        data={"file": (io.BytesIO(PNG), "me.png", "image/png"), "make_current": "true"},
        headers=user.headers,
        content_type="multipart/form-data",
    )
    assert resp.status_code == 201, resp.get_data(as_text=True)
    png = resp.get_json()
    assert png["size"] == len(PNG)
    assert png["avatar"]["source"] == "upload" and png["avatar"]["content_type"] == "image/png"
    assert png["avatar"]["is_current"] is True
    served = client.get(png["avatar"]["image"])
    assert served.status_code == 200 and served.mimetype == "image/png" and served.get_data() == PNG

    data_uri = "data:image/gif;base64," + base64.b64encode(GIF).decode()
    gif = client.post("/api/avatars/upload", json={"image": data_uri}, headers=user.headers)
    assert gif.status_code == 201
    assert gif.get_json()["avatar"]["content_type"] == "image/gif"
    assert gif.get_json()["avatar"]["is_current"] is False
    plain = client.post(
        "/api/avatars/upload", json={"image_base64": base64.b64encode(PNG).decode()}, headers=user.headers
    )
    assert plain.status_code == 201
    assert client.get(plain.get_json()["avatar"]["image"]).get_data() == PNG

    listing = client.get("/api/avatars?source=upload", headers=user.headers).get_json()
    assert listing["count"] == 3 and listing["current_id"] == png["avatar"]["id"]
    varied = client.post(f"/api/avatars/{png['avatar']['id']}/variations", json={}, headers=user.headers)
    assert varied.status_code == 400


def test_upload_validation(client, app, user):
    options = client.options("/api/avatars/upload")
    assert options.status_code == 200
    assert "image/png" in options.get_json()["accepted_types"]
    assert "POST" in options.headers["Allow"]
    max_bytes = options.get_json()["max_bytes"]

    assert client.post("/api/avatars/upload", json={}, headers=user.headers).status_code == 400
    assert client.post("/api/avatars/upload", json={"image": "not base64!!"}, headers=user.headers).status_code == 400
    text = base64.b64encode(b"hello, I am not a picture").decode()
    unsupported = client.post("/api/avatars/upload", json={"image": text}, headers=user.headers)
    assert unsupported.status_code == 415
    big = base64.b64encode(PNG + bytes(max_bytes)).decode()
    assert client.post("/api/avatars/upload", json={"image": big}, headers=user.headers).status_code == 413
    empty = client.post(
        "/api/avatars/upload",
        data={"file": (io.BytesIO(b""), "empty.png", "image/png")},
        headers=user.headers,
        content_type="multipart/form-data",
    )
    assert empty.status_code == 400


def test_select_list_detail_and_delete(client, make_user):
    user = make_user()
    first = _generate(client, user, engine="svg").get_json()["avatar"]
    second = _generate(client, user, engine="svg", style="pixel").get_json()["avatar"]
    assert first["is_current"] is True and second["is_current"] is False

    resp = client.post(f"/api/avatars/{second['id']}/select", headers=user.headers)
    assert resp.status_code == 200
    assert resp.get_json()["avatar"]["is_current"] is True
    assert resp.get_json()["links"]["current"] == "/api/avatars/current"
    assert client.get("/api/avatars/current", headers=user.headers).get_json()["avatar"]["id"] == second["id"]

    listing = client.get("/api/avatars", headers=user.headers).get_json()
    assert [a["id"] for a in listing["avatars"]] == [first["id"], second["id"]]
    assert listing["current_id"] == second["id"]
    assert [a["is_current"] for a in listing["avatars"]] == [False, True]

    detail = client.get(f"/api/avatars/{first['id']}", headers=user.headers)
    assert detail.status_code == 200 and detail.get_json()["variations"] == []

    stranger = make_user()
    assert client.get(f"/api/avatars/{first['id']}", headers=stranger.headers).status_code == 404
    assert client.post(f"/api/avatars/{first['id']}/select", headers=stranger.headers).status_code == 404
    assert client.delete(f"/api/avatars/{first['id']}", headers=stranger.headers).status_code == 404

    kids = client.post(f"/api/avatars/{first['id']}/variations", json={"count": 2}, headers=user.headers).get_json()
    deleted = client.delete(f"/api/avatars/{first['id']}", headers=user.headers)
    assert deleted.status_code == 200
    assert deleted.get_json()["deleted"] == sorted([first["id"]] + [v["id"] for v in kids["variations"]])
    assert client.get(f"/api/avatars/{first['id']}", headers=user.headers).status_code == 404
    assert client.get(f"/api/avatars/{first['id']}/image").status_code == 404
    remaining = client.get("/api/avatars", headers=user.headers).get_json()
    assert [a["id"] for a in remaining["avatars"]] == [second["id"]]
