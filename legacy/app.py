"""VocabMaster API.

One Flask app serves the web client and the mobile apps: accounts and settings, the word
catalogue, text processing, practice, stats, news, images and the gamification features.

Started in 2019 as a weekend project ("just a few endpoints") and grown one feature at a time.
Run it with `gunicorn legacy.app:app`; seed a database with `FLASK_APP=legacy.app flask seed`.
"""
import json
import os
import random
import re
import time
import uuid
from datetime import date, datetime, timedelta
from functools import wraps

import click
import redis
import requests
from flask import Flask, abort, g, jsonify, make_response, request, url_for
from flask_cors import CORS
from flask_jwt_extended import (
    JWTManager,
    create_access_token,
    get_jwt,
    get_jwt_identity,
    jwt_required,
    verify_jwt_in_request,
)
from sqlalchemy import func, or_
from werkzeug.security import check_password_hash, generate_password_hash

from legacy.config import Config
from legacy.models import (
    Achievement,
    ActivityLog,
    Avatar,
    Category,
    ExampleSentence,
    ExcludedWord,
    NewsArticle,
    PracticeAnswer,
    PracticeSession,
    TextSubmission,
    User,
    UserAchievement,
    UserSettings,
    UserStreak,
    UserVocabulary,
    Word,
    WordImage,
    XPTransaction,
    db,
)
from legacy.services import avatars, streaks, text_processing, xp
from legacy.services.llm import ChatClient, LLMError

# ---------------------------------------------------------------------------------------------
# Shared helpers (used by every area of this file; part B relies on these names):
#
#   get_current_user() -> User | None          user of the JWT in this request (call inside
#                                                @jwt_required() handlers)
#   is_admin(user) -> bool                       user.is_admin or username in ADMIN_USERNAMES
#   admin_required(fn)                           decorator: JWT + admin check (401/403 JSON)
#   json_error(message, status=400, **extra)     -> (Response, status) with {"error": message, ...}
#   APIError(message, status=400, payload=None)  raise anywhere; errorhandler turns it into JSON
#   paginate_query(query, page=None, per_page=None, max_per_page=100) -> (items, meta dict)
#                                                meta = {page, per_page, total, pages}
#   get_json_body() -> dict                      request JSON or {} (never None)
#   parse_int(value, default, minimum=None, maximum=None) -> int
#   get_or_create_settings(user) -> UserSettings
#   get_llm_client(user=None) -> ChatClient      the user's own OpenAI key if set, else the app's
#   get_word_or_404(word_id) / get_category_or_404(category_id)   (raise APIError 404)
#   serialize_word(word, user_id=None) -> dict   word dict + category name (+ user status)
#   log_activity(user, activity_type, details=None) -> UserStreak  (streak + ActivityLog, no commit)
#   give_xp(user, reason, amount=None) -> int    award_xp with XP_RULES[reason]; no commit
#   check_achievements(user) -> list[Achievement] newly unlocked ones (adds rows + XP, no commit)
#   cache_get(key) / cache_set(key, value, ttl=300) / cache_clear(prefix=None) -> int
#                                                the in-process cache (MEMORY_CACHE) + stats
#   redis_get(key) / redis_set(key, value, ex=None) / redis_incr(key, ex=None)
#                                                best effort; None/False when Redis is down
#   utcnow() -> datetime, iso(dt) -> str | None
# Module state: redis_client, llm_client, MEMORY_CACHE, CACHE_STATS, REQUEST_STATS, REVOKED_TOKENS
# ---------------------------------------------------------------------------------------------

app = Flask(__name__)
app.config.from_object(Config)

# Production pool settings. SQLite (local development) uses a different pool that does not
# take these arguments.
if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {
        "pool_size": app.config["DB_POOL_SIZE"],
        "pool_recycle": app.config["DB_POOL_RECYCLE"],
        "pool_pre_ping": True,
    }
else:
    _sqlite_path = app.config["SQLALCHEMY_DATABASE_URI"].replace("sqlite:///", "", 1)
    if _sqlite_path and _sqlite_path != ":memory:":
        os.makedirs(os.path.dirname(os.path.abspath(_sqlite_path)), exist_ok=True)

db.init_app(app)
jwt = JWTManager(app)
CORS(app)

# Redis was added for the login rate limit in 2021. The plan was to move the caches there too.
redis_client = redis.Redis.from_url(
    app.config["REDIS_URL"], socket_connect_timeout=0.5, socket_timeout=0.5, decode_responses=True
)

