"""The auth domain's services, moved from legacy/app.py: its own helpers, and the functions other domains may call."""

import re
import time

import redis
from flask import current_app

from ..extensions import redis_client
from ..shared.helpers import MEMORY_CACHE

USERNAME_RE = re.compile(r"^[A-Za-z0-9_.-]{3,80}$")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def redis_set(key, value, ex=None):
    try:
        return bool(redis_client.set(key, value, ex=ex))
    except redis.RedisError as exc:
        current_app.logger.warning("redis set %s failed: %s", key, exc)
        return False


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


SETTINGS_THEMES = ("light", "dark", "system")
PRACTICE_DIRECTIONS = ("to_native", "to_target", "mixed")
ALLOWED_MODELS = ("gpt-3.5-turbo", "gpt-4", "gpt-4o", "gpt-4o-mini")


def _mask_key(key):
    if not key:
        return None
    return key[:3] + "..." + key[-4:]


LANGUAGE_CODES = ("de", "en", "es", "fr", "it", "nl")


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
