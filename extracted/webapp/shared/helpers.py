"""Shared kernel: helpers, classes and state from legacy/app.py used by several domains or by the app."""

import os
import time
from datetime import datetime
from functools import wraps

import redis
from flask import current_app, jsonify, request
from flask_jwt_extended import get_jwt_identity, verify_jwt_in_request

from ..extensions import jwt, llm_client, redis_client
from .models import Category, User, UserSettings, UserVocabulary, Word, db
from .services.llm import ChatClient

# Poor man's cache until we "have time for Redis". Per process, so every gunicorn worker has
# its own copy, and most entries are never invalidated.
MEMORY_CACHE = {}
CACHE_STATS = {"hits": 0, "misses": 0, "sets": 0, "clears": 0}
REQUEST_STATS = {"total": 0, "errors": 0, "by_endpoint": {}, "started_at": datetime.utcnow().isoformat()}
# Logged-out tokens. Lives in memory, so a logout only holds on the worker that served it.
REVOKED_TOKENS = set()

DEBUG_REQUESTS = os.environ.get("DEBUG_REQUESTS", "1") == "1"
VALID_STATUSES = ("new", "learning", "known")


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
    per_page = parse_int(per_page, current_app.config["WORDS_PER_PAGE"], minimum=1, maximum=max_per_page)
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
    return bool(user.is_admin) or user.username in current_app.config["ADMIN_USERNAMES"]


def admin_required(fn):
    @wraps(fn)
    def wrapper(*args, **kwargs):
        verify_jwt_in_request()
        user = get_current_user()
        if user is None:
            return json_error("User not found", 401)
        if not is_admin(user):
            current_app.logger.warning("non-admin %s tried %s", user.username, request.path)
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
                current_app.config["OPENAI_BASE_URL"],
                settings.openai_api_key,
                settings.preferred_model or current_app.config["OPENAI_MODEL"],
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


def redis_incr(key, ex=None):
    try:
        value = redis_client.incr(key)
        if ex and value == 1:
            redis_client.expire(key, ex)
        return value
    except redis.RedisError as exc:
        current_app.logger.warning("redis incr %s failed: %s", key, exc)
        return None


@jwt.token_in_blocklist_loader
def check_if_token_revoked(jwt_header, jwt_payload):
    return jwt_payload.get("jti") in REVOKED_TOKENS


@jwt.revoked_token_loader
def revoked_token_response(jwt_header, jwt_payload):
    return jsonify({"error": "Token has been revoked", "msg": "Token has been revoked"}), 401


# ---- practice ---------------------------------------------------------------------------------

PRACTICE_MODES = ("flashcards", "multiple_choice", "typing", "listening")


def _optional_user_id():
    identity = get_jwt_identity()
    if identity is None:
        return None
    try:
        return int(identity)
    except (TypeError, ValueError):
        return None
