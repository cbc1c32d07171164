"""Fixtures for the behavioural suite of the legacy app.

The suite talks to the app only through its import string and HTTP (the Flask test client), so the
very same tests run against any extracted or rewritten version:

    pytest legacy/tests                                # legacy.app:app on SQLite
    pytest legacy/tests --db postgres                  # on a fresh PostgreSQL database
    pytest legacy/tests --app extracted.wsgi:app       # against the extracted app

Before the app module is imported, a session fixture starts the local upstream server (LLM,
Unsplash, RSS, articles) on a free port, creates a fresh database and points the app at both
through environment variables. The database is then seeded with a small dataset through the app's
own `flask seed` command.
"""
import importlib
import itertools
import os
import sys
import uuid
from dataclasses import dataclass, field

import pytest

POSTGRES_ADMIN_DSN = "postgresql://postgres@127.0.0.1:5432/postgres"
SEED_ARGS = ["seed", "--users", "5", "--categories", "6", "--words-per-category", "12", "--seed", "42"]
ADMIN_USERNAME = "admin"
ADMIN_PASSWORD = "admin123"
TEST_PASSWORD = "s3cret-pass"


def pytest_addoption(parser):
    group = parser.getgroup("legacy", "legacy app behavioural suite")
    group.addoption(
        "--app",
        action="store",
        default="legacy.app:app",
        metavar="IMPORT:ATTR",
        help="Flask app under test as module:attribute (default: legacy.app:app).",
    )
    group.addoption(
        "--db",
        action="store",
        default=os.environ.get("LEGACY_TEST_DB", "sqlite"),
        choices=["sqlite", "postgres"],
        help="Database backend for the suite (default: $LEGACY_TEST_DB or sqlite).",
    )
    group.addoption(
        "--require-all-rules",
        action="store_true",
        default=False,
        help="Fail the run unless every URL rule of the app was requested with every declared method.",
    )


# ---- rule coverage ----------------------------------------------------------------------------
#
# Recorded through Flask's request_started signal, so the app under test gets no extra hook.

_REQUESTED = set()
_COVERAGE_APP = []


def _record_request(sender, **extra):
    from flask import request

    if request.url_rule is not None:
        _REQUESTED.add((request.url_rule.rule, request.method))


def _declared(rule):
    automatic = {"HEAD", "OPTIONS"}
    return {m for m in rule.methods if m not in automatic} or set(rule.methods)


def pytest_sessionfinish(session, exitstatus):
    if not session.config.getoption("--require-all-rules") or not _COVERAGE_APP or exitstatus != 0:
        return
    app = _COVERAGE_APP[0]
    missed = sorted(
        f"{method} {rule.rule}"
        for rule in app.url_map.iter_rules()
        if rule.endpoint != "static"
        for method in _declared(rule)
        if (rule.rule, method) not in _REQUESTED
    )
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    reporter.ensure_newline()
    if missed:
        reporter.write_line(f"--require-all-rules: {len(missed)} rule/method pairs were never requested:", red=True)
        for line in missed:
            reporter.write_line(f"  {line}")
        session.exitstatus = 1
    else:
        total = sum(len(_declared(r)) for r in app.url_map.iter_rules() if r.endpoint != "static")
        reporter.write_line(f"--require-all-rules: all {total} rule/method pairs were requested")


# ---- database --------------------------------------------------------------------------------


def _create_postgres_database():
    import psycopg2

    name = f"legacy_test_{uuid.uuid4().hex[:10]}"
    try:
        conn = psycopg2.connect(POSTGRES_ADMIN_DSN, connect_timeout=5)
    except psycopg2.OperationalError as exc:
        pytest.exit(
            f"--db postgres: cannot connect to {POSTGRES_ADMIN_DSN} ({exc}); start PostgreSQL "
            "or run the suite with --db sqlite.",
            returncode=2,
        )
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(f'CREATE DATABASE "{name}"')
    conn.close()
    # explicit driver: SQLAlchemy 2.1 maps plain postgresql:// to psycopg 3
    return name, f"postgresql+psycopg2://postgres@127.0.0.1:5432/{name}"


def _drop_postgres_database(name):
    import psycopg2

    conn = psycopg2.connect(POSTGRES_ADMIN_DSN, connect_timeout=5)
    conn.autocommit = True
    with conn.cursor() as cur:
        # the app's pool still holds connections; FORCE closes them (PostgreSQL >= 13)
        cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    conn.close()


@pytest.fixture(scope="session")
def legacy_env(request, tmp_path_factory):
    """Upstream server + fresh database + environment, set before the app is imported."""
    from legacy.upstream.server import start_in_thread

    base_url, stop_upstream = start_in_thread(latency_ms=0)
    workdir = tmp_path_factory.mktemp("legacy_app")
    backend = request.config.getoption("--db")
    pg_name = None
    if backend == "postgres":
        pg_name, database_url = _create_postgres_database()
    else:
        database_url = "sqlite:///" + str(workdir / "legacy_test.sqlite3")

    env = {
        "DATABASE_URL": database_url,
        "OPENAI_BASE_URL": f"{base_url}/v1",
        "UNSPLASH_BASE_URL": f"{base_url}/unsplash",
        "NEWS_FEED_URL": f"{base_url}/rss/news.xml",
        "UPLOAD_FOLDER": str(workdir / "uploads"),
        # cheap password hashes keep the suite fast; production keeps its default
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        "REDIS_URL": os.environ.get("LEGACY_TEST_REDIS_URL", "redis://127.0.0.1:6379/9"),
    }
    _reset_login_counters(env["REDIS_URL"])
    saved = {key: os.environ.get(key) for key in env}
    os.environ.update(env)
    try:
        yield {"upstream_url": base_url, "database_url": database_url, "backend": backend, **env}
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        stop_upstream()
        if pg_name is not None:
            _drop_postgres_database(pg_name)


