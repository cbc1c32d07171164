"""VocabMaster API.

One Flask app serves the web client and the mobile apps: accounts and settings, the word
catalogue, text processing, practice, stats, news, images and the gamification features.

Started in 2019 as a weekend project ("just a few endpoints") and grown one feature at a time.
Run it with `gunicorn legacy.app:app`; seed a database with `FLASK_APP=legacy.app flask seed`.
"""
import base64
import binascii
import hashlib
import json
import os
import random
import re
import time
import uuid
from datetime import date, datetime, timedelta
from functools import wraps
from urllib.parse import urlparse

import click
import feedparser
import redis
import requests
from flask import Flask, Response, abort, g, jsonify, make_response, redirect, request, url_for
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
# Careful: WordImage has a column named `query`, so WordImage.query is NOT the query property;
# use db.session.query(WordImage) for it.
# Module state: redis_client, llm_client, MEMORY_CACHE, CACHE_STATS, REQUEST_STATS, REVOKED_TOKENS
# ---------------------------------------------------------------------------------------------

app = Flask(__name__)
app.config.from_object(Config)

# Heroku-style URLs say postgres://, and newer SQLAlchemy maps postgresql:// to psycopg 3;
# we ship psycopg2.
_db_url = app.config["SQLALCHEMY_DATABASE_URI"]
if _db_url.startswith(("postgres://", "postgresql://")):
    app.config["SQLALCHEMY_DATABASE_URI"] = "postgresql+psycopg2://" + _db_url.split("://", 1)[1]

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


def _validate_registration(data):
    username = (data.get("username") or "").strip()
    email = (data.get("email") or "").strip().lower()
    password = data.get("password") or ""
    errors = {}
    if not USERNAME_RE.match(username):
        errors["username"] = "3-80 characters: letters, digits, '_', '.', '-'"
    if not EMAIL_RE.match(email):
        errors["email"] = "not a valid email address"
    if len(password) < 6:
        errors["password"] = "at least 6 characters"
    return username, email, password, errors


@app.route("/api/auth/register", methods=["POST"])
def register():
    data = get_json_body()
    username, email, password, errors = _validate_registration(data)
    if errors:
        return json_error("Invalid registration data", 400, fields=errors)

    if User.query.filter_by(username=username).first():
        return json_error("Username already taken", 409)
    if User.query.filter_by(email=email).first():
        return json_error("Email already registered", 409)

    native = (data.get("native_language") or "en").lower()[:10]
    target = (data.get("target_language") or "de").lower()[:10]
    try:
        user = User(
            username=username,
            email=email,
            password_hash=generate_password_hash(password, method=app.config["PASSWORD_HASH_METHOD"]),
            native_language=native,
            target_language=target,
            level=1,
            xp_total=0,
            created_at=utcnow(),
        )
        db.session.add(user)
        db.session.flush()
        db.session.add(UserSettings(user_id=user.id, daily_goal=20))
        db.session.add(UserStreak(user_id=user.id, current_streak=0, longest_streak=0, freezes_available=0))
        db.session.commit()
    except Exception as e:
        db.session.rollback()
        print(f"[DEBUG] register failed for {username}: {e}")
        app.logger.error("register failed: %s", e)
        return json_error("Registration failed", 500)

    print(f"[DEBUG] new user {user.id} {username}")
    token = create_access_token(identity=str(user.id), additional_claims={"username": user.username})
    resp = jsonify({"message": "User registered", "user": user.to_dict(), "access_token": token})
    resp.status_code = 201
    resp.headers["Location"] = url_for("me")
    return resp


@app.route("/api/auth/login", methods=["POST"])
def login():
    data = get_json_body()
    username = (data.get("username") or data.get("email") or "").strip()
    password = data.get("password") or ""
    if not username or not password:
        return json_error("Username and password are required", 400)

    # the only real use of Redis in the app: a soft limit on login attempts per IP and name
    attempts_key = f"login_attempts:{request.remote_addr}:{username.lower()}"
    attempts = redis_incr(attempts_key, ex=300)
    if attempts is not None and attempts > 20:
        return json_error("Too many login attempts, try again later", 429)

    user = User.query.filter(or_(User.username == username, User.email == username.lower())).first()
    if user is None or not check_password_hash(user.password_hash, password):
        app.logger.info("failed login for %s", username)
        return json_error("Invalid username or password", 401)

    try:
        user.last_login = utcnow()
        log_activity(user, "login")
        db.session.commit()
    except Exception as e:
        db.session.rollback()
        print(f"[DEBUG] could not record login of {user.id}: {e}")

    redis_set(f"user:{user.id}:last_seen", utcnow().isoformat())
    try:
        redis_client.delete(attempts_key)
    except redis.RedisError:
        pass

    token = create_access_token(
        identity=str(user.id),
        additional_claims={"username": user.username, "is_admin": is_admin(user)},
    )
    settings = get_or_create_settings(user)
    db.session.commit()
    return jsonify(
        {
            "access_token": token,
            "token_type": "Bearer",
            "expires_in": app.config["JWT_ACCESS_TOKEN_EXPIRES"],
            "user": user.to_dict(),
            "settings": settings.to_dict(),
        }
    )


@app.route("/api/auth/me", methods=["GET"])
@jwt_required()
def me():
    user = get_current_user()
    if user is None:
        return json_error("User not found", 404)
    settings = get_or_create_settings(user)
    vocab_count = UserVocabulary.query.filter_by(user_id=user.id).count()
    known_count = UserVocabulary.query.filter_by(user_id=user.id, status="known").count()
    data = user.to_dict()
    data.update(
        {
            "is_admin": is_admin(user),
            "last_login": iso(user.last_login),
            "settings": settings.to_dict(),
            "streak": streaks.get_streak_info(user.id),
            "vocabulary_count": vocab_count,
            "known_count": known_count,
            "next_level_xp": xp.xp_for_level((user.level or 1) + 1),
            "links": {
                "settings": url_for("user_settings"),
                "vocabulary": url_for("user_vocabulary"),
                "stats": url_for("user_stats"),
            },
        }
    )
    db.session.commit()
    return jsonify({"user": data})


@app.route("/api/auth/logout", methods=["POST"])
@jwt_required()
def logout():
    claims = get_jwt()
    REVOKED_TOKENS.add(claims["jti"])
    print(f"[DEBUG] revoked token of user {claims.get('sub')} ({len(REVOKED_TOKENS)} revoked)")
    return jsonify({"message": "Logged out"})


@app.route("/api/auth/change-password", methods=["POST"])
@jwt_required()
def change_password():
    user = get_current_user()
    if user is None:
        return json_error("User not found", 404)
    data = get_json_body()
    current = data.get("current_password") or ""
    new = data.get("new_password") or ""
    if not current or not new:
        return json_error("current_password and new_password are required", 400)
    if not check_password_hash(user.password_hash, current):
        return json_error("Current password is incorrect", 401)
    if len(new) < 6:
        return json_error("New password must have at least 6 characters", 400)
    if new == current:
        return json_error("New password must differ from the current one", 400)
    try:
        user.password_hash = generate_password_hash(new, method=app.config["PASSWORD_HASH_METHOD"])
        db.session.commit()
    except Exception as e:
        db.session.rollback()
        app.logger.error("password change failed for %s: %s", user.id, e)
        return json_error("Could not change password", 500)
    app.logger.info("user %s changed their password", user.id)
    return jsonify({"message": "Password changed"})


SETTINGS_THEMES = ("light", "dark", "system")
PRACTICE_DIRECTIONS = ("to_native", "to_target", "mixed")
ALLOWED_MODELS = ("gpt-3.5-turbo", "gpt-4", "gpt-4o", "gpt-4o-mini")


@app.route("/api/settings", methods=["GET", "PUT", "OPTIONS"])
@jwt_required(optional=True)
def user_settings():
    if request.method == "OPTIONS":
        # the old mobile client sends a preflight with a body and expects the schema back
        resp = make_response(
            jsonify(
                {
                    "methods": ["GET", "PUT", "OPTIONS"],
                    "fields": {
                        "daily_goal": "int 1-500",
                        "theme": list(SETTINGS_THEMES),
                        "practice_direction": list(PRACTICE_DIRECTIONS),
                        "preferred_model": list(ALLOWED_MODELS),
                        "notifications_enabled": "bool",
                        "show_images": "bool",
                    },
                }
            )
        )
        resp.headers["Allow"] = "GET, PUT, OPTIONS"
        return resp

    user = get_current_user()
    if user is None:
        return json_error("Missing or invalid token", 401)
    settings = get_or_create_settings(user)

    if request.method == "GET":
        db.session.commit()
        return jsonify({"settings": settings.to_dict(include_key=True)})

    data = get_json_body()
    errors = {}
    if "daily_goal" in data:
        goal = parse_int(data["daily_goal"], -1)
        if goal < 1 or goal > 500:
            errors["daily_goal"] = "must be between 1 and 500"
        else:
            settings.daily_goal = goal
    if "theme" in data:
        if data["theme"] not in SETTINGS_THEMES:
            errors["theme"] = f"one of {', '.join(SETTINGS_THEMES)}"
        else:
            settings.theme = data["theme"]
    if "practice_direction" in data:
        if data["practice_direction"] not in PRACTICE_DIRECTIONS:
            errors["practice_direction"] = f"one of {', '.join(PRACTICE_DIRECTIONS)}"
        else:
            settings.practice_direction = data["practice_direction"]
    if "preferred_model" in data:
        if data["preferred_model"] not in ALLOWED_MODELS:
            errors["preferred_model"] = f"one of {', '.join(ALLOWED_MODELS)}"
        else:
            settings.preferred_model = data["preferred_model"]
    for flag in ("notifications_enabled", "show_images"):
        if flag in data:
            if not isinstance(data[flag], bool):
                errors[flag] = "must be true or false"
            else:
                setattr(settings, flag, data[flag])
    if errors:
        db.session.rollback()
        return json_error("Invalid settings", 400, fields=errors)
    try:
        db.session.commit()
    except Exception as e:
        db.session.rollback()
        print(f"[DEBUG] settings update failed: {e}")
        return json_error("Could not save settings", 500)
    return jsonify({"message": "Settings updated", "settings": settings.to_dict(include_key=True)})


def _mask_key(key):
    if not key:
        return None
    return key[:3] + "..." + key[-4:]


@app.route("/api/settings/openai-key", methods=["GET", "PUT", "DELETE"])
@jwt_required()
def openai_key():
    user = get_current_user()
    if user is None:
        return json_error("User not found", 404)
    settings = get_or_create_settings(user)

    if request.method == "GET":
        db.session.commit()
        return jsonify(
            {
                "has_key": bool(settings.openai_api_key),
                "masked_key": _mask_key(settings.openai_api_key),
                "model": settings.preferred_model,
            }
        )

    if request.method == "DELETE":
        if not settings.openai_api_key:
            return json_error("No API key stored", 404)
        settings.openai_api_key = None
        db.session.commit()
        app.logger.info("user %s removed their OpenAI key", user.id)
        return jsonify({"message": "API key removed", "has_key": False})

    data = get_json_body()
    key = (data.get("api_key") or "").strip()
    if not key.startswith("sk-") or len(key) < 20:
        return json_error("That does not look like an OpenAI API key", 400)
    if data.get("validate"):
        # check the key with a tiny completion before saving it (no timeout, like everything else)
        try:
            ChatClient(app.config["OPENAI_BASE_URL"], key, settings.preferred_model).complete(
                [{"role": "user", "content": "Say OK."}], temperature=0
            )
        except LLMError as e:
            return json_error("The API key was rejected", 400, detail=str(e))
    settings.openai_api_key = key
    try:
        db.session.commit()
    except Exception as e:
        db.session.rollback()
        app.logger.error("could not store key for %s: %s", user.id, e)
        return json_error("Could not store API key", 500)
    return jsonify({"message": "API key saved", "has_key": True, "masked_key": _mask_key(key)})


LANGUAGE_CODES = ("de", "en", "es", "fr", "it", "nl")


@app.route("/api/profile", methods=["GET", "PUT", "PATCH"])
@jwt_required()
def profile():
    user = get_current_user()
    if user is None:
        return json_error("User not found", 404)
    if request.method == "GET":
        current_avatar = Avatar.query.filter_by(user_id=user.id, is_current=True).first()
        data = user.to_dict()
        data["avatar"] = current_avatar.to_dict() if current_avatar else None
        data["achievements"] = len(user.achievements)
        return jsonify({"profile": data})

    data = get_json_body()
    if request.method == "PUT":
        missing = [f for f in ("email", "native_language", "target_language") if f not in data]
        if missing:
            return json_error("PUT needs the whole profile", 400, missing=missing)

    errors = {}
    if "email" in data:
        email = (data.get("email") or "").strip().lower()
        if not EMAIL_RE.match(email):
            errors["email"] = "not a valid email address"
        elif email != user.email and User.query.filter_by(email=email).first():
            errors["email"] = "already registered"
        else:
            user.email = email
    for field in ("native_language", "target_language"):
        if field in data:
            code = (data.get(field) or "").lower()
            if code not in LANGUAGE_CODES:
                errors[field] = f"one of {', '.join(LANGUAGE_CODES)}"
            else:
                setattr(user, field, code)
    if not errors and user.native_language == user.target_language:
        errors["target_language"] = "must differ from native_language"
    if errors:
        db.session.rollback()
        return json_error("Invalid profile data", 400, fields=errors)
    try:
        db.session.commit()
    except Exception as e:
        db.session.rollback()
        print(f"[DEBUG] profile update failed: {e}")
        return json_error("Could not update profile", 500)
    return jsonify({"message": "Profile updated", "profile": user.to_dict()})


# ---- categories and words ---------------------------------------------------------------------


@app.route("/api/categories", methods=["GET"])
@jwt_required(optional=True)
def list_categories():
    # The same query on every page load, for data that changes twice a year.
    categories = Category.query.order_by(Category.id).all()
    user = get_current_user()
    level = request.args.get("level")
    result = []
    for category in categories:
        if level and category.level != level:
            continue
        data = category.to_dict()
        data["word_count"] = Word.query.filter_by(category_id=category.id).count()
        if user is not None:
            data["in_vocabulary"] = (
                UserVocabulary.query.join(Word, UserVocabulary.word_id == Word.id)
                .filter(UserVocabulary.user_id == user.id, Word.category_id == category.id)
                .count()
            )
        data["url"] = url_for("category_detail", category_id=category.id)
        result.append(data)
    app.logger.debug("listed %d categories", len(result))
    return jsonify({"categories": result, "total": len(result)})


@app.route("/api/categories/<int:category_id>", methods=["GET"])
@jwt_required(optional=True)
def category_detail(category_id):
    category = get_category_or_404(category_id)
    user = get_current_user()
    data = category.to_dict()
    words = category.words  # lazy load of the whole category
    difficulty = {}
    parts_of_speech = {}
    for word in words:
        key = str(word.difficulty or 1)
        difficulty[key] = difficulty.get(key, 0) + 1
        pos = word.part_of_speech or "unknown"
        parts_of_speech[pos] = parts_of_speech.get(pos, 0) + 1
    data["word_count"] = len(words)
    data["difficulty_distribution"] = dict(sorted(difficulty.items()))
    data["parts_of_speech"] = dict(sorted(parts_of_speech.items()))
    if user is not None:
        progress = {"new": 0, "learning": 0, "known": 0}
        for word in words:
            uv = UserVocabulary.query.filter_by(user_id=user.id, word_id=word.id).first()
            if uv is not None:
                progress[uv.status or "new"] = progress.get(uv.status or "new", 0) + 1
        data["progress"] = progress
        data["completion"] = round(100.0 * progress["known"] / len(words), 1) if words else 0.0
    data["links"] = {
        "words": url_for("category_words", category_id=category.id),
        "categories": url_for("list_categories"),
    }
    return jsonify({"category": data})


@app.route("/api/categories/<int:category_id>/words", methods=["GET"])
@jwt_required(optional=True)
def category_words(category_id):
    category = get_category_or_404(category_id)
    user = get_current_user()
    query = Word.query.filter_by(category_id=category.id)
    difficulty = request.args.get("difficulty")
    if difficulty:
        query = query.filter(Word.difficulty == parse_int(difficulty, 1))
    query = query.order_by(Word.id)
    words, meta = paginate_query(query)

    result = []
    for word in words:
        data = word.to_dict()
        if user is not None:
            # the classic: one query per word on the page
            uv = UserVocabulary.query.filter_by(user_id=user.id, word_id=word.id).first()
            data["in_vocabulary"] = uv is not None
            data["status"] = uv.status if uv else None
        result.append(data)

    status = request.args.get("status")
    if status and user is not None:
        # filtered after paging, so pages can come back short; the web client never noticed
        result = [w for w in result if (w["status"] or "none") == status]

    links = {"category": url_for("category_detail", category_id=category.id)}
    if meta["page"] < meta["pages"]:
        links["next"] = url_for("category_words", category_id=category.id, page=meta["page"] + 1, per_page=meta["per_page"])
    if meta["page"] > 1:
        links["prev"] = url_for("category_words", category_id=category.id, page=meta["page"] - 1, per_page=meta["per_page"])
    return jsonify({"category": category.to_dict(), "words": result, "pagination": meta, "links": links})


