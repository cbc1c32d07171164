"""Application configuration, read from the environment.

Production ran on PostgreSQL with a 20-connection pool; locally everything falls back to a
SQLite file next to the app so a laptop needs nothing else.
"""
import os

BASE_DIR = os.path.abspath(os.path.dirname(__file__))


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY", "dev-secret-change-me")
    SQLALCHEMY_DATABASE_URI = os.environ.get(
        "DATABASE_URL", "sqlite:///" + os.path.join(BASE_DIR, "instance", "vocab.sqlite3")
    )
    SQLALCHEMY_TRACK_MODIFICATIONS = False

    # Pool settings copied from production (see ops ticket "too many connections", 2023).
    DB_POOL_SIZE = 20
    DB_POOL_RECYCLE = 3600

    REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")

    JWT_SECRET_KEY = os.environ.get("JWT_SECRET_KEY", "jwt-dev-secret-please-change-0123456789")
    JWT_ACCESS_TOKEN_EXPIRES = int(os.environ.get("JWT_ACCESS_TOKEN_EXPIRES", 60 * 60 * 24))
    # werkzeug hash method for new passwords; the test suite lowers the cost to stay fast.
    PASSWORD_HASH_METHOD = os.environ.get("PASSWORD_HASH_METHOD", "pbkdf2:sha256:260000")

    # External services. Production pointed these at the real APIs; here they point at the
    # local upstream server in legacy/upstream/.
    OPENAI_BASE_URL = os.environ.get("OPENAI_BASE_URL", "http://127.0.0.1:8090/v1")
    OPENAI_API_KEY = os.environ.get("OPENAI_API_KEY", "sk-local-development-key")
    OPENAI_MODEL = os.environ.get("OPENAI_MODEL", "gpt-3.5-turbo")
    UNSPLASH_BASE_URL = os.environ.get("UNSPLASH_BASE_URL", "http://127.0.0.1:8090/unsplash")
    UNSPLASH_ACCESS_KEY = os.environ.get("UNSPLASH_ACCESS_KEY", "local-unsplash-key")
    NEWS_FEED_URL = os.environ.get("NEWS_FEED_URL", "http://127.0.0.1:8090/rss/news.xml")

    UPLOAD_FOLDER = os.environ.get("UPLOAD_FOLDER", os.path.join(BASE_DIR, "instance", "uploads"))
    MAX_CONTENT_LENGTH = 4 * 1024 * 1024
    ADMIN_USERNAMES = [u for u in os.environ.get("ADMIN_USERNAMES", "admin").split(",") if u]

    WORDS_PER_PAGE = 50
    PRACTICE_BATCH_SIZE = 10
    DAILY_XP_GOAL = 50


class TestingConfig(Config):
    TESTING = True