# One client for the whole process; users with their own key get a fresh one per request.
llm_client = ChatClient(
    app.config["OPENAI_BASE_URL"], app.config["OPENAI_API_KEY"], app.config["OPENAI_MODEL"]
)

# Poor man's cache until we "have time for Redis". Per process, so every gunicorn worker has
# its own copy, and most entries are never invalidated.
MEMORY_CACHE = {}
CACHE_STATS = {"hits": 0, "misses": 0, "sets": 0, "clears": 0}
REQUEST_STATS = {"total": 0, "errors": 0, "by_endpoint": {}, "started_at": datetime.utcnow().isoformat()}
# Logged-out tokens. Lives in memory, so a logout only holds on the worker that served it.
REVOKED_TOKENS = set()

DEBUG_REQUESTS = os.environ.get("DEBUG_REQUESTS", "1") == "1"
VALID_STATUSES = ("new", "learning", "known")
USERNAME_RE = re.compile(r"^[A-Za-z0-9_.-]{3,80}$")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

with app.app_context():
    db.create_all()
    os.makedirs(app.config["UPLOAD_FOLDER"], exist_ok=True)


class APIError(Exception):
    """Raised by handlers and helpers; rendered as {"error": ...} by the errorhandler below."""

    def __init__(self, message, status=400, payload=None):
        super().__init__(message)
        self.message = message
        self.status = status
        self.payload = payload or {}


def utcnow():
    return datetime.utcnow()


def iso(dt):
    return dt.isoformat() if dt else None


def json_error(message, status=400, **extra):
    body = {"error": message}
    body.update(extra)
    return jsonify(body), status


def get_json_body():
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        return {}
    return data


def parse_int(value, default, minimum=None, maximum=None):
    try:
        result = int(value)
    except (TypeError, ValueError):
        result = default
    if minimum is not None and result < minimum:
        result = minimum
    if maximum is not None and result > maximum:
        result = maximum
    return result


def paginate_query(query, page=None, per_page=None, max_per_page=100):
    """Slice a query by ?page=&per_page= (or the given values); returns (items, meta)."""
    if page is None:
        page = request.args.get("page")
    if per_page is None:
        per_page = request.args.get("per_page")
    page = parse_int(page, 1, minimum=1)
    per_page = parse_int(per_page, app.config["WORDS_PER_PAGE"], minimum=1, maximum=max_per_page)
    total = query.count()
    items = query.offset((page - 1) * per_page).limit(per_page).all()
    pages = (total + per_page - 1) // per_page if total else 0
    return items, {"page": page, "per_page": per_page, "total": total, "pages": pages}


def get_current_user():
    identity = get_jwt_identity()
    if identity is None:
        return None
    try:
        user_id = int(identity)
    except (TypeError, ValueError):
        return None
    return db.session.get(User, user_id)


def is_admin(user):
    if user is None:
        return False
    return bool(user.is_admin) or user.username in app.config["ADMIN_USERNAMES"]


def admin_required(fn):
    @wraps(fn)
    def wrapper(*args, **kwargs):
        verify_jwt_in_request()
        user = get_current_user()
        if user is None:
            return json_error("User not found", 401)
        if not is_admin(user):
            app.logger.warning("non-admin %s tried %s", user.username, request.path)
            return json_error("Admin privileges required", 403)
        return fn(*args, **kwargs)

    return wrapper


def get_or_create_settings(user):
    settings = UserSettings.query.filter_by(user_id=user.id).first()
    if settings is None:
        settings = UserSettings(user_id=user.id)
        db.session.add(settings)
        db.session.flush()
    return settings


def get_llm_client(user=None):
    """Users who stored their own OpenAI key pay for their own calls."""
    if user is not None:
        settings = UserSettings.query.filter_by(user_id=user.id).first()
        if settings is not None and settings.openai_api_key:
            return ChatClient(
                app.config["OPENAI_BASE_URL"],
                settings.openai_api_key,
                settings.preferred_model or app.config["OPENAI_MODEL"],
            )
    return llm_client


def get_word_or_404(word_id):
    word = db.session.get(Word, word_id)
    if word is None:
        raise APIError("Word not found", 404)
    return word


def get_category_or_404(category_id):
    category = db.session.get(Category, category_id)
    if category is None:
        raise APIError("Category not found", 404)
    return category