WORD_EDITABLE_FIELDS = ("translation", "part_of_speech", "difficulty", "example")


@app.route("/api/words/<int:word_id>", methods=["GET", "PUT", "DELETE", "OPTIONS"])
@jwt_required(optional=True)
def word_detail(word_id):
    if request.method == "OPTIONS":
        resp = make_response("", 204)
        resp.headers["Allow"] = "GET, PUT, DELETE, OPTIONS"
        resp.headers["Access-Control-Allow-Methods"] = "GET, PUT, DELETE, OPTIONS"
        return resp

    word = get_word_or_404(word_id)
    user = get_current_user()

    if request.method == "GET":
        data = serialize_word(word, user.id if user else None)
        data["images"] = [img.to_dict() for img in sorted(word.images, key=lambda i: i.id)]
        data["sentences"] = [
            {"id": s.id, "sentence": s.sentence, "translation": s.translation}
            for s in sorted(word.sentences, key=lambda s: s.id)
        ]
        data["links"] = {
            "self": url_for("word_detail", word_id=word.id),
            "examples": url_for("word_examples", word_id=word.id),
        }
        if word.category_id:
            data["links"]["category"] = url_for("category_detail", category_id=word.category_id)
        return jsonify({"word": data})

    if user is None:
        return json_error("Missing Authorization Header", 401)
    if word.created_by != user.id and not is_admin(user):
        return json_error("Only the creator or an admin can change this word", 403)

    if request.method == "PUT":
        data = get_json_body()
        unknown = sorted(set(data) - set(WORD_EDITABLE_FIELDS) - {"text"})
        if unknown:
            return json_error("Unknown fields", 400, fields=unknown)
        if "text" in data:
            return json_error("The text of a word cannot be changed; add a new word", 400)
        if "difficulty" in data:
            difficulty = parse_int(data["difficulty"], 0)
            if difficulty < 1 or difficulty > 5:
                return json_error("difficulty must be between 1 and 5", 400)
            data["difficulty"] = difficulty
        for field in WORD_EDITABLE_FIELDS:
            if field in data:
                setattr(word, field, data[field])
        try:
            db.session.commit()
        except Exception as e:
            db.session.rollback()
            app.logger.error("word %s update failed: %s", word_id, e)
            return json_error("Could not update word", 500)
        return jsonify({"message": "Word updated", "word": serialize_word(word)})

    # DELETE: remove everything that points at the word first (no ON DELETE CASCADE in the schema)
    try:
        UserVocabulary.query.filter_by(word_id=word.id).delete()
        PracticeAnswer.query.filter_by(word_id=word.id).delete()
        ExampleSentence.query.filter_by(word_id=word.id).delete()
        db.session.query(WordImage).filter_by(word_id=word.id).delete()  # WordImage.query is a column
        db.session.delete(word)
        db.session.commit()
    except Exception as e:
        db.session.rollback()
        print(f"[DEBUG] delete word {word_id} failed: {e}")
        return json_error("Could not delete word", 500)
    cache_clear(prefix=f"examples:{word_id}")
    app.logger.info("word %s deleted by %s", word_id, user.username)
    return jsonify({"message": "Word deleted", "id": word_id})


@app.route("/api/words/search", methods=["GET"])
@jwt_required(optional=True)
def search_words():
    q = (request.args.get("q") or "").strip()
    if len(q) < 2:
        return json_error("Query must have at least 2 characters", 400)
    user = get_current_user()
    limit = parse_int(request.args.get("limit"), 20, minimum=1, maximum=100)
    pattern = f"%{q.lower()}%"
    query = Word.query.filter(
        or_(func.lower(Word.text).like(pattern), func.lower(Word.translation).like(pattern))
    )
    category_id = request.args.get("category_id")
    if category_id:
        query = query.filter(Word.category_id == parse_int(category_id, 0))
    words = query.order_by(Word.id).limit(limit).all()
    # exact matches first, then prefix matches, then the rest
    ql = q.lower()

    def rank(word):
        text = (word.text or "").lower()
        if text == ql:
            return 0
        if text.startswith(ql):
            return 1
        return 2

    words.sort(key=lambda w: (rank(w), w.id))
    results = [serialize_word(w, user.id if user else None) for w in words]
    print(f"[DEBUG] search {q!r}: {len(results)} results")
    return jsonify({"query": q, "results": results, "count": len(results)})


def _find_or_create_word(text, translation, category_id, user, part_of_speech=None, example=None):
    """Return (word, created). Case-insensitive match on text within the category."""
    query = Word.query.filter(func.lower(Word.text) == text.lower())
    if category_id:
        query = query.filter(Word.category_id == category_id)
    word = query.order_by(Word.id).first()
    if word is not None:
        return word, False
    word = Word(
        text=text,
        translation=translation,
        category_id=category_id,
        part_of_speech=part_of_speech,
        example=example,
        difficulty=1,
        created_by=user.id if user else None,
        created_at=utcnow(),
    )
    db.session.add(word)
    db.session.flush()
    return word, True


def _add_to_vocabulary(user, word, source="manual", status="new"):
    """Return (entry, added). Awards XP and logs the activity for new entries; no commit."""
    uv = UserVocabulary.query.filter_by(user_id=user.id, word_id=word.id).first()
    if uv is not None:
        return uv, False
    uv = UserVocabulary(
        user_id=user.id, word_id=word.id, status=status, source=source, added_at=utcnow(),
        correct_count=0, incorrect_count=0,
    )
    db.session.add(uv)
    give_xp(user, "word_added")
    log_activity(user, "word_added", {"word_id": word.id, "source": source})
    return uv, True


@app.route("/api/words", methods=["POST"])
@app.route("/api/vocabulary/words", methods=["POST"])
@jwt_required()
def add_word():
    user = get_current_user()
    if user is None:
        return json_error("User not found", 404)
    data = get_json_body()
    text = (data.get("text") or "").strip()
    translation = (data.get("translation") or "").strip()
    if not text:
        return json_error("text is required", 400)
    if len(text) > 100 or len(translation) > 200:
        return json_error("text or translation too long", 400)
    category_id = data.get("category_id")
    if category_id is not None:
        category_id = parse_int(category_id, 0)
        if db.session.get(Category, category_id) is None:
            return json_error("Category not found", 404)

    try:
        word, created = _find_or_create_word(
            text, translation or None, category_id, user,
            part_of_speech=data.get("part_of_speech"), example=data.get("example"),
        )
        uv, added = _add_to_vocabulary(user, word, source=data.get("source") or "manual")
        if not added:
            db.session.rollback()
            return json_error("Word already in your vocabulary", 409, word_id=word.id)
        unlocked = check_achievements(user)
        db.session.commit()
    except Exception as e:
        db.session.rollback()
        app.logger.error("add word failed for %s: %s", user.id, e)
        print(f"[DEBUG] add_word exception {e!r}")
        return json_error("Could not add word", 500)

    body = {
        "message": "Word added",
        "word": serialize_word(word),
        "vocabulary": uv.to_dict(),
        "created": created,
        "xp_total": user.xp_total,
        "achievements_unlocked": [a.code for a in unlocked],
    }
    resp = jsonify(body)
    resp.status_code = 201
    resp.headers["Location"] = url_for("word_detail", word_id=word.id)
    return resp


def _suggested_words(user, category_id=None, limit=10):
    query = Word.query
    if category_id:
        query = query.filter(Word.category_id == category_id)
    else:
        # stay in the user's level: the easiest words first
        query = query.filter(Word.difficulty <= max(1, min(5, (user.level or 1))))
    excluded = set(e.word_text.lower() for e in ExcludedWord.query.filter_by(user_id=user.id).all())
    suggestions = []
    for word in query.order_by(Word.difficulty, Word.id).limit(500).all():
        if word.text.lower() in excluded:
            continue
        if UserVocabulary.query.filter_by(user_id=user.id, word_id=word.id).first():
            continue
        suggestions.append(word)
        if len(suggestions) >= limit:
            break
    return suggestions


@app.route("/api/vocabulary/suggestions", methods=["GET", "POST"])
@jwt_required()
def vocabulary_suggestions():
    user = get_current_user()
    if user is None:
        return json_error("User not found", 404)

    if request.method == "GET":
        limit = parse_int(request.args.get("limit"), 10, minimum=1, maximum=50)
        category_id = parse_int(request.args.get("category_id"), 0) or None
        words = _suggested_words(user, category_id, limit)
        return jsonify({"suggestions": [serialize_word(w) for w in words], "count": len(words)})

    # POST: add suggested words, either the ones the client shows or the next N suggestions
    data = get_json_body()
    word_ids = data.get("word_ids")
    if word_ids is None:
        count = parse_int(data.get("count"), 5, minimum=1, maximum=50)
        words = _suggested_words(user, parse_int(data.get("category_id"), 0) or None, count)
    else:
        if not isinstance(word_ids, list) or not all(isinstance(i, int) for i in word_ids):
            return json_error("word_ids must be a list of integers", 400)
        words = []
        for word_id in word_ids:
            word = db.session.get(Word, word_id)
            if word is not None:
                words.append(word)
    added, skipped = [], []
    try:
        for word in words:
            uv, was_added = _add_to_vocabulary(user, word, source="suggested")
            (added if was_added else skipped).append(word.id)
        db.session.commit()
    except Exception as e:
        db.session.rollback()
        app.logger.error("adding suggestions failed: %s", e)
        return json_error("Could not add suggested words", 500)
    return jsonify({"added": added, "skipped": skipped, "xp_total": user.xp_total}), 201 if added else 200


BULK_LIMIT = 200


@app.route("/api/vocabulary/bulk", methods=["POST"])
@jwt_required()
def bulk_add_words():
    user = get_current_user()
    if user is None:
        return json_error("User not found", 404)
    data = get_json_body()
    items = data.get("words")
    if not isinstance(items, list) or not items:
        return json_error("words must be a non-empty list", 400)
    if len(items) > BULK_LIMIT:
        return json_error(f"At most {BULK_LIMIT} words per request", 400)
    default_category = parse_int(data.get("category_id"), 0) or None

    results = []
    added = 0
    try:
        for index, item in enumerate(items):
            if isinstance(item, str):
                item = {"text": item}
            if not isinstance(item, dict) or not (item.get("text") or "").strip():
                results.append({"index": index, "status": "invalid"})
                continue
            text = item["text"].strip()[:100]
            category_id = parse_int(item.get("category_id"), 0) or default_category
            if category_id and db.session.get(Category, category_id) is None:
                results.append({"index": index, "text": text, "status": "unknown_category"})
                continue
            word, created = _find_or_create_word(
                text, (item.get("translation") or "").strip() or None, category_id, user,
                part_of_speech=item.get("part_of_speech"),
            )
            uv, was_added = _add_to_vocabulary(user, word, source="bulk")
            if was_added:
                added += 1
            results.append(
                {
                    "index": index,
                    "text": text,
                    "word_id": word.id,
                    "status": "added" if was_added else "duplicate",
                    "created": created,
                }
            )
        db.session.commit()
    except Exception as e:
        db.session.rollback()
        print(f"[DEBUG] bulk add failed after {len(results)} items: {e}")
        app.logger.exception("bulk add failed")
        return json_error("Bulk add failed", 500)
    app.logger.info("bulk add by %s: %d of %d added", user.username, added, len(items))
    return jsonify({"added": added, "total": len(items), "results": results, "xp_total": user.xp_total}), 201


@app.route("/api/vocabulary", methods=["GET"])
@jwt_required()
def user_vocabulary():
    user = get_current_user()
    if user is None:
        return json_error("User not found", 404)
    query = UserVocabulary.query.filter_by(user_id=user.id)
    status = request.args.get("status")
    if status:
        if status not in VALID_STATUSES:
            return json_error(f"status must be one of {', '.join(VALID_STATUSES)}", 400)
        query = query.filter(UserVocabulary.status == status)
    category_id = request.args.get("category_id")
    if category_id:
        query = query.join(Word, UserVocabulary.word_id == Word.id).filter(
            Word.category_id == parse_int(category_id, 0)
        )
    entries, meta = paginate_query(query.order_by(UserVocabulary.id))
    items = []
    for uv in entries:
        item = uv.to_dict()
        # three lazy loads per row: the word, its category, and the word again for the dict
        item["text"] = uv.word.text
        item["translation"] = uv.word.translation
        item["category"] = uv.word.category.name if uv.word.category else None
        item["word"] = uv.word.to_dict()
        items.append(item)
    counts = {s: UserVocabulary.query.filter_by(user_id=user.id, status=s).count() for s in VALID_STATUSES}
    return jsonify({"vocabulary": items, "pagination": meta, "counts": counts})


@app.route("/api/vocabulary/<int:word_id>", methods=["GET", "DELETE"])
@jwt_required()
def vocabulary_entry(word_id):
    user = get_current_user()
    if user is None:
        return json_error("User not found", 404)
    uv = UserVocabulary.query.filter_by(user_id=user.id, word_id=word_id).first()
    if uv is None:
        return json_error("Word is not in your vocabulary", 404)
    if request.method == "GET":
        data = uv.to_dict()
        data["word"] = serialize_word(uv.word)
        answers = (
            PracticeAnswer.query.join(PracticeSession, PracticeAnswer.session_id == PracticeSession.id)
            .filter(PracticeSession.user_id == user.id, PracticeAnswer.word_id == word_id)
            .order_by(PracticeAnswer.id.desc())
            .limit(10)
            .all()
        )
        data["recent_answers"] = [
            {"is_correct": a.is_correct, "user_answer": a.user_answer, "answered_at": iso(a.answered_at)}
            for a in answers
        ]
        return jsonify({"entry": data})
    try:
        db.session.delete(uv)
        db.session.commit()
    except Exception as e:
        db.session.rollback()
        app.logger.error("could not remove %s from %s: %s", word_id, user.id, e)
        return json_error("Could not remove word", 500)
    return jsonify({"message": "Removed from vocabulary", "word_id": word_id})


@app.route("/api/vocabulary/<int:word_id>/status", methods=["PUT", "PATCH"])
@jwt_required()
def update_word_status(word_id):
    user = get_current_user()
    if user is None:
        return json_error("User not found", 404)
    data = get_json_body()
    status = data.get("status")
    if status not in VALID_STATUSES:
        return json_error(f"status must be one of {', '.join(VALID_STATUSES)}", 400)
    word = get_word_or_404(word_id)
    uv = UserVocabulary.query.filter_by(user_id=user.id, word_id=word.id).first()
    if uv is None:
        if not data.get("add_if_missing"):
            return json_error("Word is not in your vocabulary", 404)
        uv, _ = _add_to_vocabulary(user, word, source="status")
    previous = uv.status
    uv.status = status
    unlocked = []
    try:
        if status == "known" and previous != "known":
            # XP only the first time a word becomes known; un-knowing and re-knowing is farmed
            already = XPTransaction.query.filter_by(user_id=user.id, reason=f"word_known:{word.id}").first()
            if already is None:
                give_xp(user, f"word_known:{word.id}", xp.XP_RULES["word_known"])
            log_activity(user, "word_known", {"word_id": word.id})
            unlocked = check_achievements(user)
        db.session.commit()
    except Exception as e:
        db.session.rollback()
        print(f"[DEBUG] status update failed: {e}")
        return json_error("Could not update status", 500)
    return jsonify(
        {
            "message": "Status updated",
            "entry": uv.to_dict(),
            "previous_status": previous,
            "xp_total": user.xp_total,
            "achievements_unlocked": [a.code for a in unlocked],
        }
    )


@app.route("/api/vocabulary/export", methods=["GET"])
@jwt_required()
def export_vocabulary():
    user = get_current_user()
    if user is None:
        return json_error("User not found", 404)
    fmt = request.args.get("format", "json")
    rows = []
    for uv in UserVocabulary.query.filter_by(user_id=user.id).order_by(UserVocabulary.id).all():
        word = uv.word
        rows.append(
            {
                "text": word.text,
                "translation": word.translation or "",
                "category": word.category.name if word.category else "",
                "status": uv.status,
                "correct": uv.correct_count or 0,
                "incorrect": uv.incorrect_count or 0,
            }
        )
    if fmt == "csv":
        import csv
        import io

        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=["text", "translation", "category", "status", "correct", "incorrect"])
        writer.writeheader()
        writer.writerows(rows)
        resp = make_response(buf.getvalue())
        resp.headers["Content-Type"] = "text/csv; charset=utf-8"
        resp.headers["Content-Disposition"] = f"attachment; filename={user.username}-vocabulary.csv"
        return resp
    if fmt != "json":
        return json_error("format must be json or csv", 400)
    return jsonify({"username": user.username, "count": len(rows), "words": rows})


# ---- excluded words ---------------------------------------------------------------------------


