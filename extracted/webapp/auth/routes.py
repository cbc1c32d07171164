"""The auth domain's routes, moved from legacy/app.py: a Blueprint; handlers are verbatim."""

from datetime import timedelta

import redis
from flask import Blueprint, current_app, jsonify, make_response, request, url_for
from flask_jwt_extended import create_access_token, get_jwt, jwt_required
from sqlalchemy import func, or_
from werkzeug.security import check_password_hash, generate_password_hash

from ..extensions import redis_client
from ..gamification.services import log_activity
from ..shared.helpers import (
    CACHE_STATS,
    MEMORY_CACHE,
    PRACTICE_MODES,
    REQUEST_STATS,
    REVOKED_TOKENS,
    VALID_STATUSES,
    admin_required,
    cache_clear,
    get_current_user,
    get_json_body,
    get_or_create_settings,
    is_admin,
    iso,
    json_error,
    paginate_query,
    parse_int,
    redis_incr,
    utcnow,
)
from ..shared.models import (
    Avatar,
    Category,
    ExampleSentence,
    NewsArticle,
    PracticeAnswer,
    PracticeSession,
    TextSubmission,
    User,
    UserSettings,
    UserStreak,
    UserVocabulary,
    Word,
    WordImage,
    db,
)
from ..shared.services import streaks, xp
from ..shared.services.llm import ChatClient, LLMError
from .services import (
    ALLOWED_MODELS,
    EMAIL_RE,
    LANGUAGE_CODES,
    PRACTICE_DIRECTIONS,
    SETTINGS_THEMES,
    _cache_breakdown,
    _mask_key,
    _redis_status,
    _validate_registration,
    redis_set,
)

bp = Blueprint("auth", __name__)


@bp.route("/api/auth/register", methods=["POST"])
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
            password_hash=generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"]),
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
        current_app.logger.error("register failed: %s", e)
        return json_error("Registration failed", 500)

    print(f"[DEBUG] new user {user.id} {username}")
    token = create_access_token(identity=str(user.id), additional_claims={"username": user.username})
    resp = jsonify({"message": "User registered", "user": user.to_dict(), "access_token": token})
    resp.status_code = 201
    resp.headers["Location"] = url_for("auth.me")
    return resp


@bp.route("/api/auth/login", methods=["POST"])
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
        current_app.logger.info("failed login for %s", username)
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
            "expires_in": current_app.config["JWT_ACCESS_TOKEN_EXPIRES"],
            "user": user.to_dict(),
            "settings": settings.to_dict(),
        }
    )


@bp.route("/api/auth/me", methods=["GET"])
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
                "settings": url_for("auth.user_settings"),
                "vocabulary": url_for("vocabulary.user_vocabulary"),
                "stats": url_for("practice.user_stats"),
            },
        }
    )
    db.session.commit()
    return jsonify({"user": data})


@bp.route("/api/auth/logout", methods=["POST"])
@jwt_required()
def logout():
    claims = get_jwt()
    REVOKED_TOKENS.add(claims["jti"])
    print(f"[DEBUG] revoked token of user {claims.get('sub')} ({len(REVOKED_TOKENS)} revoked)")
    return jsonify({"message": "Logged out"})


@bp.route("/api/auth/change-password", methods=["POST"])
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
        user.password_hash = generate_password_hash(new, method=current_app.config["PASSWORD_HASH_METHOD"])
        db.session.commit()
    except Exception as e:
        db.session.rollback()
        current_app.logger.error("password change failed for %s: %s", user.id, e)
        return json_error("Could not change password", 500)
    current_app.logger.info("user %s changed their password", user.id)
    return jsonify({"message": "Password changed"})


@bp.route("/api/settings", methods=["GET", "PUT", "OPTIONS"])
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


@bp.route("/api/settings/openai-key", methods=["GET", "PUT", "DELETE"])
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
        current_app.logger.info("user %s removed their OpenAI key", user.id)
        return jsonify({"message": "API key removed", "has_key": False})

    data = get_json_body()
    key = (data.get("api_key") or "").strip()
    if not key.startswith("sk-") or len(key) < 20:
        return json_error("That does not look like an OpenAI API key", 400)
    if data.get("validate"):
        # check the key with a tiny completion before saving it (no timeout, like everything else)
        try:
            ChatClient(current_app.config["OPENAI_BASE_URL"], key, settings.preferred_model).complete(
                [{"role": "user", "content": "Say OK."}], temperature=0
            )
        except LLMError as e:
            return json_error("The API key was rejected", 400, detail=str(e))
    settings.openai_api_key = key
    try:
        db.session.commit()
    except Exception as e:
        db.session.rollback()
        current_app.logger.error("could not store key for %s: %s", user.id, e)
        return json_error("Could not store API key", 500)
    return jsonify({"message": "API key saved", "has_key": True, "masked_key": _mask_key(key)})


@bp.route("/api/profile", methods=["GET", "PUT", "PATCH"])
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


# ---- meta, cache and admin ----------------------------------------------------------------------


@bp.route("/api/meta", methods=["GET"])
def api_meta():
    return jsonify(
        {
            "version": "2.7",
            "languages": list(LANGUAGE_CODES),
            "practice_modes": list(PRACTICE_MODES),
            "statuses": list(VALID_STATUSES),
            "words_per_page": current_app.config["WORDS_PER_PAGE"],
            "practice_batch_size": current_app.config["PRACTICE_BATCH_SIZE"],
            "daily_xp_goal": current_app.config["DAILY_XP_GOAL"],
            "xp_rules": dict(sorted(xp.XP_RULES.items())),
            "themes": list(SETTINGS_THEMES),
            "models": list(ALLOWED_MODELS),
        }
    )


@bp.route("/api/cache/stats", methods=["GET"])
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


@bp.route("/api/admin/cache/clear", methods=["POST"])
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
            current_app.logger.warning("redis clear failed: %s", e)
    current_app.logger.info("cache cleared by %s: %d entries (prefix %r)", get_current_user().username, removed, prefix)
    print(f"[DEBUG] cache clear prefix={prefix!r} removed={removed}")
    return jsonify({"message": "Cache cleared", "removed": removed, "redis_removed": redis_removed, "prefix": prefix})


@bp.route("/api/admin/stats", methods=["GET"])
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
            "database_url": current_app.config["SQLALCHEMY_DATABASE_URI"].split("@")[-1],
        }
    )


@bp.route("/api/admin/users", methods=["GET"])
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


bp.add_url_rule("/health", "health_check", health_check, methods=["GET"])