def serialize_word(word, user_id=None):
    data = word.to_dict()
    # lazy load of the category for every word we serialize
    data["category"] = word.category.name if word.category else None
    if user_id is not None:
        uv = UserVocabulary.query.filter_by(user_id=user_id, word_id=word.id).first()
        data["in_vocabulary"] = uv is not None
        data["status"] = uv.status if uv else None
    return data


def log_activity(user, activity_type, details=None):
    return streaks.record_activity(user.id, activity_type, details)


def give_xp(user, reason, amount=None):
    if amount is None:
        amount = xp.XP_RULES.get(reason, 0)
    return xp.award_xp(user, amount, reason)


def _achievement_metric(user, metric):
    if metric == "words_known":
        return UserVocabulary.query.filter_by(user_id=user.id, status="known").count()
    if metric == "words_added":
        return UserVocabulary.query.filter_by(user_id=user.id).count()
    if metric == "streak":
        streak = UserStreak.query.filter_by(user_id=user.id).first()
        return streak.longest_streak if streak else 0
    if metric == "sessions":
        return PracticeSession.query.filter(
            PracticeSession.user_id == user.id, PracticeSession.completed_at.isnot(None)
        ).count()
    if metric == "xp":
        return user.xp_total or 0
    if metric == "level":
        return user.level or 1
    if metric == "texts":
        return TextSubmission.query.filter_by(user_id=user.id).count()
    if metric == "perfect_sessions":
        count = 0
        for s in PracticeSession.query.filter_by(user_id=user.id).all():
            if s.completed_at and s.total_questions and s.correct_answers == s.total_questions:
                count += 1
        return count
    if metric == "avatars":
        return Avatar.query.filter_by(user_id=user.id).count()
    if metric == "articles":
        return ActivityLog.query.filter_by(user_id=user.id, activity_type="article_read").count()
    return 0


def check_achievements(user):
    """Unlock every achievement whose threshold the user has reached. The caller commits."""
    unlocked = []
    for achievement in Achievement.query.order_by(Achievement.id).all():
        # one query per achievement to see if the user already has it, then the metric queries
        have = UserAchievement.query.filter_by(
            user_id=user.id, achievement_id=achievement.id
        ).first()
        if have:
            continue
        value = _achievement_metric(user, achievement.metric)
        if value >= (achievement.threshold or 1):
            db.session.add(UserAchievement(user_id=user.id, achievement_id=achievement.id))
            give_xp(user, "achievement", achievement.xp_reward)
            print(f"[achievements] {user.username} unlocked {achievement.code}")
            unlocked.append(achievement)
    return unlocked


def cache_get(key):
    entry = MEMORY_CACHE.get(key)
    if entry is None:
        CACHE_STATS["misses"] += 1
        return None
    value, expires_at = entry
    if expires_at is not None and expires_at < time.time():
        MEMORY_CACHE.pop(key, None)
        CACHE_STATS["misses"] += 1
        return None
    CACHE_STATS["hits"] += 1
    return value


def cache_set(key, value, ttl=300):
    expires_at = time.time() + ttl if ttl else None
    MEMORY_CACHE[key] = (value, expires_at)
    CACHE_STATS["sets"] += 1
    return value


def cache_clear(prefix=None):
    if prefix is None:
        removed = len(MEMORY_CACHE)
        MEMORY_CACHE.clear()
    else:
        keys = [k for k in MEMORY_CACHE if k.startswith(prefix)]
        for k in keys:
            del MEMORY_CACHE[k]
        removed = len(keys)
    CACHE_STATS["clears"] += 1
    return removed


def redis_get(key):
    try:
        return redis_client.get(key)
    except redis.RedisError as exc:
        app.logger.warning("redis get %s failed: %s", key, exc)
        return None


def redis_set(key, value, ex=None):
    try:
        return bool(redis_client.set(key, value, ex=ex))
    except redis.RedisError as exc:
        app.logger.warning("redis set %s failed: %s", key, exc)
        return False


def redis_incr(key, ex=None):
    try:
        value = redis_client.incr(key)
        if ex and value == 1:
            redis_client.expire(key, ex)
        return value
    except redis.RedisError as exc:
        app.logger.warning("redis incr %s failed: %s", key, exc)
        return None


@jwt.token_in_blocklist_loader
def check_if_token_revoked(jwt_header, jwt_payload):
    return jwt_payload.get("jti") in REVOKED_TOKENS


@jwt.revoked_token_loader
def revoked_token_response(jwt_header, jwt_payload):
    return jsonify({"error": "Token has been revoked", "msg": "Token has been revoked"}), 401


# ---- request hooks --------------------------------------------------------------------------