@app.route("/api/excluded-words", methods=["GET", "POST"])
@jwt_required()
def excluded_words():
    user = get_current_user()
    if user is None:
        return json_error("User not found", 404)
    if request.method == "GET":
        rows = ExcludedWord.query.filter_by(user_id=user.id).order_by(ExcludedWord.word_text, ExcludedWord.id).all()
        return jsonify(
            {
                "excluded_words": [
                    {"id": r.id, "word": r.word_text, "reason": r.reason, "created_at": iso(r.created_at)}
                    for r in rows
                ],
                "count": len(rows),
            }
        )

    data = get_json_body()
    words = data.get("words")
    if words is None and data.get("word"):
        words = [data["word"]]
    if not isinstance(words, list) or not words or not all(isinstance(w, str) for w in words):
        return json_error("word or words (a list of strings) is required", 400)
    reason = (data.get("reason") or "manual")[:50]
    added, skipped = [], []
    try:
        for raw in words:
            word = text_processing.normalize_word(raw)
            if not word:
                skipped.append(raw)
                continue
            exists = ExcludedWord.query.filter_by(user_id=user.id, word_text=word).first()
            if exists or word in added:
                skipped.append(word)
                continue
            db.session.add(ExcludedWord(user_id=user.id, word_text=word, reason=reason, created_at=utcnow()))
            added.append(word)
        db.session.commit()
    except Exception as e:
        db.session.rollback()
        app.logger.error("exclude failed: %s", e)
        return json_error("Could not exclude words", 500)
    return jsonify({"added": added, "skipped": skipped}), 201 if added else 200


@app.route("/api/excluded-words/<int:excluded_id>", methods=["DELETE"])
@jwt_required()
def delete_excluded_word(excluded_id):
    user = get_current_user()
    if user is None:
        return json_error("User not found", 404)
    row = db.session.get(ExcludedWord, excluded_id)
    if row is None or row.user_id != user.id:
        return json_error("Excluded word not found", 404)
    db.session.delete(row)
    db.session.commit()
    return jsonify({"message": "Word no longer excluded", "word": row.word_text})


# ---- text processing ------------------------------------------------------------------------

MAX_TEXT_LENGTH = 20000
MAX_TRANSLATE_WORDS = 50
TRANSLATE_PER_MINUTE = 30


def _known_and_excluded(user):
    """Texts of the user's vocabulary and excluded words, for the unknown-word extraction."""
    known = set()
    for uv in user.vocabulary.all():
        # one lazy load of the word per vocabulary entry
        known.add(uv.word.text)
    excluded = set(e.word_text for e in ExcludedWord.query.filter_by(user_id=user.id).all())
    return known, excluded


def _submission_dict(sub, with_content=False):
    data = {
        "id": sub.id,
        "title": sub.title,
        "word_count": sub.word_count,
        "unknown_count": sub.unknown_count,
        "source_url": sub.source_url,
        "created_at": iso(sub.created_at),
        "url": url_for("text_detail", submission_id=sub.id),
    }
    if with_content:
        data["content"] = sub.content
    else:
        data["preview"] = (sub.content or "")[:120]
    return data


@app.route("/api/text/submit", methods=["POST"])
@jwt_required()
def submit_text():
    user = get_current_user()
    if user is None:
        return json_error("User not found", 404)
    data = get_json_body()
    content = (data.get("content") or data.get("text") or "").strip()
    if not content:
        return json_error("content is required", 400)
    if len(content) > MAX_TEXT_LENGTH:
        return json_error(f"Text is longer than {MAX_TEXT_LENGTH} characters", 400)
    title = (data.get("title") or "").strip()[:200] or content.split("\n", 1)[0][:60]

    tokens = text_processing.tokenize(content)
    known, excluded = _known_and_excluded(user)
    unknown = text_processing.extract_unknown_words(content, known, excluded)
    print(f"[DEBUG] text from {user.username}: {len(tokens)} tokens, {len(unknown)} unknown")
    try:
        sub = TextSubmission(
            user_id=user.id,
            title=title,
            content=content,
            word_count=len(tokens),
            unknown_count=len(unknown),
            source_url=(data.get("source_url") or None),
            created_at=utcnow(),
        )
        db.session.add(sub)
        give_xp(user, "text_processed")
        log_activity(user, "text_processed", {"words": len(tokens)})
        db.session.flush()
        unlocked = check_achievements(user)
        db.session.commit()
    except Exception as e:
        db.session.rollback()
        app.logger.error("saving text failed: %s", e)
        return json_error("Could not save text", 500)

    body = _submission_dict(sub)
    body["unknown_words"] = unknown[:100]
    body["top_words"] = [
        {"word": w, "count": c} for w, c in text_processing.word_frequencies(content)[:10]
    ]
    body["achievements_unlocked"] = [a.code for a in unlocked]
    resp = jsonify({"submission": body})
    resp.status_code = 201
    resp.headers["Location"] = url_for("text_detail", submission_id=sub.id)
    return resp


@app.route("/api/text/<int:submission_id>", methods=["GET", "DELETE"])
@jwt_required()
def text_detail(submission_id):
    user = get_current_user()
    if user is None:
        return json_error("User not found", 404)
    sub = db.session.get(TextSubmission, submission_id)
    if sub is None or sub.user_id != user.id:
        return json_error("Text not found", 404)
    if request.method == "DELETE":
        db.session.delete(sub)
        db.session.commit()
        return jsonify({"message": "Text deleted", "id": submission_id})
    known, excluded = _known_and_excluded(user)
    data = _submission_dict(sub, with_content=True)
    data["unknown_words"] = text_processing.extract_unknown_words(sub.content, known, excluded)
    data["frequencies"] = [
        {"word": w, "count": c} for w, c in text_processing.word_frequencies(sub.content)[:20]
    ]
    return jsonify({"submission": data})


@app.route("/api/text/extract-unknown", methods=["POST"])
@jwt_required()
def extract_unknown():
    user = get_current_user()
    if user is None:
        return json_error("User not found", 404)
    data = get_json_body()
    content = data.get("text")
    if not content and data.get("submission_id"):
        sub = db.session.get(TextSubmission, parse_int(data["submission_id"], 0))
        if sub is None or sub.user_id != user.id:
            return json_error("Text not found", 404)
        content = sub.content
    if not content or not isinstance(content, str):
        return json_error("text or submission_id is required", 400)
    if len(content) > MAX_TEXT_LENGTH:
        return json_error(f"Text is longer than {MAX_TEXT_LENGTH} characters", 400)

    excluded = set(e.word_text for e in ExcludedWord.query.filter_by(user_id=user.id).all())
    seen = []
    results = []
    for token in text_processing.tokenize(content):
        word = text_processing.normalize_word(token)
        if len(word) < 2 or word in seen or word in excluded or word in text_processing.STOPWORDS:
            continue
        seen.append(word)
        # look every token up in the catalogue, then in the user's vocabulary
        catalogue = Word.query.filter(func.lower(Word.text) == word).order_by(Word.id).first()
        if catalogue is not None:
            uv = UserVocabulary.query.filter_by(user_id=user.id, word_id=catalogue.id).first()
            if uv is not None and uv.status == "known":
                continue
            results.append(
                {
                    "word": word,
                    "in_catalogue": True,
                    "word_id": catalogue.id,
                    "translation": catalogue.translation,
                    "in_vocabulary": uv is not None,
                    "category": catalogue.category.name if catalogue.category else None,
                }
            )
        else:
            results.append(
                {"word": word, "in_catalogue": False, "word_id": None, "translation": None,
                 "in_vocabulary": False, "category": None}
            )
        if len(results) >= 200:
            break
    app.logger.info("extracted %d unknown words for %s", len(results), user.username)
    return jsonify({"unknown_words": results, "count": len(results), "token_count": len(seen)})


@app.route("/api/text/translate", methods=["POST"])
@jwt_required()
def translate_unknown_words():
    user = get_current_user()
    if user is None:
        return json_error("User not found", 404)
    data = get_json_body()
    words = data.get("words")
    if words is None and data.get("submission_id"):
        sub = db.session.get(TextSubmission, parse_int(data["submission_id"], 0))
        if sub is None or sub.user_id != user.id:
            return json_error("Text not found", 404)
        known, excluded = _known_and_excluded(user)
        words = text_processing.extract_unknown_words(sub.content, known, excluded)[:MAX_TRANSLATE_WORDS]
    if not isinstance(words, list) or not words or not all(isinstance(w, str) for w in words):
        return json_error("words must be a non-empty list of strings", 400)
    if len(words) > MAX_TRANSLATE_WORDS:
        return json_error(f"At most {MAX_TRANSLATE_WORDS} words per request", 400)

    minute = utcnow().strftime("%Y%m%d%H%M")
    calls = redis_incr(f"rl:translate:{user.id}:{minute}", ex=120)
    if calls is not None and calls > TRANSLATE_PER_MINUTE:
        return json_error("Translation rate limit reached, wait a minute", 429)

    source = data.get("source") or user.target_language or "de"
    target = data.get("target") or user.native_language or "en"
    words = [text_processing.normalize_word(w) for w in words]
    translations = {}
    missing = []
    for word in words:
        cached = cache_get(f"translation:{source}:{target}:{word}")
        if cached is not None:
            translations[word] = cached
        elif word not in missing:
            missing.append(word)

    if missing:
        client = get_llm_client(user)
        started = time.time()
        print(f"[DEBUG] translating {len(missing)} words via {client.base_url}")
        result = client.translate_words(missing, source, target)  # synchronous, no timeout
        app.logger.info("LLM translated %d words in %.0f ms", len(missing), (time.time() - started) * 1000)
        for word in missing:
            value = result.get(word)
            if value is None:
                # the model sometimes changes the case of the keys
                value = next((v for k, v in result.items() if k.lower() == word), None)
            if value:
                translations[word] = value
                cache_set(f"translation:{source}:{target}:{word}", value, ttl=0)  # forever

    items = [{"word": w, "translation": translations.get(w)} for w in dict.fromkeys(words)]
    return jsonify(
        {
            "source": source,
            "target": target,
            "translations": items,
            "cached": len(words) - len(missing),
            "model": get_llm_client(user).model,
        }
    )


@app.route("/api/text/<int:submission_id>/add-words", methods=["POST"])
@jwt_required()
def add_words_from_text(submission_id):
    user = get_current_user()
    if user is None:
        return json_error("User not found", 404)
    sub = db.session.get(TextSubmission, submission_id)
    if sub is None or sub.user_id != user.id:
        return json_error("Text not found", 404)
    data = get_json_body()
    items = data.get("words")
    if not isinstance(items, list) or not items:
        return json_error("words must be a non-empty list", 400)
    added, skipped = [], []
    try:
        for item in items:
            if isinstance(item, str):
                item = {"word": item}
            text = text_processing.normalize_word((item or {}).get("word") or "")
            if not text:
                continue
            word, _ = _find_or_create_word(text, item.get("translation"), None, user)
            if word.translation is None and item.get("translation"):
                word.translation = item["translation"]
            uv, was_added = _add_to_vocabulary(user, word, source="text")
            (added if was_added else skipped).append({"word": text, "word_id": word.id})
        db.session.commit()
    except Exception as e:
        db.session.rollback()
        print(f"[DEBUG] add words from text {submission_id} failed: {e}")
        return json_error("Could not add words", 500)
    return jsonify({"added": added, "skipped": skipped, "xp_total": user.xp_total}), 201 if added else 200


@app.route("/api/text/history", methods=["GET"])
@jwt_required()
def text_history():
    user = get_current_user()
    if user is None:
        return json_error("User not found", 404)
    query = TextSubmission.query.filter_by(user_id=user.id).order_by(TextSubmission.id.desc())
    subs, meta = paginate_query(query, per_page=request.args.get("per_page", 20))
    totals = {"texts": meta["total"], "words": 0}
    for s in TextSubmission.query.filter_by(user_id=user.id).all():
        totals["words"] += s.word_count or 0
    return jsonify({"texts": [_submission_dict(s) for s in subs], "pagination": meta, "totals": totals})


# ---- practice ---------------------------------------------------------------------------------

PRACTICE_MODES = ("flashcards", "multiple_choice", "typing", "listening")
ARTICLES = ("der ", "die ", "das ", "the ", "to ", "a ", "an ")


def _normalize_answer(text):
    text = (text or "").strip().lower()
    for article in ARTICLES:
        if text.startswith(article):
            text = text[len(article):]
    return re.sub(r"[^\w\s'-]", "", text).strip()


def _answer_is_correct(word, answer, direction):
    """Compare with the translation (to_native) or the word itself (to_target)."""
    expected = word.text if direction == "to_target" else (word.translation or "")
    options = [o for o in re.split(r"[,;/]", expected) if o.strip()] or [expected]
    given = _normalize_answer(answer)
    return any(_normalize_answer(o) == given for o in options), expected


def _pick_practice_words(user, count, category_id=None, statuses=("new", "learning")):
    """Random selection from the user's vocabulary, topped up from the catalogue."""
    query = UserVocabulary.query.filter(
        UserVocabulary.user_id == user.id, UserVocabulary.status.in_(statuses)
    )
    entries = query.order_by(UserVocabulary.id).all()
    words = []
    for uv in entries:
        word = uv.word  # lazy, one query per entry
        if category_id and word.category_id != category_id:
            continue
        words.append(word)
    if len(words) > count:
        # stable order before sampling, so a seeded `random` picks the same words
        words.sort(key=lambda w: w.id)
        words = random.sample(words, count)
    if len(words) < count:
        catalogue = Word.query
        if category_id:
            catalogue = catalogue.filter(Word.category_id == category_id)
        taken = {w.id for w in words}
        pool = [w for w in catalogue.order_by(Word.id).limit(200).all() if w.id not in taken]
        random.shuffle(pool)
        for word in pool:
            if UserVocabulary.query.filter_by(user_id=user.id, word_id=word.id).first():
                continue
            words.append(word)
            if len(words) >= count:
                break
    return words


def _practice_card(word, direction):
    prompt, expected_lang = (word.translation, "target") if direction == "to_target" else (word.text, "native")
    return {
        "word_id": word.id,
        "prompt": prompt,
        "answer_language": expected_lang,
        "part_of_speech": word.part_of_speech,
        "difficulty": word.difficulty,
        "category": word.category.name if word.category else None,
    }


@app.route("/api/practice/words", methods=["GET"])
@jwt_required()
def practice_words():
    user = get_current_user()
    if user is None:
        return json_error("User not found", 404)
    count = parse_int(request.args.get("count"), app.config["PRACTICE_BATCH_SIZE"], minimum=1, maximum=50)
    category_id = parse_int(request.args.get("category_id"), 0) or None
    statuses = tuple(s for s in (request.args.get("status") or "new,learning").split(",") if s in VALID_STATUSES)
    if not statuses:
        return json_error(f"status must be a comma-separated subset of {', '.join(VALID_STATUSES)}", 400)
    words = _pick_practice_words(user, count, category_id, statuses)
    settings = get_or_create_settings(user)
    direction = settings.practice_direction or "to_native"
    db.session.commit()
    return jsonify(
        {
            "words": [serialize_word(w) for w in words],
            "count": len(words),
            "direction": direction,
            "links": {"start_session": url_for("start_practice_session")},
        }
    )


@app.route("/api/practice/words/<int:word_id>/choices", methods=["GET"])
@jwt_required()
def practice_choices(word_id):
    word = get_word_or_404(word_id)
    n = parse_int(request.args.get("n"), 4, minimum=2, maximum=8)
    query = Word.query.filter(Word.id != word.id, Word.translation.isnot(None))
    if word.category_id:
        query = query.filter(Word.category_id == word.category_id)
    pool = query.order_by(Word.id).limit(100).all()
    distractors = random.sample(pool, min(n - 1, len(pool)))
    choices = [{"word_id": w.id, "text": w.translation} for w in distractors]
    choices.append({"word_id": word.id, "text": word.translation})
    random.shuffle(choices)
    return jsonify({"word_id": word.id, "prompt": word.text, "choices": choices})


@app.route("/api/practice/sessions", methods=["POST"])
@jwt_required()
def start_practice_session():
    user = get_current_user()
    if user is None:
        return json_error("User not found", 404)
    data = get_json_body()
    mode = data.get("mode") or "flashcards"
    if mode not in PRACTICE_MODES:
        return json_error(f"mode must be one of {', '.join(PRACTICE_MODES)}", 400)
    category_id = data.get("category_id")
    if category_id is not None:
        category_id = parse_int(category_id, 0)
        if db.session.get(Category, category_id) is None:
            return json_error("Category not found", 404)
    count = parse_int(data.get("word_count"), app.config["PRACTICE_BATCH_SIZE"], minimum=1, maximum=50)

    open_sessions = PracticeSession.query.filter_by(user_id=user.id, completed_at=None).count()
    if open_sessions >= 5:
        app.logger.warning("user %s has %d unfinished sessions", user.id, open_sessions)

    words = _pick_practice_words(user, count, category_id)
    if not words:
        return json_error("No words to practice", 400)
    settings = get_or_create_settings(user)
    direction = data.get("direction") or settings.practice_direction or "to_native"
    try:
        session = PracticeSession(
            user_id=user.id,
            mode=mode,
            category_id=category_id,
            total_questions=len(words),
            correct_answers=0,
            xp_earned=0,
            started_at=utcnow(),
        )
        db.session.add(session)
        db.session.commit()
    except Exception as e:
        db.session.rollback()
        print(f"[DEBUG] could not start session: {e}")
        return json_error("Could not start session", 500)

    body = {
        "session": session.to_dict(),
        "direction": direction,
        "cards": [_practice_card(w, direction) for w in words],
        "links": {
            "self": url_for("practice_session_detail", session_id=session.id),
            "answer": url_for("submit_practice_answer", session_id=session.id),
            "complete": url_for("complete_practice_session", session_id=session.id),
        },
    }
    resp = jsonify(body)
    resp.status_code = 201
    resp.headers["Location"] = url_for("practice_session_detail", session_id=session.id)
    return resp


