from __future__ import annotations

from decompose.model.inventory import FunctionInfo, Inventory, Location, Route
from decompose.verify import scenario
from decompose.verify.config import GenerateConfig
from decompose.verify.generate import fill_path, generate, guess_value

LOC = Location("app.py", 1, 2)


def route(rule: str, endpoint: str, *methods: str) -> Route:
    full = set(methods) | {"OPTIONS"} | ({"HEAD"} if "GET" in methods else set())
    return Route(rule, tuple(sorted(full)), endpoint, f"app.{endpoint}", LOC, LOC)


def fn(name: str, *, keys=(), reads=(), writes=(), calls=()) -> FunctionInfo:
    return FunctionInfo(
        f"app.{name}", name, "app", LOC, request_keys=tuple(keys), reads_models=tuple(reads),
        writes_models=tuple(writes), calls=tuple(f"app.{c}" for c in calls),
    )


INVENTORY = Inventory(
    root=".",
    entry="app.py",
    app_name="app",
    routes=(
        route("/api/auth/login", "login", "POST"),
        route("/api/auth/logout", "logout", "POST"),
        route("/api/words", "list_words", "GET"),
        route("/api/words", "create_word", "POST"),
        route("/api/words/<int:word_id>", "word", "GET", "PUT", "DELETE"),
        route("/api/stats", "stats", "GET"),
        route("/api/tags/<name>", "tag", "GET"),
        route("/api/admin/words", "admin_words", "GET"),
    ),
    functions=(
        fn("login", keys=("username", "password")),
        fn("list_words", reads=("Word",)),
        fn("create_word", keys=("json:word", "translation", "category_id"), calls=("save",)),
        fn("save", writes=("Word",)),
        fn("word", keys=("word",), reads=("Word",), writes=("Word",)),
        fn("stats", calls=("count_words",)),
        fn("count_words", reads=("Word",)),
        fn("tag", reads=("Tag",)),
        fn("admin_words", reads=("Word",)),
    ),
)


def test_fill_path_by_name_then_converter_then_default() -> None:
    assert fill_path("/w/<int:word_id>/<int:x>/<name>", {"word_id": 5}) == "/w/5/1/test"
    assert fill_path("/w/<int(min=1):n>", {"int": 2}) == "/w/2"


def test_guess_value() -> None:
    assert guess_value("category_id", {}) == 1
    assert guess_value("email", {}) == "verify@example.com"
    assert guess_value("word", {"word": "Haus"}) == "Haus"


def test_corpus_shape() -> None:
    config = GenerateConfig(values={"username": "demo", "password": "pw"}, path_values={"word_id": 2})
    corpus = generate(INVENTORY, config)
    names = [s.name for s in corpus.scenarios]
    assert names == [
        "login", "reads", "POST /api/words", "PUT /api/words/<int:word_id>", "deletes", "logout",
    ]
    login = corpus.scenarios[0].steps[0]
    assert login.json == {"username": "demo", "password": "pw"}
    assert login.capture == (("token", "$.access_token"),)
    reads = corpus.scenarios[1]
    assert [s.path for s in reads.steps] == ["/api/admin/words", "/api/stats", "/api/tags/test", "/api/words", "/api/words/2"]
    assert reads.headers == (("Authorization", "Bearer {{token}}"),)
    create = corpus.scenarios[2].steps
    assert create[0].json == {"word": "verify word", "translation": "verify translation", "category_id": 1}
    # the reads that observe the write (Word, found through helpers too), nearest URL first
    assert [s.route for s in create[1:]] == [
        "GET /api/words", "GET /api/words/<int:word_id>", "GET /api/stats",
    ]
    assert corpus.scenarios[4].steps[0].route == "DELETE /api/words/<int:word_id>"
    covered = {s.route for sc in corpus.scenarios for s in sc.steps}
    assert len(covered) == 10  # every method of every rule


def test_admin_routes_get_their_own_login_and_are_never_observers() -> None:
    config = GenerateConfig(
        login={"path": "/api/auth/login", "json": {"username": "u"}},
        admin_login={"path": "/api/auth/login", "json": {"username": "admin"}},
    )
    corpus = generate(INVENTORY, config)
    admin = next(s for s in corpus.scenarios if s.name == "admin reads")
    assert admin.headers == (("Authorization", "Bearer {{admin_token}}"),)
    assert admin.steps[0].json == {"username": "admin"}
    assert admin.steps[0].capture == (("admin_token", "$.access_token"),)
    assert [s.path for s in admin.steps[1:]] == ["/api/admin/words"]
    observed = {s.route for sc in corpus.scenarios if sc.name.startswith("POST") for s in sc.steps}
    assert "GET /api/admin/words" not in observed


def test_config_login_and_skip() -> None:
    config = GenerateConfig(
        login={"path": "/api/auth/login", "form": {"u": "x"}, "capture": {"jwt": "$.token"}},
        auth_header="JWT {{jwt}}",
        skip=("/api/tags/*", "DELETE *"),
    )
    corpus = generate(INVENTORY, config)
    login = corpus.scenarios[0].steps[0]
    assert login.form == (("u", "x"),) and login.capture == (("jwt", "$.token"),)
    routes = {s.route for sc in corpus.scenarios for s in sc.steps}
    assert "GET /api/tags/<name>" not in routes and "DELETE /api/words/<int:word_id>" not in routes
    text = scenario.dump(corpus)
    assert scenario.parse_text(text, "gen.yaml").step_count == corpus.step_count


def test_bodies_queries_and_keys_read_by_helpers() -> None:
    inventory = Inventory(
        root=".",
        entry="app.py",
        app_name="app",
        routes=(route("/register", "register", "POST"), route("/search", "search", "GET")),
        functions=(fn("register", keys=("lang",), calls=("validate",)), fn("validate", keys=("email",))),
    )
    plain = generate(inventory, GenerateConfig())
    register = next(s for sc in plain.scenarios for s in sc.steps if s.route == "POST /register")
    assert register.json == {"lang": "verify lang", "email": "verify@example.com"}
    config = GenerateConfig(
        bodies={"POST /register": {"email": "a@b.c"}}, queries={"/search": {"q": "Haus", "all": True}}
    )
    steps = {s.route: s for sc in generate(inventory, config).scenarios for s in sc.steps}
    assert steps["POST /register"].json == {"email": "a@b.c"}
    assert steps["GET /search"].query == (("q", "Haus"), ("all", "true"))