def _reset_login_counters(url):
    """Failed-login counters outlive a run; with deterministic user names they would add up."""
    import redis

    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=1)
        for key in client.scan_iter(match="login_attempts:*"):
            client.delete(key)
        client.close()
    except redis.RedisError:
        pass  # the app works without Redis too


def _load_app(spec):
    module_name, _, attr = spec.partition(":")
    if not module_name or not attr:
        raise pytest.UsageError(f"--app {spec!r}: expected IMPORT:ATTR, e.g. legacy.app:app")
    already_imported = module_name in sys.modules
    module = importlib.import_module(module_name)
    call = attr.endswith("()")
    obj = getattr(module, attr[:-2] if call else attr, None)
    if obj is None:
        raise pytest.UsageError(f"--app {spec!r}: module {module_name} has no attribute {attr!r}")
    if call:
        obj = obj()
    return obj, already_imported


@pytest.fixture(scope="session")
def app(request, legacy_env):
    spec = request.config.getoption("--app")
    flask_app, already_imported = _load_app(spec)
    configured = flask_app.config.get("SQLALCHEMY_DATABASE_URI")
    if already_imported and configured != legacy_env["database_url"]:
        pytest.exit(
            f"--app {spec}: the module was imported before the suite set DATABASE_URL (it uses "
            f"{configured}); run legacy/tests in a pytest process of its own.",
            returncode=2,
        )
    result = flask_app.test_cli_runner().invoke(args=SEED_ARGS)
    if result.exit_code != 0:
        detail = result.output
        if result.exception is not None:
            detail += f"\n{type(result.exception).__name__}: {result.exception}"
        pytest.exit(f"`flask seed` failed against {spec}:\n{detail}", returncode=2)
    from flask import request_started

    request_started.connect(_record_request, flask_app)
    _COVERAGE_APP.append(flask_app)
    yield flask_app
    # close pooled connections so the database can be dropped cleanly
    ext = flask_app.extensions.get("sqlalchemy")
    if ext is not None:
        with flask_app.app_context():
            ext.session.remove()
            for engine in ext.engines.values():
                engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


# ---- users -----------------------------------------------------------------------------------

_user_counter = itertools.count(1)


@dataclass
class TestUser:
    """A registered account and the headers that authenticate it."""

    __test__ = False  # not a test class, despite the name

    id: int
    username: str
    email: str
    password: str
    token: str
    headers: dict = field(default_factory=dict)


def register_user(client, prefix="tester", password=TEST_PASSWORD, **extra):
    """Register a fresh, unique user and log it in; returns a TestUser."""
    n = next(_user_counter)
    # deterministic names (the database is fresh per session), so two runs of the suite against
    # two apps send identical requests
    username = f"{prefix}{n}"
    email = f"{username}@example.test"
    body = {"username": username, "email": email, "password": password, **extra}
    resp = client.post("/api/auth/register", json=body)
    assert resp.status_code == 201, resp.get_data(as_text=True)
    return login_user(client, username, password, email=email)


def login_user(client, username, password, email=None):
    resp = client.post("/api/auth/login", json={"username": username, "password": password})
    assert resp.status_code == 200, resp.get_data(as_text=True)
    data = resp.get_json()
    token = data["access_token"]
    return TestUser(
        id=data["user"]["id"],
        username=username,
        email=email or data["user"].get("email"),
        password=password,
        token=token,
        headers={"Authorization": f"Bearer {token}"},
    )


@pytest.fixture
def make_user(client):
    """Factory: make_user(prefix="tester", **register_fields) -> TestUser."""

    def factory(prefix="tester", **extra):
        return register_user(client, prefix=prefix, **extra)

    return factory


@pytest.fixture
def login(client):
    """login(username, password) -> TestUser (asserts the login succeeds)."""

    def factory(username, password):
        return login_user(client, username, password)

    return factory


@pytest.fixture
def user(make_user):
    return make_user()


@pytest.fixture
def auth_headers(user):
    return user.headers


@pytest.fixture(scope="session")
def admin_user(app):
    return login_user(app.test_client(), ADMIN_USERNAME, ADMIN_PASSWORD)


@pytest.fixture
def admin_headers(admin_user):
    return admin_user.headers


@pytest.fixture(scope="session")
def seeded(app, admin_user):
    """Facts about the seeded catalogue, read over HTTP: categories and one word."""
    client = app.test_client()
    resp = client.get("/api/categories", headers=admin_user.headers)
    assert resp.status_code == 200, resp.get_data(as_text=True)
    categories = resp.get_json()["categories"]
    assert categories, "the seed created no categories"
    first = categories[0]
    resp = client.get(f"/api/categories/{first['id']}/words", headers=admin_user.headers)
    assert resp.status_code == 200, resp.get_data(as_text=True)
    words = resp.get_json()["words"]
    return {"categories": categories, "category": first, "words": words, "word": words[0]}