@app.before_request
def before_request_timing():
    g.request_started = time.time()
    g.request_id = uuid.uuid4().hex[:12]
    REQUEST_STATS["total"] += 1
    endpoint = request.endpoint or "<unmatched>"
    REQUEST_STATS["by_endpoint"][endpoint] = REQUEST_STATS["by_endpoint"].get(endpoint, 0) + 1
    if DEBUG_REQUESTS:
        print(f"[DEBUG] --> {request.method} {request.path} args={dict(request.args)}")


@app.before_request
def reject_oversized_json():
    if request.method in ("POST", "PUT", "PATCH") and request.content_length:
        if request.content_length > app.config["MAX_CONTENT_LENGTH"]:
            return json_error("Request body too large", 413)
    return None


@app.after_request
def after_request_headers(response):
    started = getattr(g, "request_started", None)
    if started is not None:
        elapsed_ms = (time.time() - started) * 1000
        response.headers["X-Response-Time"] = f"{elapsed_ms:.1f}ms"
        if elapsed_ms > 1000:
            app.logger.warning("slow request %s %s: %.0f ms", request.method, request.path, elapsed_ms)
    response.headers["X-Request-ID"] = getattr(g, "request_id", "")
    response.headers["X-API-Version"] = "2.7"
    response.headers.setdefault("Cache-Control", "no-store")
    if response.status_code >= 400:
        REQUEST_STATS["errors"] += 1
    if DEBUG_REQUESTS:
        print(f"[DEBUG] <-- {request.method} {request.path} {response.status_code}")
    return response


@app.teardown_request
def teardown_session(exc):
    if exc is not None:
        print(f"[DEBUG] request failed: {exc!r}")
        db.session.rollback()


# ---- error handlers -------------------------------------------------------------------------


@app.errorhandler(APIError)
def handle_api_error(err):
    body = {"error": err.message}
    body.update(err.payload)
    return jsonify(body), err.status


@app.errorhandler(400)
def bad_request(err):
    return json_error(getattr(err, "description", None) or "Bad request", 400)


@app.errorhandler(404)
def not_found(err):
    return json_error("Not found", 404, path=request.path)


@app.errorhandler(405)
def method_not_allowed(err):
    return json_error("Method not allowed", 405, method=request.method)


@app.errorhandler(413)
def too_large(err):
    return json_error("Request body too large", 413)


@app.errorhandler(LLMError)
def handle_llm_error(err):
    app.logger.error("LLM call failed: %s", err)
    return json_error("Language model unavailable", 502, detail=str(err))


@app.errorhandler(500)
def internal_error(err):
    db.session.rollback()
    app.logger.exception("unhandled error on %s", request.path)
    return json_error("Internal server error", 500)


# ---- CLI --------------------------------------------------------------------------------------


@app.cli.command("seed")
@click.option("--users", default=50, show_default=True, help="Number of regular users.")
@click.option("--categories", default=40, show_default=True, help="Number of categories.")
@click.option("--words-per-category", default=50, show_default=True)
@click.option("--seed", "seed_value", default=42, show_default=True, help="Random seed.")
@click.option("--drop", is_flag=True, help="Drop all tables first.")
def seed_command(users, categories, words_per_category, seed_value, drop):
    """Fill the database with deterministic demo data."""
    from legacy.seed_data import seed_database

    if drop:
        click.echo("Dropping all tables...")
        db.drop_all()
    db.create_all()
    started = time.time()
    counts = seed_database(
        db, users=users, categories=categories, words_per_category=words_per_category, seed=seed_value
    )
    for name in sorted(counts):
        click.echo(f"{name}: {counts[name]}")
    click.echo(f"Seeded in {time.time() - started:.1f}s")


@app.cli.command("create-admin")
@click.argument("username")
@click.argument("password")
@click.option("--email", default=None)
def create_admin_command(username, password, email):
    """Create an admin account (or promote an existing user)."""
    user = User.query.filter_by(username=username).first()
    if user is None:
        user = User(
            username=username,
            email=email or f"{username}@example.com",
            password_hash=generate_password_hash(password, method=app.config["PASSWORD_HASH_METHOD"]),
        )
        db.session.add(user)
    user.is_admin = True
    db.session.commit()
    click.echo(f"{username} is an admin")


# ---- auth -------------------------------------------------------------------------------------

# ---- gamification, news and images (part B) ----


if __name__ == "__main__":
    app.run(host="127.0.0.1", port=int(os.environ.get("PORT", 5000)), debug=True)
