"""Setup for `decompose verify` on this app: each verify run gets its own world.

verify calls `prepare(ctx)` in every target's process (primary, secondary, candidate) before the
first request, and imports the app only afterwards. It starts the local upstream (LLM, Unsplash,
RSS) in a thread, creates a fresh database (a SQLite file in the run's directory, or a PostgreSQL
database named after the run when VERIFY_DB=postgres), gives the run its own Redis database, sets
the environment the app reads at import, and seeds through the app's own `flask seed` command, so
baseline and candidate start from identical rows.

Configured in the repository's pyproject.toml:

    [tool.decompose.verify]
    setup = "legacy.verify_setup:prepare"
"""
import os

SEED_ARGS = ["seed", "--users", "5", "--categories", "6", "--words-per-category", "12", "--seed", "42"]
POSTGRES_ADMIN_DSN = "postgresql://postgres@127.0.0.1:5432/postgres"
# Each run takes a Redis database of its own from this pool (flushed first), so login counters
# and rate limits never cross between runs, even of two verify commands at once. A file lock
# (released when the process ends, however it ends) marks a database as taken. Others in this
# repository: 0 the app's default, 9 legacy/tests, 10-11 bench, 14 benchmarks, 15 tests/.
REDIS_POOL = range(1, 9)


def _postgres(ctx):
    import psycopg2

    admin = psycopg2.connect(POSTGRES_ADMIN_DSN, connect_timeout=5)
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute(f'CREATE DATABASE "{ctx.run_id}"')
    admin.close()

    def drop():
        conn = psycopg2.connect(POSTGRES_ADMIN_DSN, connect_timeout=5)
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{ctx.run_id}" WITH (FORCE)')
        conn.close()

    ctx.on_close(drop)
    return f"postgresql://postgres@127.0.0.1:5432/{ctx.run_id}"


def _fresh_redis(url):
    import redis

    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=1)
        client.flushdb()
        client.close()
    except redis.RedisError:
        pass  # the app works without Redis (its helpers log and carry on)


def _take_redis_database(ctx):
    import fcntl
    import tempfile

    for number in REDIS_POOL:
        path = os.path.join(tempfile.gettempdir(), f"legacy-verify-redis-{number}.lock")
        handle = open(path, "a")  # noqa: SIM115 - held open (and locked) until the process ends
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            continue
        ctx.on_close(handle.close)
        return number
    raise RuntimeError(
        f"all Redis databases {REDIS_POOL.start}-{REDIS_POOL.stop - 1} are taken by other verify runs"
    )


def prepare(ctx):
    from legacy.upstream.server import start_in_thread

    base_url, stop_upstream = start_in_thread(latency_ms=0)
    ctx.on_close(stop_upstream)
    # article and image URLs carry this run's upstream port: compare them, port aside
    ctx.replace_in_responses(base_url, "{upstream}")
    if ctx.env.get("VERIFY_DB", "sqlite") == "postgres":
        database_url = _postgres(ctx)
    else:
        database_url = "sqlite:///" + str(ctx.workdir / "legacy.sqlite3")
    redis_db = _take_redis_database(ctx)
    redis_url = ctx.env.get("VERIFY_REDIS_URL", "redis://127.0.0.1:6379") + f"/{redis_db}"
    ctx.env.update(
        {
            "DATABASE_URL": database_url,
            "OPENAI_BASE_URL": f"{base_url}/v1",
            "UNSPLASH_BASE_URL": f"{base_url}/unsplash",
            "NEWS_FEED_URL": f"{base_url}/rss/news.xml",
            "UPLOAD_FOLDER": str(ctx.workdir / "uploads"),
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
            "REDIS_URL": redis_url,
        }
    )
    _fresh_redis(redis_url)
    app = ctx.app()
    result = app.test_cli_runner().invoke(args=SEED_ARGS)
    if result.exit_code != 0:
        raise RuntimeError(f"`flask seed` failed for {ctx.target}: {result.output.strip()}")

    def dispose():
        ext = app.extensions.get("sqlalchemy")
        if ext is not None:
            with app.app_context():
                ext.session.remove()
                for engine in ext.engines.values():
                    engine.dispose()

    ctx.on_close(dispose)
    os.makedirs(ctx.workdir / "uploads", exist_ok=True)