def _get_own_session(session_id, user):
    session = db.session.get(PracticeSession, session_id)
    if session is None or session.user_id != user.id:
        raise APIError("Session not found", 404)
    return session


@app.route("/api/practice/sessions/<int:session_id>", methods=["GET"])
@jwt_required()
def practice_session_detail(session_id):
    user = get_current_user()
    if user is None:
        return json_error("User not found", 404)
    session = _get_own_session(session_id, user)
    answers = []
    for a in sorted(session.answers, key=lambda a: a.id):
        answers.append(
            {
                "id": a.id,
                "word_id": a.word_id,
                "word": a.word.text,  # lazy per answer
                "user_answer": a.user_answer,
                "is_correct": a.is_correct,
                "response_ms": a.response_ms,
            }
        )
    data = session.to_dict()
    data["answers"] = answers
    data["category"] = db.session.get(Category, session.category_id).name if session.category_id else None
    return jsonify({"session": data})


@app.route("/api/practice/sessions/<int:session_id>/answer", methods=["POST"])
@jwt_required()
def submit_practice_answer(session_id):
    user = get_current_user()
    if user is None:
        return json_error("User not found", 404)
    session = _get_own_session(session_id, user)
    if session.completed_at is not None:
        return json_error("Session already completed", 409)
    data = get_json_body()
    word_id = data.get("word_id")
    if not isinstance(word_id, int):
        return json_error("word_id (int) is required", 400)
    word = get_word_or_404(word_id)
    answer = data.get("answer")
    if answer is None or not isinstance(answer, str):
        return json_error("answer (string) is required", 400)
    direction = data.get("direction") or get_or_create_settings(user).practice_direction or "to_native"
    correct, expected = _answer_is_correct(word, answer, direction)

    try:
        db.session.add(
            PracticeAnswer(
                session_id=session.id,
                word_id=word.id,
                user_answer=answer[:200],
                is_correct=correct,
                response_ms=parse_int(data.get("response_ms"), 0, minimum=0) or None,
                answered_at=utcnow(),
            )
        )
        uv = UserVocabulary.query.filter_by(user_id=user.id, word_id=word.id).first()
        if uv is not None:
            uv.last_practiced = utcnow()
            if correct:
                uv.correct_count = (uv.correct_count or 0) + 1
            else:
                uv.incorrect_count = (uv.incorrect_count or 0) + 1
            if uv.status == "new":
                uv.status = "learning"
            elif uv.status == "learning" and (uv.correct_count or 0) >= 3 and uv.correct_count > 2 * (uv.incorrect_count or 0):
                uv.status = "known"
        if correct:
            session.correct_answers = (session.correct_answers or 0) + 1
            session.xp_earned = (session.xp_earned or 0) + xp.XP_RULES["practice_correct"]
        db.session.commit()
    except Exception as e:
        db.session.rollback()
        app.logger.error("answer for session %s failed: %s", session_id, e)
        return json_error("Could not save answer", 500)

    answered = PracticeAnswer.query.filter_by(session_id=session.id).count()
    return jsonify(
        {
            "correct": correct,
            "expected": expected,
            "status": uv.status if uv else None,
            "progress": {
                "answered": answered,
                "total": session.total_questions,
                "correct": session.correct_answers,
            },
        }
    )


def _daily_goal_reached(user, settings):
    today_start = datetime.combine(utcnow().date(), datetime.min.time())
    answered_today = (
        PracticeAnswer.query.join(PracticeSession, PracticeAnswer.session_id == PracticeSession.id)
        .filter(PracticeSession.user_id == user.id, PracticeAnswer.answered_at >= today_start)
        .count()
    )
    return answered_today >= (settings.daily_goal or 20), answered_today


@app.route("/api/practice/sessions/<int:session_id>/complete", methods=["POST"])
@jwt_required()
def complete_practice_session(session_id):
    user = get_current_user()
    if user is None:
        return json_error("User not found", 404)
    session = _get_own_session(session_id, user)
    if session.completed_at is not None:
        return json_error("Session already completed", 409)
    answers = sorted(session.answers, key=lambda a: a.id)
    correct = sum(1 for a in answers if a.is_correct)
    total = max(session.total_questions or 0, len(answers))
    awards = []
    try:
        session.completed_at = utcnow()
        session.correct_answers = correct
        session.total_questions = total
        earned = correct * xp.XP_RULES["practice_correct"]
        if answers:
            earned += xp.XP_RULES["session_completed"]
            awards.append("session_completed")
            if correct == total:
                earned += xp.XP_RULES["perfect_session"]
                awards.append("perfect_session")
        session.xp_earned = earned
        give_xp(user, "practice_session", earned)

        settings = get_or_create_settings(user)
        reached, answered_today = _daily_goal_reached(user, settings)
        goal_reason = f"daily_goal:{utcnow().date().isoformat()}"
        if reached and XPTransaction.query.filter_by(user_id=user.id, reason=goal_reason).first() is None:
            give_xp(user, goal_reason, xp.XP_RULES["daily_goal"])
            awards.append("daily_goal")
        streak = log_activity(user, "session_completed", {"session_id": session.id, "correct": correct})
        unlocked = check_achievements(user)
        db.session.commit()
    except Exception as e:
        db.session.rollback()
        print(f"[DEBUG] completing session {session_id} failed: {e}")
        app.logger.exception("complete session failed")
        return json_error("Could not complete session", 500)

    mistakes = []
    for a in answers:
        if not a.is_correct:
            mistakes.append({"word_id": a.word_id, "word": a.word.text, "expected": a.word.translation, "given": a.user_answer})
    return jsonify(
        {
            "session": session.to_dict(),
            "accuracy": round(100.0 * correct / total, 1) if total else 0.0,
            "xp_earned": session.xp_earned,
            "xp_total": user.xp_total,
            "level": user.level,
            "awards": awards,
            "daily_goal": {"goal": settings.daily_goal, "answered_today": answered_today, "reached": reached},
            "streak": {"current": streak.current_streak, "longest": streak.longest_streak},
            "mistakes": mistakes,
            "achievements_unlocked": [a.code for a in unlocked],
        }
    )


@app.route("/api/practice/history", methods=["GET"])
@jwt_required()
def practice_history():
    user = get_current_user()
    if user is None:
        return json_error("User not found", 404)
    query = PracticeSession.query.filter_by(user_id=user.id)
    if request.args.get("completed") == "true":
        query = query.filter(PracticeSession.completed_at.isnot(None))
    sessions, meta = paginate_query(query.order_by(PracticeSession.id.desc()), per_page=request.args.get("per_page", 20))
    items = []
    for s in sessions:
        item = s.to_dict()
        item["answer_count"] = len(s.answers)  # lazy load of all answers per session
        category = Category.query.filter_by(id=s.category_id).first() if s.category_id else None
        item["category"] = category.name if category else None
        item["accuracy"] = round(100.0 * s.correct_answers / s.total_questions, 1) if s.total_questions else 0.0
        items.append(item)
    return jsonify({"sessions": items, "pagination": meta})


@app.route("/api/words/<int:word_id>/examples", methods=["GET", "POST"])
@jwt_required()
def word_examples(word_id):
    user = get_current_user()
    if user is None:
        return json_error("User not found", 404)
    word = get_word_or_404(word_id)
    language = request.args.get("language") or user.target_language or "de"
    n = parse_int(request.args.get("n"), 3, minimum=1, maximum=5)
    cache_key = f"examples:{word.id}:{language}"

    if request.method == "GET":
        cached = cache_get(cache_key)
        if cached is not None:
            return jsonify({"word_id": word.id, "word": word.text, "examples": cached, "source": "memory"})
        stored = ExampleSentence.query.filter_by(word_id=word.id).order_by(ExampleSentence.id).all()
        if stored:
            examples = [{"sentence": s.sentence, "translation": s.translation} for s in stored[:n]]
            cache_set(cache_key, examples, ttl=3600)
            return jsonify({"word_id": word.id, "word": word.text, "examples": examples, "source": "database"})
    else:
        # POST regenerates: throw away what we have and ask the model again
        ExampleSentence.query.filter_by(word_id=word.id).delete()
        cache_clear(prefix=f"examples:{word.id}:")

    client = get_llm_client(user)
    started = time.time()
    try:
        examples = client.example_sentences(word.text, language, n=n)
    except LLMError:
        db.session.rollback()
        raise
    app.logger.info("example sentences for %s took %.0f ms", word.text, (time.time() - started) * 1000)
    try:
        for ex in examples:
            db.session.add(
                ExampleSentence(
                    word_id=word.id,
                    sentence=ex["sentence"],
                    translation=ex.get("translation"),
                    model=client.model,
                    created_at=utcnow(),
                )
            )
        db.session.commit()
    except Exception as e:
        db.session.rollback()
        print(f"[DEBUG] could not store examples for {word.id}: {e}")
    cache_set(cache_key, examples, ttl=3600)
    status = 201 if request.method == "POST" else 200
    return jsonify({"word_id": word.id, "word": word.text, "examples": examples, "source": "llm"}), status


# ---- stats ------------------------------------------------------------------------------------


@app.route("/api/stats", methods=["GET"])
@jwt_required()
def user_stats():
    user = get_current_user()
    if user is None:
        return json_error("User not found", 404)

    total_answers = 0
    correct_answers = 0
    response_times = []
    per_category = {}
    per_mode = {}
    completed = 0
    sessions = user.sessions.order_by(PracticeSession.id).all()
    for session in sessions:
        if session.completed_at:
            completed += 1
        mode = per_mode.setdefault(session.mode or "flashcards", {"sessions": 0, "answers": 0, "correct": 0})
        mode["sessions"] += 1
        for answer in session.answers:  # lazy per session
            total_answers += 1
            mode["answers"] += 1
            if answer.is_correct:
                correct_answers += 1
                mode["correct"] += 1
            if answer.response_ms:
                response_times.append(answer.response_ms)
            # and two more lazy loads per answer
            category = answer.word.category.name if answer.word and answer.word.category else "Uncategorized"
            stats = per_category.setdefault(category, {"answers": 0, "correct": 0})
            stats["answers"] += 1
            if answer.is_correct:
                stats["correct"] += 1

    for stats in list(per_category.values()) + list(per_mode.values()):
        stats["accuracy"] = round(100.0 * stats["correct"] / stats["answers"], 1) if stats["answers"] else 0.0

    vocab = {s: 0 for s in VALID_STATUSES}
    for uv in user.vocabulary.all():
        vocab[uv.status or "new"] = vocab.get(uv.status or "new", 0) + 1

    best = None
    for name in sorted(per_category):
        stats = per_category[name]
        if stats["answers"] >= 5 and (best is None or stats["accuracy"] > per_category[best]["accuracy"]):
            best = name

    xp_total = 0
    for tx in XPTransaction.query.filter_by(user_id=user.id).all():
        xp_total += tx.amount
    if xp_total != (user.xp_total or 0):
        app.logger.warning("xp mismatch for %s: ledger %s, user %s", user.id, xp_total, user.xp_total)

    return jsonify(
        {
            "user_id": user.id,
            "vocabulary": {"total": sum(vocab.values()), **vocab},
            "practice": {
                "sessions": len(sessions),
                "completed_sessions": completed,
                "answers": total_answers,
                "correct": correct_answers,
                "accuracy": round(100.0 * correct_answers / total_answers, 1) if total_answers else 0.0,
                "avg_response_ms": int(sum(response_times) / len(response_times)) if response_times else None,
                "by_mode": dict(sorted(per_mode.items())),
            },
            "categories": dict(sorted(per_category.items())),
            "best_category": best,
            "xp": {"total": user.xp_total or 0, "level": user.level or 1, "ledger_total": xp_total},
            "streak": streaks.get_streak_info(user.id),
            "texts": TextSubmission.query.filter_by(user_id=user.id).count(),
            "achievements": UserAchievement.query.filter_by(user_id=user.id).count(),
        }
    )


@app.route("/api/stats/dashboard", methods=["GET"])
@jwt_required()
def dashboard():
    user = get_current_user()
    if user is None:
        return json_error("User not found", 404)
    settings = get_or_create_settings(user)
    reached, answered_today = _daily_goal_reached(user, settings)
    today_start = datetime.combine(utcnow().date(), datetime.min.time())

    xp_today = 0
    for tx in XPTransaction.query.filter(XPTransaction.user_id == user.id, XPTransaction.created_at >= today_start).all():
        xp_today += tx.amount

    level = user.level or 1
    current_floor = xp.xp_for_level(level)
    next_floor = xp.xp_for_level(level + 1)
    progress = (user.xp_total or 0) - current_floor

    due = (
        UserVocabulary.query.filter_by(user_id=user.id, status="learning")
        .order_by(UserVocabulary.last_practiced.is_(None).desc(), UserVocabulary.last_practiced, UserVocabulary.id)
        .limit(5)
        .all()
    )
    recent = (
        ActivityLog.query.filter_by(user_id=user.id)
        .order_by(ActivityLog.id.desc())
        .limit(10)
        .all()
    )
    last_session = user.sessions.order_by(PracticeSession.id.desc()).first()
    db.session.commit()
    return jsonify(
        {
            "username": user.username,
            "daily_goal": {
                "goal": settings.daily_goal,
                "answered_today": answered_today,
                "reached": reached,
                "xp_today": xp_today,
                "xp_goal": app.config["DAILY_XP_GOAL"],
            },
            "level": {
                "level": level,
                "xp_total": user.xp_total or 0,
                "xp_into_level": progress,
                "xp_for_next": next_floor - current_floor,
            },
            "streak": streaks.get_streak_info(user.id),
            "calendar": streaks.activity_calendar(user.id, days=7),
            "due_words": [
                {"word_id": uv.word_id, "text": uv.word.text, "translation": uv.word.translation}
                for uv in due
            ],
            "recent_activity": [
                {"type": a.activity_type, "date": a.activity_date.isoformat() if a.activity_date else None}
                for a in recent
            ],
            "last_session": last_session.to_dict() if last_session else None,
            "vocabulary_count": user.vocabulary.count(),
            "links": {
                "practice": url_for("practice_words"),
                "stats": url_for("user_stats"),
                "vocabulary": url_for("user_vocabulary"),
            },
        }
    )


@app.route("/api/stats/categories", methods=["GET"])
@jwt_required()
def category_progress():
    user = get_current_user()
    if user is None:
        return json_error("User not found", 404)
    result = []
    for category in Category.query.order_by(Category.id).all():
        total = Word.query.filter_by(category_id=category.id).count()
        known = 0
        learning = 0
        for word in Word.query.filter_by(category_id=category.id).all():
            uv = UserVocabulary.query.filter_by(user_id=user.id, word_id=word.id).first()
            if uv is None:
                continue
            if uv.status == "known":
                known += 1
            elif uv.status == "learning":
                learning += 1
        result.append(
            {
                "category_id": category.id,
                "name": category.name,
                "total": total,
                "known": known,
                "learning": learning,
                "percent_known": round(100.0 * known / total, 1) if total else 0.0,
            }
        )
    return jsonify({"categories": result})


@app.route("/api/stats/history", methods=["GET"])
@jwt_required()
def stats_history():
    user = get_current_user()
    if user is None:
        return json_error("User not found", 404)
    days = parse_int(request.args.get("days"), 14, minimum=1, maximum=90)
    today = utcnow().date()
    history = []
    for offset in range(days - 1, -1, -1):
        day = today - timedelta(days=offset)
        start = datetime.combine(day, datetime.min.time())
        end = start + timedelta(days=1)
        # one query per day for answers, one for XP, one for new words
        answers = (
            PracticeAnswer.query.join(PracticeSession, PracticeAnswer.session_id == PracticeSession.id)
            .filter(PracticeSession.user_id == user.id, PracticeAnswer.answered_at >= start, PracticeAnswer.answered_at < end)
            .all()
        )
        xp_day = sum(
            tx.amount
            for tx in XPTransaction.query.filter(
                XPTransaction.user_id == user.id, XPTransaction.created_at >= start, XPTransaction.created_at < end
            ).all()
        )
        words_added = UserVocabulary.query.filter(
            UserVocabulary.user_id == user.id, UserVocabulary.added_at >= start, UserVocabulary.added_at < end
        ).count()
        correct = sum(1 for a in answers if a.is_correct)
        history.append(
            {
                "date": day.isoformat(),
                "answers": len(answers),
                "correct": correct,
                "xp": xp_day,
                "words_added": words_added,
            }
        )
    return jsonify({"days": days, "history": history})


# ---- meta, cache and admin ----------------------------------------------------------------------


@app.route("/api/meta", methods=["GET"])
def api_meta():
    return jsonify(
        {
            "version": "2.7",
            "languages": list(LANGUAGE_CODES),
            "practice_modes": list(PRACTICE_MODES),
            "statuses": list(VALID_STATUSES),
            "words_per_page": app.config["WORDS_PER_PAGE"],
            "practice_batch_size": app.config["PRACTICE_BATCH_SIZE"],
            "daily_xp_goal": app.config["DAILY_XP_GOAL"],
            "xp_rules": dict(sorted(xp.XP_RULES.items())),
            "themes": list(SETTINGS_THEMES),
            "models": list(ALLOWED_MODELS),
        }
    )


def _cache_breakdown():
    by_prefix = {}
    for key in MEMORY_CACHE:
        prefix = key.split(":", 1)[0]
        by_prefix[prefix] = by_prefix.get(prefix, 0) + 1
    return dict(sorted(by_prefix.items()))


def _redis_status():
    try:
        started = time.time()
        redis_client.ping()
        latency = (time.time() - started) * 1000
        info = redis_client.info("memory")
        return {"available": True, "latency_ms": round(latency, 2), "used_memory": info.get("used_memory_human")}
    except redis.RedisError as e:
        return {"available": False, "error": str(e)}


@app.route("/api/cache/stats", methods=["GET"])
@jwt_required()
def cache_stats():
    lookups = CACHE_STATS["hits"] + CACHE_STATS["misses"]
    return jsonify(
        {
            "memory": {
                "entries": len(MEMORY_CACHE),
                "by_prefix": _cache_breakdown(),
                "hits": CACHE_STATS["hits"],
                "misses": CACHE_STATS["misses"],
                "sets": CACHE_STATS["sets"],
                "clears": CACHE_STATS["clears"],
                "hit_rate": round(CACHE_STATS["hits"] / lookups, 3) if lookups else 0.0,
            },
            "database": {
                "example_sentences": ExampleSentence.query.count(),
                "word_images": db.session.query(WordImage).count(),
                "news_articles": NewsArticle.query.count(),
            },
            "redis": _redis_status(),
            "requests": {"total": REQUEST_STATS["total"], "errors": REQUEST_STATS["errors"]},
        }
    )


@app.route("/api/admin/cache/clear", methods=["POST"])
@admin_required
def clear_cache():
    data = get_json_body()
    prefix = data.get("prefix")
    if prefix is not None and not isinstance(prefix, str):
        return json_error("prefix must be a string", 400)
    removed = cache_clear(prefix=prefix)
    redis_removed = 0
    if data.get("include_redis"):
        try:
            for key in redis_client.scan_iter(match="rl:*"):
                redis_client.delete(key)
                redis_removed += 1
        except redis.RedisError as e:
            app.logger.warning("redis clear failed: %s", e)
    app.logger.info("cache cleared by %s: %d entries (prefix %r)", get_current_user().username, removed, prefix)
    print(f"[DEBUG] cache clear prefix={prefix!r} removed={removed}")
    return jsonify({"message": "Cache cleared", "removed": removed, "redis_removed": redis_removed, "prefix": prefix})


@app.route("/api/admin/stats", methods=["GET"])
@admin_required
def admin_stats():
    week_ago = utcnow() - timedelta(days=7)
    top = sorted(REQUEST_STATS["by_endpoint"].items(), key=lambda kv: (-kv[1], kv[0]))[:10]
    return jsonify(
        {
            "users": User.query.count(),
            "active_last_week": User.query.filter(User.last_login >= week_ago).count(),
            "categories": Category.query.count(),
            "words": Word.query.count(),
            "vocabulary_entries": UserVocabulary.query.count(),
            "practice_sessions": PracticeSession.query.count(),
            "practice_answers": PracticeAnswer.query.count(),
            "texts": TextSubmission.query.count(),
            "requests": {
                "total": REQUEST_STATS["total"],
                "errors": REQUEST_STATS["errors"],
                "since": REQUEST_STATS["started_at"],
                "top_endpoints": [{"endpoint": k, "count": v} for k, v in top],
            },
            "database_url": app.config["SQLALCHEMY_DATABASE_URI"].split("@")[-1],
        }
    )


@app.route("/api/admin/users", methods=["GET"])
@admin_required
def admin_users():
    query = User.query
    q = (request.args.get("q") or "").strip().lower()
    if q:
        query = query.filter(or_(func.lower(User.username).like(f"%{q}%"), func.lower(User.email).like(f"%{q}%")))
    users, meta = paginate_query(query.order_by(User.id), per_page=request.args.get("per_page", 25))
    items = []
    for u in users:
        item = u.to_dict()
        item["is_admin"] = is_admin(u)
        item["last_login"] = iso(u.last_login)
        item["vocabulary_count"] = u.vocabulary.count()
        item["session_count"] = u.sessions.count()
        items.append(item)
    return jsonify({"users": items, "pagination": meta})


def health_check():
    status = {"status": "ok", "time": utcnow().isoformat()}
    try:
        db.session.execute(db.text("SELECT 1"))
        status["database"] = "ok"
    except Exception as e:
        db.session.rollback()
        status["database"] = f"error: {e}"
        status["status"] = "degraded"
    status["redis"] = "ok" if _redis_status()["available"] else "unavailable"
    return jsonify(status), 200 if status["status"] == "ok" else 503


app.add_url_rule("/health", "health_check", health_check, methods=["GET"])


# ---- gamification, news and images (part B) ----

# ---- news -------------------------------------------------------------------------------------
#
# The news reader (2021): German news from an RSS feed, the full article fetched from the news
# site and cleaned up, then "which words of this article don't I know yet". The feed is fetched
# on every request; the plan to cache it in Redis is still on the roadmap.

NEWS_USER_AGENT = "VocabMaster/2.7 (+https://vocabmaster.example/news-reader)"
NEWS_DEFAULT_LIMIT = 20
NEWS_MAX_LIMIT = 50
ARTICLE_WORDS_DEFAULT_LIMIT = 50
ARTICLE_WORDS_MAX_LIMIT = 200

# What the last feed fetch saw, for the admin refresh endpoint. Per process, like the other
# module-level state in this file.
NEWS_FEED_STATE = {
    "fetches": 0,
    "last_fetched_at": None,
    "last_item_count": 0,
    "last_error": None,
    "feed_title": None,
}

TAG_RE = re.compile(r"<[^>]+>")


def _strip_tags(text):
    if not text:
        return ""
    return re.sub(r"\s+", " ", TAG_RE.sub(" ", text)).strip()


def fetch_news_feed():
    """Download and parse the RSS feed. Returns (feed title, list of item dicts)."""
    feed_url = app.config["NEWS_FEED_URL"]
    print(f"[news] fetching feed {feed_url}")
    NEWS_FEED_STATE["fetches"] += 1
    try:
        # no timeout: the feed "is always fast" (it was, until it wasn't)
        resp = requests.get(feed_url, headers={"User-Agent": NEWS_USER_AGENT})
    except requests.RequestException as exc:
        NEWS_FEED_STATE["last_error"] = str(exc)
        app.logger.error("news feed %s unreachable: %s", feed_url, exc)
        raise APIError("News feed unavailable", 502, {"detail": str(exc)})
    if resp.status_code != 200:
        NEWS_FEED_STATE["last_error"] = f"HTTP {resp.status_code}"
        raise APIError("News feed unavailable", 502, {"status": resp.status_code})

    parsed = feedparser.parse(resp.content)
    if parsed.bozo and not parsed.entries:
        NEWS_FEED_STATE["last_error"] = str(parsed.get("bozo_exception"))
        raise APIError("News feed could not be parsed", 502)

    items = []
    for entry in parsed.entries:
        link = entry.get("link")
        if not link:
            continue
        items.append(
            {
                "title": _strip_tags(entry.get("title", "")),
                "link": link,
                "guid": entry.get("id") or link,
                "summary": _strip_tags(entry.get("summary", "")),
                "published": entry.get("published"),
            }
        )
    feed_title = parsed.feed.get("title", "")
    NEWS_FEED_STATE.update(
        last_fetched_at=iso(utcnow()),
        last_item_count=len(items),
        last_error=None,
        feed_title=feed_title,
    )
    return feed_title, items


def download_article(url):
    """Fetch an article page and reduce it to title + text. Synchronous, no timeout."""
    print(f"[news] downloading article {url}")
    resp = requests.get(url, headers={"User-Agent": NEWS_USER_AGENT})
    if resp.status_code != 200:
        raise APIError("Could not fetch the article", 502, {"status": resp.status_code, "url": url})
    resp.encoding = resp.encoding or "utf-8"
    return text_processing.clean_article_html(resp.text)


def _valid_article_url(url):
    parsed = urlparse(url or "")
    return parsed.scheme in ("http", "https") and bool(parsed.netloc)


def serialize_article(article, include_content=False):
    content = article.content or ""
    data = {
        "id": article.id,
        "url": article.url,
        "title": article.title,
        "summary": article.summary,
        "published": article.published,
        "fetched_at": iso(article.fetched_at),
        "has_content": bool(article.content),
        "word_count": len(text_processing.tokenize(content)),
        "links": {
            "self": url_for("get_news_article", article_id=article.id),
            "words": url_for("news_article_words", article_id=article.id),
        },
    }
    if include_content:
        data["content"] = content
        data["paragraphs"] = [p for p in content.split("\n\n") if p.strip()]
    return data


@app.route("/api/news", methods=["GET"])
@jwt_required()
def news_feed():
    user = get_current_user()
    if user is None:
        return json_error("User not found", 401)
    limit = parse_int(request.args.get("limit"), NEWS_DEFAULT_LIMIT, minimum=1, maximum=NEWS_MAX_LIMIT)

    feed_title, items = fetch_news_feed()

    result = []
    for item in items[:limit]:
        # one lookup per feed item to see whether we already have the full text
        stored = NewsArticle.query.filter_by(url=item["link"]).first()
        entry = dict(item)
        entry["article_id"] = stored.id if stored else None
        entry["fetched"] = bool(stored and stored.content)
        entry["links"] = {"article": url_for("news_article", url=item["link"])}
        result.append(entry)

    app.logger.info("news feed for %s: %d items", user.username, len(result))
    return jsonify(
        {
            "source": feed_title,
            "feed_url": app.config["NEWS_FEED_URL"],
            "count": len(result),
            "total": len(items),
            "items": result,
        }
    )


@app.route("/api/news/article", methods=["GET"])
@jwt_required()
def news_article():
    """Full text of an article, fetched from the news site on first request and kept in the DB."""
    user = get_current_user()
    if user is None:
        return json_error("User not found", 401)
    url = (request.args.get("url") or "").strip()
    if not url:
        return json_error("Missing 'url' parameter", 400)
    if not _valid_article_url(url):
        return json_error("'url' must be an http(s) URL", 400, url=url)
    refresh = request.args.get("refresh", "").lower() in ("1", "true", "yes")

    article = NewsArticle.query.filter_by(url=url).first()
    cached = article is not None and bool(article.content) and not refresh
    if not cached:
        try:
            cleaned = download_article(url)
        except requests.RequestException as exc:
            app.logger.error("article fetch failed for %s: %s", url, exc)
            return json_error("Could not fetch the article", 502, detail=str(exc))
        if article is None:
            article = NewsArticle(url=url)
            db.session.add(article)
        article.title = cleaned["title"] or article.title
        article.content = cleaned["text"]
        article.fetched_at = utcnow()
        try:
            db.session.commit()
        except Exception as exc:
            db.session.rollback()
            print(f"[news] could not store article {url}: {exc}")
            # somebody else stored it in the meantime
            article = NewsArticle.query.filter_by(url=url).first()
            if article is None:
                return json_error("Could not store the article", 500)

    data = serialize_article(article, include_content=True)
    data["cached"] = cached
    return jsonify(data)


@app.route("/api/news/articles", methods=["GET"])
@jwt_required()
def list_news_articles():
    query = NewsArticle.query.order_by(NewsArticle.id.desc())
    if request.args.get("with_content", "").lower() in ("1", "true", "yes"):
        query = query.filter(NewsArticle.content.isnot(None))
    items, meta = paginate_query(query, max_per_page=50)
    links = {}
    if meta["page"] < meta["pages"]:
        links["next"] = url_for("list_news_articles", page=meta["page"] + 1, per_page=meta["per_page"])
    if meta["page"] > 1:
        links["prev"] = url_for("list_news_articles", page=meta["page"] - 1, per_page=meta["per_page"])
    return jsonify(
        {"articles": [serialize_article(a) for a in items], "pagination": meta, "links": links}
    )


@app.route("/api/news/articles/<int:article_id>", methods=["GET"])
@jwt_required()
def get_news_article(article_id):
    article = db.session.get(NewsArticle, article_id)
    if article is None:
        return json_error("Article not found", 404)
    return jsonify(serialize_article(article, include_content=True))


def _article_already_read(user, article):
    marker = json.dumps({"article_id": article.id})
    for entry in ActivityLog.query.filter_by(user_id=user.id, activity_type="article_read").all():
        if entry.details == marker:
            return True
    return False


@app.route("/api/news/articles/<int:article_id>/words", methods=["POST"])
@jwt_required()
def news_article_words(article_id):
    """Words of the article the user does not know yet, in order of first appearance."""
    user = get_current_user()
    if user is None:
        return json_error("User not found", 401)
    article = db.session.get(NewsArticle, article_id)
    if article is None:
        return json_error("Article not found", 404)
    if not article.content:
        return json_error(
            "Article has no text yet; fetch it first",
            409,
            links={"fetch": url_for("news_article", url=article.url)},
        )
    body = get_json_body()
    limit = parse_int(
        body.get("limit"), ARTICLE_WORDS_DEFAULT_LIMIT, minimum=1, maximum=ARTICLE_WORDS_MAX_LIMIT
    )
    mark_read = body.get("mark_read", True) is not False

    text = (article.title or "") + "\n" + article.content
    tokens = text_processing.tokenize(text)
    frequencies = dict(text_processing.word_frequencies(text))

    seen = set()
    unknown = []
    known_count = 0
    excluded_count = 0
    for token in tokens:
        word_text = text_processing.normalize_word(token)
        if len(word_text) < 2 or word_text in seen or word_text in text_processing.STOPWORDS:
            continue
        seen.add(word_text)
        # three queries per distinct word of the article
        excluded = ExcludedWord.query.filter(
            ExcludedWord.user_id == user.id, func.lower(ExcludedWord.word_text) == word_text
        ).first()
        if excluded is not None:
            excluded_count += 1
            continue
        word = Word.query.filter(func.lower(Word.text) == word_text).order_by(Word.id).first()
        entry = {
            "word": word_text,
            "count": frequencies.get(word_text, 1),
            "word_id": None,
            "translation": None,
            "category": None,
            "in_vocabulary": False,
            "status": None,
        }
        if word is not None:
            uv = UserVocabulary.query.filter_by(user_id=user.id, word_id=word.id).first()
            if uv is not None and uv.status == "known":
                known_count += 1
                continue
            entry.update(
                word_id=word.id,
                translation=word.translation,
                category=word.category.name if word.category else None,
                in_vocabulary=uv is not None,
                status=uv.status if uv else None,
            )
        if len(unknown) < limit:
            unknown.append(entry)

    xp_awarded = 0
    unlocked = []
    if mark_read and not _article_already_read(user, article):
        try:
            log_activity(user, "article_read", {"article_id": article.id})
            before = user.xp_total or 0
            give_xp(user, "article_read")
            xp_awarded = (user.xp_total or 0) - before
            # "Reader" and friends; awards their XP on top
            unlocked = check_achievements(user)
            db.session.commit()
        except Exception as exc:
            db.session.rollback()
            xp_awarded = 0
            unlocked = []
            app.logger.error("could not mark article %s read for %s: %s", article.id, user.id, exc)

    return jsonify(
        {
            "article_id": article.id,
            "title": article.title,
            "total_tokens": len(tokens),
            "unique_words": len(seen),
            "known": known_count,
            "excluded": excluded_count,
            "unknown_count": len(unknown),
            "unknown": unknown,
            "xp_awarded": xp_awarded,
            "unlocked": sorted(a.code for a in unlocked),
            "links": {"article": url_for("get_news_article", article_id=article.id)},
        }
    )


@app.route("/api/admin/news/refresh", methods=["POST"])
@admin_required
def refresh_news_cache():
    """Re-read the feed and (optionally) download every article again. One request per item."""
    body = get_json_body()
    fetch_articles = body.get("fetch_articles", True) is not False
    force = bool(body.get("force", False))
    limit = parse_int(body.get("limit"), NEWS_MAX_LIMIT, minimum=1, maximum=NEWS_MAX_LIMIT)
    started = time.time()

    feed_title, items = fetch_news_feed()
    created = updated = fetched = 0
    errors = []
    for item in items[:limit]:
        article = NewsArticle.query.filter_by(url=item["link"]).first()
        if article is None:
            article = NewsArticle(url=item["link"])
            db.session.add(article)
            created += 1
        else:
            updated += 1
        article.title = item["title"] or article.title
        article.summary = item["summary"]
        article.published = item["published"]
        if fetch_articles and (force or not article.content):
            try:
                cleaned = download_article(item["link"])
                article.content = cleaned["text"]
                article.title = cleaned["title"] or article.title
                article.fetched_at = utcnow()
                fetched += 1
            except Exception as exc:
                print(f"[news] refresh: {item['link']} failed: {exc}")
                errors.append({"url": item["link"], "error": str(exc)})
    try:
        db.session.commit()
    except Exception as exc:
        db.session.rollback()
        app.logger.exception("news refresh failed")
        return json_error("Could not store the articles", 500, detail=str(exc))

    app.logger.info(
        "news refresh: %d created, %d updated, %d fetched, %d failed",
        created, updated, fetched, len(errors),
    )
    return jsonify(
        {
            "source": feed_title,
            "total": min(len(items), limit),
            "created": created,
            "updated": updated,
            "fetched": fetched,
            "failed": len(errors),
            "errors": errors,
            "took_ms": int((time.time() - started) * 1000),
            "state": dict(NEWS_FEED_STATE),
            "links": {"articles": url_for("list_news_articles")},
        }
    )


# ---- top words --------------------------------------------------------------------------------
#
# "Top 100" lists: the words most learners have in their vocabulary, per category and overall.
# The ranking only changes when somebody adds words, but it is recomputed on every request
# (TODO: cache, ticket VM-412).

TOP_WORDS_LIMIT = 100
TOP_WORDS_PER_CATEGORY_PREVIEW = 5


def top_words_query(category_id=None, level=None, limit=TOP_WORDS_LIMIT):
    """(Word, learner count) pairs, most learned first. The heavy query behind the top lists."""
    learners = func.count(UserVocabulary.id)
    query = db.session.query(Word, learners.label("learners")).outerjoin(
        UserVocabulary, UserVocabulary.word_id == Word.id
    )
    if category_id is not None:
        query = query.filter(Word.category_id == category_id)
    if level is not None:
        query = query.join(Category, Category.id == Word.category_id).filter(Category.level == level)
    return (
        query.group_by(Word.id)
        .order_by(learners.desc(), func.coalesce(Word.frequency_rank, 1000000), Word.id)
        .limit(limit)
        .all()
    )


def top_word_entry(rank, word, learners, user_id=None):
    entry = {
        "rank": rank,
        "id": word.id,
        "text": word.text,
        "translation": word.translation,
        "part_of_speech": word.part_of_speech,
        "difficulty": word.difficulty,
        "frequency_rank": word.frequency_rank,
        "category_id": word.category_id,
        # lazy loads, once per word
        "category": word.category.name if word.category else None,
        "has_image": len(word.images) > 0,
        "learners": learners,
        # and a COUNT per word on top of the GROUP BY we already did
        "known_by": UserVocabulary.query.filter_by(word_id=word.id, status="known").count(),
        "links": {"image": url_for("word_image", word_id=word.id)},
    }
    if user_id is not None:
        uv = UserVocabulary.query.filter_by(user_id=user_id, word_id=word.id).first()
        entry["in_vocabulary"] = uv is not None
        entry["status"] = uv.status if uv else None
    return entry


def _optional_user_id():
    identity = get_jwt_identity()
    if identity is None:
        return None
    try:
        return int(identity)
    except (TypeError, ValueError):
        return None


@app.route("/api/categories/<int:category_id>/top-words", methods=["GET"])
@jwt_required(optional=True)
def category_top_words(category_id):
    category = get_category_or_404(category_id)
    limit = parse_int(request.args.get("limit"), TOP_WORDS_LIMIT, minimum=1, maximum=TOP_WORDS_LIMIT)
    user_id = _optional_user_id()
    print(f"[top-words] category={category_id} limit={limit} user={user_id}")

    rows = top_words_query(category_id=category.id, limit=limit)
    words = [top_word_entry(rank, word, learners, user_id) for rank, (word, learners) in enumerate(rows, 1)]
    return jsonify(
        {
            "category": category.to_dict(),
            "count": len(words),
            "limit": limit,
            "words": words,
            "generated_at": iso(utcnow()),
            "links": {
                "overall": url_for("top_words_overall"),
                "by_category": url_for("top_words_by_category"),
            },
        }
    )


@app.route("/api/top-words", methods=["GET"])
@jwt_required(optional=True)
def top_words_overall():
    limit = parse_int(request.args.get("limit"), TOP_WORDS_LIMIT, minimum=1, maximum=TOP_WORDS_LIMIT)
    level = request.args.get("level") or None
    if level is not None and level not in ("A1", "A2", "B1", "B2", "C1", "C2"):
        return json_error("Unknown level", 400, level=level)
    user_id = _optional_user_id()

    rows = top_words_query(level=level, limit=limit)
    words = [top_word_entry(rank, word, learners, user_id) for rank, (word, learners) in enumerate(rows, 1)]
    return jsonify(
        {"level": level, "limit": limit, "count": len(words), "words": words, "generated_at": iso(utcnow())}
    )


@app.route("/api/top-words/by-category", methods=["GET"])
@jwt_required(optional=True)
def top_words_by_category():
    """A preview of every category's top list: one heavy query per category."""
    per_category = parse_int(
        request.args.get("per_category"), TOP_WORDS_PER_CATEGORY_PREVIEW, minimum=1, maximum=20
    )
    user_id = _optional_user_id()
    result = []
    for category in Category.query.order_by(Category.id).all():
        rows = top_words_query(category_id=category.id, limit=per_category)
        result.append(
            {
                "category": category.to_dict(),
                "word_count": Word.query.filter_by(category_id=category.id).count(),
                "words": [
                    top_word_entry(rank, word, learners, user_id)
                    for rank, (word, learners) in enumerate(rows, 1)
                ],
                "links": {"full": url_for("category_top_words", category_id=category.id)},
            }
        )
    return jsonify({"per_category": per_category, "count": len(result), "categories": result})


# ---- images -----------------------------------------------------------------------------------
#
# Word pictures from Unsplash. The first request for a word searches Unsplash and stores the
# first hit in word_images; later requests read the table. The Unsplash call happens inside
# the request, so a cold word costs a round trip to the image API.

IMAGE_SEARCH_PER_PAGE = 10
IMAGE_SEARCH_MAX_PER_PAGE = 30
IMAGE_SEARCH_MAX_PAGE = 50
IMAGE_PREFETCH_MAX_WORDS = 200

# WordImage has a column called "query" (the search terms), which hides Flask-SQLAlchemy's
# WordImage.query property: always go through db.session.query(WordImage) here.

# Counters for /api/admin/images/stats (per worker, reset on restart).
IMAGE_STATS = {"upstream_calls": 0, "upstream_errors": 0, "db_hits": 0, "stored": 0, "cleared": 0}


def unsplash_search(query, page=1, per_page=IMAGE_SEARCH_PER_PAGE, timeout=None):
    """Call the Unsplash search API; returns its JSON (total, total_pages, results)."""
    url = app.config["UNSPLASH_BASE_URL"].rstrip("/") + "/search/photos"
    headers = {
        "Authorization": f"Client-ID {app.config['UNSPLASH_ACCESS_KEY']}",
        "Accept-Version": "v1",
    }
    params = {"query": query, "page": page, "per_page": per_page}
    print(f"[images] unsplash search {query!r} page={page} per_page={per_page}")
    IMAGE_STATS["upstream_calls"] += 1
    try:
        resp = requests.get(url, params=params, headers=headers, timeout=timeout)
    except requests.RequestException as exc:
        IMAGE_STATS["upstream_errors"] += 1
        app.logger.error("unsplash search %r failed: %s", query, exc)
        raise APIError("Image service unavailable", 502, {"detail": str(exc)})
    if resp.status_code != 200:
        IMAGE_STATS["upstream_errors"] += 1
        app.logger.error("unsplash search %r: HTTP %s", query, resp.status_code)
        raise APIError("Image service error", 502, {"status": resp.status_code})
    return resp.json()


def image_query_for(word):
    """Photos are searched in English: the translation if we have one, else the word itself."""
    text = word.translation or word.text or ""
    # "the house, the home" -> "house"
    first = re.split(r"[,;/(]", text)[0].strip()
    first = re.sub(r"^(the|a|an|to)\s+", "", first, flags=re.I)
    return first or word.text


def serialize_photo(photo):
    urls = photo.get("urls") or {}
    return {
        "id": photo.get("id"),
        "description": photo.get("alt_description") or photo.get("description"),
        "url": urls.get("regular") or urls.get("full") or urls.get("raw"),
        "thumb_url": urls.get("thumb") or urls.get("small"),
        "full_url": urls.get("full"),
        "width": photo.get("width"),
        "height": photo.get("height"),
        "photographer": (photo.get("user") or {}).get("name"),
    }


def store_word_image(word, photo, query):
    urls = photo.get("urls") or {}
    image = WordImage(
        word_id=word.id,
        url=urls.get("regular") or urls.get("full") or urls.get("raw"),
        thumb_url=urls.get("thumb") or urls.get("small"),
        photographer=(photo.get("user") or {}).get("name"),
        source_id=photo.get("id"),
        query=query,
        created_at=utcnow(),
    )
    db.session.add(image)
    IMAGE_STATS["stored"] += 1
    return image


def serialize_word_image(image, word, cached):
    return {
        "word": {"id": word.id, "text": word.text, "translation": word.translation},
        "image": image.to_dict(),
        "query": image.query,
        "cached": cached,
        "links": {
            "self": url_for("word_image", word_id=word.id),
            "refresh": url_for("refresh_word_image", word_id=word.id),
        },
    }


@app.route("/api/words/<int:word_id>/image", methods=["GET", "DELETE"])
@jwt_required()
def word_image(word_id):
    user = get_current_user()
    if user is None:
        return json_error("User not found", 401)
    word = get_word_or_404(word_id)

    if request.method == "DELETE":
        # shared table: only admins may throw pictures away
        if not is_admin(user):
            return json_error("Admin privileges required", 403)
        deleted = 0
        for image in db.session.query(WordImage).filter_by(word_id=word.id).all():
            db.session.delete(image)
            deleted += 1
        try:
            db.session.commit()
        except Exception as exc:
            db.session.rollback()
            app.logger.error("could not delete images of word %s: %s", word.id, exc)
            return json_error("Could not delete the images", 500)
        IMAGE_STATS["cleared"] += deleted
        return jsonify({"word_id": word.id, "deleted": deleted})

    image = db.session.query(WordImage).filter_by(word_id=word.id).order_by(WordImage.id).first()
    if image is not None:
        IMAGE_STATS["db_hits"] += 1
        return jsonify(serialize_word_image(image, word, cached=True))

    query = image_query_for(word)
    data = unsplash_search(query, page=1, per_page=1)
    results = data.get("results") or []
    if not results:
        return json_error("No image found for this word", 404, query=query)
    image = store_word_image(word, results[0], query)
    try:
        db.session.commit()
    except Exception as exc:
        db.session.rollback()
        print(f"[images] could not store image for word {word.id}: {exc}")
        image = db.session.query(WordImage).filter_by(word_id=word.id).order_by(WordImage.id).first()
        if image is None:
            return json_error("Could not store the image", 500)
    return jsonify(serialize_word_image(image, word, cached=False))


@app.route("/api/words/<int:word_id>/image/refresh", methods=["POST"])
@jwt_required()
def refresh_word_image(word_id):
    """Replace the word's picture with the next search result the word has not had yet."""
    user = get_current_user()
    if user is None:
        return json_error("User not found", 401)
    word = get_word_or_404(word_id)
    body = get_json_body()
    query = ((body.get("query") or "").strip() or image_query_for(word))[:200]

    old_images = db.session.query(WordImage).filter_by(word_id=word.id).order_by(WordImage.id).all()
    current_ids = [img.source_id for img in old_images if img.source_id]

    data = unsplash_search(query, page=1, per_page=IMAGE_SEARCH_MAX_PER_PAGE, timeout=10)
    results = data.get("results") or []
    # take the result after the current picture (wrapping around), so repeated refreshes walk
    # through the search results instead of flipping between two pictures
    start = 0
    for index, photo in enumerate(results):
        if photo.get("id") in current_ids:
            start = index + 1
    candidate = None
    for offset in range(len(results)):
        photo = results[(start + offset) % len(results)]
        if photo.get("id") not in current_ids:
            candidate = photo
            break
    if candidate is None:
        return json_error("No other image available", 404, query=query)

    for img in old_images:
        db.session.delete(img)
    image = store_word_image(word, candidate, query)
    try:
        db.session.commit()
    except Exception as exc:
        db.session.rollback()
        app.logger.error("image refresh for word %s failed: %s", word.id, exc)
        return json_error("Could not store the image", 500)
    app.logger.info("%s refreshed the image of word %s", user.username, word.id)
    data = serialize_word_image(image, word, cached=False)
    data["query"] = query
    data["previous"] = sorted(current_ids)
    return jsonify(data)


@app.route("/api/images/search", methods=["GET"])
@jwt_required()
def image_search():
    """Proxy for the image picker in the word editor (keeps the Unsplash key on the server)."""
    q = (request.args.get("q") or request.args.get("query") or "").strip()
    if not q:
        return json_error("Missing 'q' parameter", 400)
    page = parse_int(request.args.get("page"), 1, minimum=1, maximum=IMAGE_SEARCH_MAX_PAGE)
    per_page = parse_int(
        request.args.get("per_page"), IMAGE_SEARCH_PER_PAGE, minimum=1, maximum=IMAGE_SEARCH_MAX_PER_PAGE
    )
    redis_incr("stats:image_searches")

    data = unsplash_search(q, page=page, per_page=per_page, timeout=app.config.get("UNSPLASH_TIMEOUT", 10))
    total = int(data.get("total") or 0)
    total_pages = int(data.get("total_pages") or 0)
    links = {"self": url_for("image_search", q=q, page=page, per_page=per_page)}
    if page < min(total_pages, IMAGE_SEARCH_MAX_PAGE):
        links["next"] = url_for("image_search", q=q, page=page + 1, per_page=per_page)
    if page > 1:
        links["prev"] = url_for("image_search", q=q, page=page - 1, per_page=per_page)
    return jsonify(
        {
            "query": q,
            "page": page,
            "per_page": per_page,
            "total": total,
            "total_pages": total_pages,
            "results": [serialize_photo(p) for p in data.get("results") or []],
            "links": links,
        }
    )


@app.route("/api/admin/images/stats", methods=["GET"])
@admin_required
def image_cache_stats():
    total_images = db.session.query(WordImage).count()
    total_words = Word.query.count()
    words_with_images = db.session.query(func.count(func.distinct(WordImage.word_id))).scalar() or 0

    categories = []
    for category in Category.query.order_by(Category.id).all():
        words = Word.query.filter_by(category_id=category.id).all()
        with_image = 0
        for word in words:
            if word.images:  # lazy load per word
                with_image += 1
        categories.append(
            {
                "id": category.id,
                "name": category.name,
                "words": len(words),
                "with_image": with_image,
                "coverage": round(100.0 * with_image / len(words), 1) if words else 0.0,
            }
        )

    searches = redis_get("stats:image_searches")
    return jsonify(
        {
            "total_images": total_images,
            "total_words": total_words,
            "words_with_images": words_with_images,
            "coverage": round(100.0 * words_with_images / total_words, 1) if total_words else 0.0,
            "categories": categories,
            "process": dict(IMAGE_STATS),
            "searches": int(searches) if searches else 0,
        }
    )


@app.route("/api/admin/images/clear", methods=["POST"])
@admin_required
def clear_image_cache():
    """Drop stored word images: all of them, one category's or one word's."""
    body = get_json_body()
    category_id = body.get("category_id")
    word_id = body.get("word_id")
    deleted = 0
    try:
        if word_id is not None:
            word = get_word_or_404(parse_int(word_id, 0))
            scope = {"word_id": word.id}
            deleted = db.session.query(WordImage).filter_by(word_id=word.id).delete()
        elif category_id is not None:
            category = get_category_or_404(parse_int(category_id, 0))
            scope = {"category_id": category.id}
            for word in Word.query.filter_by(category_id=category.id).all():
                deleted += db.session.query(WordImage).filter_by(word_id=word.id).delete()
        else:
            scope = {"all": True}
            deleted = db.session.query(WordImage).delete()
        db.session.commit()
    except APIError:
        raise
    except Exception as exc:
        db.session.rollback()
        app.logger.exception("clearing the image cache failed")
        return json_error("Could not clear the image cache", 500, detail=str(exc))
    IMAGE_STATS["cleared"] += deleted
    app.logger.info("image cache cleared (%s): %d rows", scope, deleted)
    return jsonify({"deleted": deleted, "scope": scope, "links": {"stats": url_for("image_cache_stats")}})


@app.route("/api/admin/images/prefetch", methods=["POST"])
@admin_required
def prefetch_category_images():
    """Warm the image table for a category before a class uses it: one Unsplash call per word."""
    body = get_json_body()
    if body.get("category_id") is None:
        return json_error("Missing 'category_id'", 400)
    category = get_category_or_404(parse_int(body.get("category_id"), 0))
    limit = parse_int(body.get("limit"), IMAGE_PREFETCH_MAX_WORDS, minimum=1, maximum=IMAGE_PREFETCH_MAX_WORDS)
    force = bool(body.get("force", False))
    started = time.time()

    fetched = skipped = 0
    errors = []
    words = Word.query.filter_by(category_id=category.id).order_by(Word.id).limit(limit).all()
    for word in words:
        existing = db.session.query(WordImage).filter_by(word_id=word.id).first()
        if existing is not None and not force:
            skipped += 1
            continue
        query = image_query_for(word)
        try:
            data = unsplash_search(query, page=1, per_page=1)
            results = data.get("results") or []
            if not results:
                errors.append({"word_id": word.id, "error": "no results"})
                continue
            if existing is not None:
                db.session.query(WordImage).filter_by(word_id=word.id).delete()
            store_word_image(word, results[0], query)
            db.session.commit()  # commit per word so a failure keeps what we have
            fetched += 1
        except Exception as exc:
            db.session.rollback()
            print(f"[images] prefetch failed for word {word.id}: {exc}")
            errors.append({"word_id": word.id, "error": str(exc)})

    took_ms = int((time.time() - started) * 1000)
    app.logger.info(
        "prefetched images for category %s: %d fetched, %d skipped, %d failed in %d ms",
        category.id, fetched, skipped, len(errors), took_ms,
    )
    return jsonify(
        {
            "category": category.to_dict(),
            "words": len(words),
            "fetched": fetched,
            "skipped": skipped,
            "failed": len(errors),
            "errors": errors,
            "took_ms": took_ms,
        }
    )


# ---- streaks and activity ---------------------------------------------------------------------

STREAK_FREEZE_COST_DEFAULT = 200
CALENDAR_MAX_DAYS = 365


def serialize_activity(entry):
    details = entry.details
    if details:
        try:
            details = json.loads(details)
        except ValueError:
            pass
    return {
        "id": entry.id,
        "type": entry.activity_type,
        "details": details,
        "date": entry.activity_date.isoformat() if entry.activity_date else None,
        "created_at": iso(entry.created_at),
    }


def streak_payload(user):
    info = streaks.get_streak_info(user.id)
    info["freeze_cost"] = app.config.get("STREAK_FREEZE_COST", STREAK_FREEZE_COST_DEFAULT)
    info["max_freezes"] = streaks.MAX_FREEZES
    info["freeze_every_days"] = streaks.FREEZE_EVERY_DAYS
    return info


@app.route("/api/streak", methods=["GET"])
@jwt_required()
def get_streak():
    user = get_current_user()
    if user is None:
        return json_error("User not found", 401)
    data = streak_payload(user)
    data["links"] = {
        "calendar": url_for("activity_calendar"),
        "freeze": url_for("buy_streak_freeze"),
        "activity": url_for("activity"),
    }
    return jsonify(data)


@app.route("/api/activity/calendar", methods=["GET"])
@jwt_required()
def activity_calendar():
    user = get_current_user()
    if user is None:
        return json_error("User not found", 401)
    days = parse_int(request.args.get("days"), 30, minimum=1, maximum=CALENDAR_MAX_DAYS)
    calendar = streaks.activity_calendar(user.id, days=days)  # one query per day
    for day in calendar:
        day["types"] = sorted(day["types"])
    active_days = sum(1 for day in calendar if day["count"])
    return jsonify(
        {
            "days": days,
            "calendar": calendar,
            "active_days": active_days,
            "total_activities": sum(day["count"] for day in calendar),
            "streak": streaks.get_streak_info(user.id),
        }
    )


@app.route("/api/activity", methods=["GET", "POST"])
@jwt_required()
def activity():
    user = get_current_user()
    if user is None:
        return json_error("User not found", 401)

    if request.method == "POST":
        body = get_json_body()
        activity_type = body.get("type") or body.get("activity_type")
        if activity_type not in streaks.ACTIVITY_TYPES:
            return json_error(
                "Unknown activity type", 400, allowed=sorted(streaks.ACTIVITY_TYPES), type=activity_type
            )
        details = body.get("details")
        if details is not None and not isinstance(details, (dict, list, str)):
            return json_error("'details' must be an object, a list or a string", 400)
        try:
            log_activity(user, activity_type, details)
            db.session.commit()
        except Exception as exc:
            db.session.rollback()
            app.logger.error("recording activity for %s failed: %s", user.id, exc)
            return json_error("Could not record the activity", 500)
        entry = (
            ActivityLog.query.filter_by(user_id=user.id)
            .order_by(ActivityLog.id.desc())
            .first()
        )
        resp = jsonify({"activity": serialize_activity(entry), "streak": streak_payload(user)})
        resp.status_code = 201
        resp.headers["Location"] = url_for("activity_calendar")
        return resp

    query = ActivityLog.query.filter_by(user_id=user.id)
    activity_type = request.args.get("type")
    if activity_type:
        query = query.filter_by(activity_type=activity_type)
    items, meta = paginate_query(query.order_by(ActivityLog.id.desc()), max_per_page=100)
    return jsonify({"activities": [serialize_activity(a) for a in items], "pagination": meta})


@app.route("/api/streak/freeze", methods=["POST"])
@jwt_required()
def buy_streak_freeze():
    """Spend XP on a streak freeze (covers one missed day)."""
    user = get_current_user()
    if user is None:
        return json_error("User not found", 401)
    cost = app.config.get("STREAK_FREEZE_COST", STREAK_FREEZE_COST_DEFAULT)

    streak = UserStreak.query.filter_by(user_id=user.id).first()
    if streak is None:
        streak = UserStreak(user_id=user.id, current_streak=0, longest_streak=0, freezes_available=0)
        db.session.add(streak)
    if (streak.freezes_available or 0) >= streaks.MAX_FREEZES:
        db.session.rollback()
        return json_error(
            "You already have the maximum number of streak freezes", 409, max_freezes=streaks.MAX_FREEZES
        )
    if (user.xp_total or 0) < cost:
        db.session.rollback()
        return json_error("Not enough XP", 402, required=cost, xp_total=user.xp_total or 0)

    try:
        give_xp(user, "streak_freeze", -cost)
        streak.freezes_available = (streak.freezes_available or 0) + 1
        db.session.commit()
    except Exception as exc:
        db.session.rollback()
        app.logger.error("streak freeze purchase failed for %s: %s", user.id, exc)
        return json_error("Could not buy a streak freeze", 500)
    print(f"[streaks] {user.username} bought a freeze for {cost} XP")
    return jsonify(
        {
            "cost": cost,
            "freezes_available": streak.freezes_available,
            "xp_total": user.xp_total,
            "level": user.level,
            "links": {"streak": url_for("get_streak")},
        }
    )


# ---- XP and leaderboard -----------------------------------------------------------------------

LEADERBOARD_DEFAULT_LIMIT = 10
LEADERBOARD_MAX_LIMIT = 100
XP_AWARD_MAX = 10000


@app.route("/api/xp/award", methods=["POST"])
@admin_required
def award_xp_endpoint():
    """Internal: award (or take back) XP. Used by the admin panel and the support team."""
    admin = get_current_user()
    body = get_json_body()
    reason = (body.get("reason") or "").strip()
    if not reason:
        return json_error("Missing 'reason'", 400)
    amount = body.get("amount")
    if amount is None:
        if reason not in xp.XP_RULES:
            return json_error(
                "Unknown reason; give an 'amount'", 400, reasons=sorted(xp.XP_RULES)
            )
        amount = xp.XP_RULES[reason]
    if isinstance(amount, bool) or not isinstance(amount, int):
        return json_error("'amount' must be an integer", 400)
    if amount == 0 or abs(amount) > XP_AWARD_MAX:
        return json_error(f"'amount' must be between -{XP_AWARD_MAX} and {XP_AWARD_MAX} and not 0", 400)

    target = admin
    if body.get("user_id") is not None:
        target = db.session.get(User, parse_int(body.get("user_id"), 0))
        if target is None:
            return json_error("User not found", 404)

    try:
        give_xp(target, reason, amount)
        unlocked = check_achievements(target)
        db.session.commit()
    except Exception as exc:
        db.session.rollback()
        app.logger.exception("awarding XP failed")
        return json_error("Could not award XP", 500, detail=str(exc))

    app.logger.info("%s awarded %d XP to %s (%s)", admin.username, amount, target.username, reason)
    resp = jsonify(
        {
            "user_id": target.id,
            "amount": amount,
            "reason": reason,
            "xp_total": target.xp_total,
            "level": target.level,
            "unlocked": sorted(a.code for a in unlocked),
        }
    )
    resp.status_code = 201
    resp.headers["Location"] = url_for("xp_history")
    return resp


@app.route("/api/xp/history", methods=["GET"])
@jwt_required()
def xp_history():
    user = get_current_user()
    if user is None:
        return json_error("User not found", 401)
    query = XPTransaction.query.filter_by(user_id=user.id).order_by(XPTransaction.id.desc())
    items, meta = paginate_query(query, max_per_page=100)

    # totals per reason over the whole history, summed in Python
    totals = {}
    for tx in XPTransaction.query.filter_by(user_id=user.id).all():
        totals[tx.reason] = totals.get(tx.reason, 0) + tx.amount
    return jsonify(
        {
            "xp_total": user.xp_total or 0,
            "level": user.level or 1,
            "transactions": [
                {"id": tx.id, "amount": tx.amount, "reason": tx.reason, "created_at": iso(tx.created_at)}
                for tx in items
            ],
            "totals_by_reason": [
                {"reason": reason, "amount": amount} for reason, amount in sorted(totals.items(), key=lambda kv: str(kv[0]))
            ],
            "pagination": meta,
        }
    )


def leaderboard_extras(entry):
    """Avatar, streak and achievement count for one leaderboard row (three queries per row)."""
    avatar = Avatar.query.filter_by(user_id=entry["user_id"], is_current=True).first()
    streak = UserStreak.query.filter_by(user_id=entry["user_id"]).first()
    entry["avatar"] = url_for("avatar_image", avatar_id=avatar.id) if avatar else None
    entry["current_streak"] = streak.current_streak if streak else 0
    entry["achievements"] = UserAchievement.query.filter_by(user_id=entry["user_id"]).count()
    return entry


@app.route("/api/leaderboard", methods=["GET"])
@jwt_required()
def get_leaderboard():
    """Weekly or all-time leaderboard. Recomputed from scratch on every request."""
    user = get_current_user()
    if user is None:
        return json_error("User not found", 401)
    period = request.args.get("period", "weekly")
    if period in ("all", "all-time", "alltime"):
        period = "all_time"
    if period not in ("weekly", "all_time"):
        return json_error("Unknown period", 400, allowed=["all_time", "weekly"])
    limit = parse_int(request.args.get("limit"), LEADERBOARD_DEFAULT_LIMIT, minimum=1, maximum=LEADERBOARD_MAX_LIMIT)

    if period == "all_time":
        entries = xp.leaderboard(limit=limit)
        me_rank = (
            User.query.filter(
                or_(
                    User.xp_total > (user.xp_total or 0),
                    (User.xp_total == (user.xp_total or 0)) & (User.id < user.id),
                )
            ).count()
            + 1
        )
        me = {
            "rank": me_rank,
            "user_id": user.id,
            "username": user.username,
            "level": user.level or 1,
            "xp_total": user.xp_total or 0,
            "xp_week": xp.weekly_xp(user.id),
        }
    else:
        since = utcnow() - timedelta(days=7)
        rows = []
        for u in User.query.all():  # every user, one SUM query per user
            week = xp.weekly_xp(u.id, since)
            if week > 0:
                rows.append((week, u))
        rows.sort(key=lambda r: (-r[0], r[1].id))
        entries = []
        me = {
            "rank": None,
            "user_id": user.id,
            "username": user.username,
            "level": user.level or 1,
            "xp_total": user.xp_total or 0,
            "xp_week": 0,
        }
        for rank, (week, u) in enumerate(rows, 1):
            row = {
                "rank": rank,
                "user_id": u.id,
                "username": u.username,
                "level": u.level or 1,
                "xp_total": u.xp_total or 0,
                "xp_week": week,
            }
            if u.id == user.id:
                me = dict(row)
            if rank <= limit:
                entries.append(row)

    entries = [leaderboard_extras(entry) for entry in entries]
    return jsonify(
        {
            "period": period,
            "limit": limit,
            "count": len(entries),
            "entries": entries,
            "me": me,
            "generated_at": iso(utcnow()),
            "links": {
                "weekly": url_for("get_leaderboard", period="weekly", limit=limit),
                "all_time": url_for("get_leaderboard", period="all_time", limit=limit),
            },
        }
    )


@app.route("/api/xp/level", methods=["GET"])
@jwt_required()
def xp_level_info():
    user = get_current_user()
    if user is None:
        return json_error("User not found", 401)
    total = user.xp_total or 0
    level = xp.level_for_xp(total)
    floor = xp.xp_for_level(level)
    ceiling = xp.xp_for_level(level + 1) if level < xp.MAX_LEVEL else floor
    span = ceiling - floor

    today_start = datetime.combine(utcnow().date(), datetime.min.time())
    today_xp = 0
    for tx in XPTransaction.query.filter(
        XPTransaction.user_id == user.id, XPTransaction.created_at >= today_start
    ).all():
        if tx.amount > 0:
            today_xp += tx.amount
    daily_goal = app.config["DAILY_XP_GOAL"]
    return jsonify(
        {
            "level": level,
            "max_level": xp.MAX_LEVEL,
            "xp_total": total,
            "xp_current_level": floor,
            "xp_next_level": ceiling,
            "xp_to_next": max(ceiling - total, 0),
            "progress": round((total - floor) / span, 4) if span else 1.0,
            "today_xp": today_xp,
            "daily_goal": daily_goal,
            "daily_goal_reached": today_xp >= daily_goal,
            "links": {"history": url_for("xp_history"), "leaderboard": url_for("get_leaderboard")},
        }
    )


# ---- achievements -----------------------------------------------------------------------------


def achievement_progress(user, achievement):
    """Current value of the achievement's metric for the user, counted row by row."""
    metric = achievement.metric
    if metric == "words_known":
        value = 0
        for uv in user.vocabulary:  # the whole vocabulary, once per achievement
            if uv.status == "known":
                value += 1
        return value
    if metric == "words_added":
        return user.vocabulary.count()
    if metric == "sessions":
        value = 0
        for session in user.sessions:
            if session.completed_at is not None:
                value += 1
        return value
    if metric == "perfect_sessions":
        value = 0
        for session in user.sessions:
            if session.completed_at is None or not session.answers:  # lazy load per session
                continue
            if all(answer.is_correct for answer in session.answers):
                value += 1
        return value
    if metric == "streak":
        return (user.streak.longest_streak or 0) if user.streak else 0
    if metric == "xp":
        return user.xp_total or 0
    if metric == "level":
        return user.level or 1
    if metric == "texts":
        return TextSubmission.query.filter_by(user_id=user.id).count()
    if metric == "avatars":
        return len(user.avatars)
    if metric == "articles":
        return ActivityLog.query.filter_by(user_id=user.id, activity_type="article_read").count()
    return 0


def serialize_achievement(achievement):
    data = achievement.to_dict()
    data["links"] = {"self": url_for("get_achievement", achievement_id=achievement.id)}
    return data


@app.route("/api/achievements", methods=["GET"])
@jwt_required(optional=True)
def list_achievements():
    result = []
    total_users = User.query.count()
    for achievement in Achievement.query.order_by(Achievement.id).all():
        data = serialize_achievement(achievement)
        holders = UserAchievement.query.filter_by(achievement_id=achievement.id).count()
        data["unlocked_by"] = holders
        data["rarity"] = round(100.0 * holders / total_users, 1) if total_users else 0.0
        result.append(data)
    return jsonify({"achievements": result, "count": len(result)})


@app.route("/api/achievements/<int:achievement_id>", methods=["GET"])
@jwt_required(optional=True)
def get_achievement(achievement_id):
    achievement = db.session.get(Achievement, achievement_id)
    if achievement is None:
        return json_error("Achievement not found", 404)
    data = serialize_achievement(achievement)
    holders = (
        UserAchievement.query.filter_by(achievement_id=achievement.id)
        .order_by(UserAchievement.unlocked_at.desc(), UserAchievement.id.desc())
        .all()
    )
    data["unlocked_by"] = len(holders)
    data["recent"] = [
        {"user_id": ua.user_id, "username": ua.user.username, "unlocked_at": iso(ua.unlocked_at)}
        for ua in holders[:5]
    ]
    user_id = _optional_user_id()
    if user_id is not None:
        mine = [ua for ua in holders if ua.user_id == user_id]
        data["unlocked"] = bool(mine)
        data["unlocked_at"] = iso(mine[0].unlocked_at) if mine else None
        user = db.session.get(User, user_id)
        if user is not None:
            data["progress"] = achievement_progress(user, achievement)
    return jsonify(data)


@app.route("/api/achievements/me", methods=["GET"])
@jwt_required()
def my_achievements():
    user = get_current_user()
    if user is None:
        return json_error("User not found", 401)
    result = []
    unlocked_count = 0
    xp_from_achievements = 0
    for achievement in Achievement.query.order_by(Achievement.id).all():
        unlocked = None
        for ua in user.achievements:  # nested loop over the user's unlocks
            if ua.achievement_id == achievement.id:
                unlocked = ua
                break
        progress = achievement_progress(user, achievement)
        threshold = achievement.threshold or 1
        data = serialize_achievement(achievement)
        data.update(
            {
                "unlocked": unlocked is not None,
                "unlocked_at": iso(unlocked.unlocked_at) if unlocked else None,
                "progress": progress,
                "percent": 100 if unlocked else min(100, int(100 * progress / threshold)),
            }
        )
        if unlocked is not None:
            unlocked_count += 1
            xp_from_achievements += unlocked.achievement.xp_reward or 0
        result.append(data)
    return jsonify(
        {
            "achievements": result,
            "total": len(result),
            "unlocked_count": unlocked_count,
            "xp_from_achievements": xp_from_achievements,
            "links": {"check": url_for("check_my_achievements"), "catalogue": url_for("list_achievements")},
        }
    )


@app.route("/api/achievements/check", methods=["POST"])
@jwt_required()
def check_my_achievements():
    user = get_current_user()
    if user is None:
        return json_error("User not found", 401)
    try:
        unlocked = check_achievements(user)
        if unlocked:
            log_activity(user, "achievement", {"codes": sorted(a.code for a in unlocked)})
        db.session.commit()
    except Exception as exc:
        db.session.rollback()
        app.logger.exception("achievement check failed for %s", user.id)
        return json_error("Could not check achievements", 500, detail=str(exc))
    return jsonify(
        {
            "unlocked": [serialize_achievement(a) for a in sorted(unlocked, key=lambda a: a.id)],
            "count": len(unlocked),
            "xp_total": user.xp_total or 0,
            "level": user.level or 1,
            "links": {"mine": url_for("my_achievements")},
        }
    )


# ---- avatars ----------------------------------------------------------------------------------
#
# Profile pictures: generated by the image API (with the user's own OpenAI key when they set
# one), drawn locally as an SVG when that fails, varied locally, or uploaded.

AVATAR_DEFAULT_STYLE = "geometric"
AVATAR_MAX_VARIATIONS = 4
AVATAR_MAX_BYTES_DEFAULT = 512 * 1024
AVATAR_IMAGE_SIZE = "256x256"
AVATAR_PROMPT_TEMPLATE = (
    "A friendly, colourful {style} profile picture for a language learner called {name}, "
    "flat illustration, centered, plain background"
)
# magic numbers of the formats we accept for uploads
AVATAR_UPLOAD_TYPES = {
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/gif": (b"GIF87a", b"GIF89a"),
    "image/webp": (b"RIFF",),
}
DATA_URI_RE = re.compile(r"^data:(?P<mime>[\w/+.-]+);base64,(?P<data>.*)$", re.S)


def sniff_image_type(data):
    for mime, signatures in AVATAR_UPLOAD_TYPES.items():
        for signature in signatures:
            if data.startswith(signature):
                if mime == "image/webp" and data[8:12] != b"WEBP":
                    continue
                return mime
    return None


def avatar_seed(user, extra=""):
    count = Avatar.query.filter_by(user_id=user.id).count()
    return hashlib.sha256(f"{user.id}:{user.username}:{count}:{extra}".encode()).hexdigest()[:16]


def serialize_avatar(avatar):
    data = avatar.to_dict()
    if avatar.image_data and avatar.image_data.startswith("data:"):
        match = DATA_URI_RE.match(avatar.image_data)
        data["content_type"] = match.group("mime") if match else "application/octet-stream"
    elif avatar.image_data:
        data["content_type"] = "image/svg+xml"
    else:
        data["content_type"] = None
    data["image"] = url_for("avatar_image", avatar_id=avatar.id)
    data["links"] = {
        "self": url_for("avatar_detail", avatar_id=avatar.id),
        "image": url_for("avatar_image", avatar_id=avatar.id),
        "select": url_for("select_avatar", avatar_id=avatar.id),
        "variations": url_for("avatar_variations", avatar_id=avatar.id),
    }
    return data


def request_avatar_image(user, prompt):
    """Ask the image API for one picture; returns its URL. Raises on any failure."""
    settings = UserSettings.query.filter_by(user_id=user.id).first()
    api_key = app.config["OPENAI_API_KEY"]
    if settings is not None and settings.openai_api_key:
        api_key = settings.openai_api_key
    url = app.config["OPENAI_BASE_URL"].rstrip("/") + "/images/generations"
    print(f"[avatars] generating image for {user.username}")
    resp = requests.post(
        url,
        json={"prompt": prompt, "n": 1, "size": AVATAR_IMAGE_SIZE, "response_format": "url"},
        headers={"Authorization": f"Bearer {api_key}"},
        timeout=app.config.get("AVATAR_API_TIMEOUT", 20),
    )
    if resp.status_code != 200:
        try:
            message = resp.json().get("error", {}).get("message", resp.text)
        except ValueError:
            message = resp.text
        raise RuntimeError(f"image API returned {resp.status_code}: {message}")
    return resp.json()["data"][0]["url"]


def get_own_avatar(user, avatar_id):
    avatar = db.session.get(Avatar, avatar_id)
    if avatar is None or avatar.user_id != user.id:
        raise APIError("Avatar not found", 404)
    return avatar


def make_current(user, avatar):
    for other in user.avatars:
        other.is_current = other.id == avatar.id
    avatar.is_current = True


def created_avatar_response(payload, avatar):
    resp = jsonify(payload)
    resp.status_code = 201
    resp.headers["Location"] = url_for("avatar_detail", avatar_id=avatar.id)
    return resp


@app.route("/api/avatars/styles", methods=["GET"])
def avatar_styles():
    seed = request.args.get("seed") or "VocabMaster"
    return jsonify(
        {
            "styles": [
                {"name": style, "preview": url_for("avatar_preview", style=style, seed=seed)}
                for style in avatars.AVATAR_STYLES
            ],
            "default": AVATAR_DEFAULT_STYLE,
        }
    )


@app.route("/api/avatars/preview/<string:style>", methods=["GET"])
def avatar_preview(style):
    if style not in avatars.AVATAR_STYLES:
        return json_error("Unknown avatar style", 404, styles=list(avatars.AVATAR_STYLES))
    seed = (request.args.get("seed") or "VocabMaster")[:64]
    svg = avatars.generate_avatar_svg(seed, style)
    resp = Response(svg, mimetype="image/svg+xml")
    resp.headers["Cache-Control"] = "public, max-age=86400"
    return resp


@app.route("/api/avatars/generate", methods=["POST"])
@jwt_required()
def generate_avatar():
    user = get_current_user()
    if user is None:
        return json_error("User not found", 401)
    body = get_json_body()
    style = body.get("style") or AVATAR_DEFAULT_STYLE
    if style not in avatars.AVATAR_STYLES:
        return json_error("Unknown avatar style", 400, styles=list(avatars.AVATAR_STYLES))
    engine = body.get("engine", "auto")
    if engine not in ("auto", "ai", "svg"):
        return json_error("'engine' must be one of auto, ai, svg", 400)
    seed = str(body.get("seed") or avatar_seed(user, style))[:64]
    prompt = (body.get("prompt") or "").strip() or AVATAR_PROMPT_TEMPLATE.format(
        style=style, name=user.username
    )
    if len(prompt) > 1000:
        return json_error("Prompt too long (max 1000 characters)", 400)

    avatar = Avatar(user_id=user.id, source="generated", style=style, seed=seed, created_at=utcnow())
    used_engine = "svg"
    fallback_reason = None
    if engine in ("auto", "ai"):
        try:
            avatar.image_url = request_avatar_image(user, prompt)
            avatar.prompt = prompt
            used_engine = "ai"
        except Exception as exc:
            # anything at all goes wrong upstream: draw one ourselves
            app.logger.warning("avatar generation for %s fell back to SVG: %s", user.username, exc)
            fallback_reason = str(exc)
            if engine == "ai" and app.config.get("AVATAR_STRICT_AI"):
                return json_error("Image generation failed", 502, detail=fallback_reason)
    if used_engine == "svg":
        avatar.image_data = avatars.generate_avatar_svg(seed, style)

    has_current = Avatar.query.filter_by(user_id=user.id, is_current=True).first() is not None
    make_it_current = bool(body.get("make_current", not has_current))
    try:
        db.session.add(avatar)
        db.session.flush()
        if make_it_current:
            make_current(user, avatar)
        db.session.commit()
    except Exception as exc:
        db.session.rollback()
        app.logger.error("could not store avatar for %s: %s", user.id, exc)
        return json_error("Could not store the avatar", 500)
    redis_incr("stats:avatars_generated")
    return created_avatar_response(
        {
            "avatar": serialize_avatar(avatar),
            "engine": used_engine,
            "fallback": fallback_reason is not None,
            "fallback_reason": fallback_reason,
        },
        avatar,
    )


@app.route("/api/avatars/<int:avatar_id>/variations", methods=["POST"])
@jwt_required()
def avatar_variations(avatar_id):
    """Local variations of a generated avatar: the same style drawn from derived seeds."""
    user = get_current_user()
    if user is None:
        return json_error("User not found", 401)
    parent = get_own_avatar(user, avatar_id)
    if parent.source == "upload":
        return json_error("Uploaded pictures cannot be varied", 400)
    body = get_json_body()
    count = parse_int(body.get("count"), 3, minimum=1, maximum=AVATAR_MAX_VARIATIONS)
    style = parent.style or AVATAR_DEFAULT_STYLE
    base_seed = parent.seed or str(parent.id)

    existing = Avatar.query.filter_by(parent_id=parent.id).count()
    created = []
    try:
        for i in range(existing, existing + count):
            seed = avatars.variation_seed(base_seed, i)
            variation = Avatar(
                user_id=user.id,
                source="variation",
                style=style,
                seed=seed,
                parent_id=parent.id,
                image_data=avatars.generate_avatar_svg(seed, style),
                created_at=utcnow(),
            )
            db.session.add(variation)
            created.append(variation)
        db.session.commit()
    except Exception as exc:
        db.session.rollback()
        app.logger.error("could not store variations of avatar %s: %s", parent.id, exc)
        return json_error("Could not create variations", 500)
    return created_avatar_response(
        {
            "parent": serialize_avatar(parent),
            "variations": [serialize_avatar(v) for v in created],
            "count": len(created),
        },
        created[0],
    )


@app.route("/api/avatars/upload", methods=["POST", "OPTIONS"])
@jwt_required()
def upload_avatar():
    max_bytes = app.config.get("AVATAR_MAX_BYTES", AVATAR_MAX_BYTES_DEFAULT)
    if request.method == "OPTIONS":
        # the mobile app asks what it may send before it resizes the picture
        resp = jsonify(
            {
                "accepted_types": sorted(AVATAR_UPLOAD_TYPES),
                "max_bytes": max_bytes,
                "fields": {"multipart": "file", "json": "image (base64 or data: URI)"},
            }
        )
        resp.headers["Allow"] = "OPTIONS, POST"
        return resp

    user = get_current_user()
    if user is None:
        return json_error("User not found", 401)

    make_it_current = False
    declared_type = None
    if "file" in request.files:
        upload = request.files["file"]
        data = upload.read()
        declared_type = upload.mimetype
        make_it_current = request.form.get("make_current", "").lower() in ("1", "true", "yes")
    else:
        body = get_json_body()
        raw = body.get("image") or body.get("image_base64")
        if not raw or not isinstance(raw, str):
            return json_error("Send a 'file' (multipart) or an 'image' (base64 JSON)", 400)
        match = DATA_URI_RE.match(raw.strip())
        if match:
            declared_type = match.group("mime")
            raw = match.group("data")
        try:
            data = base64.b64decode(raw, validate=True)
        except (binascii.Error, ValueError):
            return json_error("'image' is not valid base64", 400)
        make_it_current = bool(body.get("make_current", False))

    if not data:
        return json_error("The uploaded file is empty", 400)
    if len(data) > max_bytes:
        return json_error("Avatar too large", 413, max_bytes=max_bytes, size=len(data))
    mime = sniff_image_type(data)
    if mime is None:
        return json_error(
            "Unsupported image type", 415, accepted_types=sorted(AVATAR_UPLOAD_TYPES), declared=declared_type
        )
    if declared_type and declared_type != mime and declared_type != "application/octet-stream":
        app.logger.info("avatar upload declared %s but is %s", declared_type, mime)

    avatar = Avatar(
        user_id=user.id,
        source="upload",
        seed=hashlib.sha256(data).hexdigest()[:16],
        image_data=f"data:{mime};base64," + base64.b64encode(data).decode("ascii"),
        created_at=utcnow(),
    )
    try:
        db.session.add(avatar)
        db.session.flush()
        if make_it_current:
            make_current(user, avatar)
        db.session.commit()
    except Exception as exc:
        db.session.rollback()
        app.logger.error("could not store uploaded avatar for %s: %s", user.id, exc)
        return json_error("Could not store the avatar", 500)
    return created_avatar_response({"avatar": serialize_avatar(avatar), "size": len(data)}, avatar)


@app.route("/api/avatars/<int:avatar_id>/select", methods=["POST"])
@jwt_required()
def select_avatar(avatar_id):
    user = get_current_user()
    if user is None:
        return json_error("User not found", 401)
    avatar = get_own_avatar(user, avatar_id)
    try:
        make_current(user, avatar)
        db.session.commit()
    except Exception as exc:
        db.session.rollback()
        app.logger.error("selecting avatar %s failed: %s", avatar_id, exc)
        return json_error("Could not select the avatar", 500)
    return jsonify({"avatar": serialize_avatar(avatar), "links": {"current": url_for("current_avatar")}})


@app.route("/api/avatars/current", methods=["GET"])
@jwt_required()
def current_avatar():
    user = get_current_user()
    if user is None:
        return json_error("User not found", 401)
    avatar = Avatar.query.filter_by(user_id=user.id, is_current=True).first()
    if avatar is None:
        return jsonify(
            {
                "avatar": None,
                "default": url_for("avatar_preview", style="initials", seed=user.username),
            }
        )
    return jsonify({"avatar": serialize_avatar(avatar), "default": None})


@app.route("/api/avatars", methods=["GET"])
@jwt_required()
def list_avatars():
    user = get_current_user()
    if user is None:
        return json_error("User not found", 401)
    source = request.args.get("source")
    query = Avatar.query.filter_by(user_id=user.id)
    if source:
        query = query.filter_by(source=source)
    result = []
    current_id = None
    for avatar in query.order_by(Avatar.id).all():
        data = serialize_avatar(avatar)
        data["variation_count"] = Avatar.query.filter_by(parent_id=avatar.id).count()
        if avatar.is_current:
            current_id = avatar.id
        result.append(data)
    return jsonify({"avatars": result, "count": len(result), "current_id": current_id})


@app.route("/api/avatars/<int:avatar_id>", methods=["GET", "DELETE"])
@jwt_required()
def avatar_detail(avatar_id):
    user = get_current_user()
    if user is None:
        return json_error("User not found", 401)
    avatar = get_own_avatar(user, avatar_id)

    if request.method == "GET":
        data = serialize_avatar(avatar)
        data["variations"] = [
            serialize_avatar(v)
            for v in Avatar.query.filter_by(parent_id=avatar.id).order_by(Avatar.id).all()
        ]
        return jsonify(data)

    deleted = [avatar.id]
    try:
        for child in Avatar.query.filter_by(parent_id=avatar.id).all():
            deleted.append(child.id)
            db.session.delete(child)
        db.session.flush()  # children first, the FK has no ON DELETE
        db.session.delete(avatar)
        db.session.commit()
    except Exception as exc:
        db.session.rollback()
        app.logger.error("deleting avatar %s failed: %s", avatar_id, exc)
        return json_error("Could not delete the avatar", 500)
    return jsonify({"deleted": sorted(deleted), "links": {"avatars": url_for("list_avatars")}})


@app.route("/api/avatars/<int:avatar_id>/image", methods=["GET"])
def avatar_image(avatar_id):
    """The picture itself. Public: <img> tags cannot send the JWT."""
    avatar = db.session.get(Avatar, avatar_id)
    if avatar is None:
        return json_error("Avatar not found", 404)
    if avatar.image_data and avatar.image_data.startswith("data:"):
        match = DATA_URI_RE.match(avatar.image_data)
        if match is None:
            return json_error("Stored avatar is corrupt", 500)
        resp = Response(base64.b64decode(match.group("data")), mimetype=match.group("mime"))
    elif avatar.image_data:
        resp = Response(avatar.image_data, mimetype="image/svg+xml")
    elif avatar.image_url:
        return redirect(avatar.image_url, code=302)
    else:
        return json_error("Avatar has no image", 404)
    resp.headers["Cache-Control"] = "public, max-age=86400"
    return resp


if __name__ == "__main__":
    app.run(host="127.0.0.1", port=int(os.environ.get("PORT", 5000)), debug=True)
