"""The gamification domain's services, moved from legacy/app.py: its own helpers, and the functions other domains may call."""

import hashlib
import json
import re

import requests
from flask import current_app, jsonify, url_for

from ..shared.helpers import APIError, iso
from ..shared.models import (
    Achievement,
    ActivityLog,
    Avatar,
    PracticeSession,
    TextSubmission,
    UserAchievement,
    UserSettings,
    UserStreak,
    UserVocabulary,
    db,
)
from ..shared.services import streaks, xp


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
    info["freeze_cost"] = current_app.config.get("STREAK_FREEZE_COST", STREAK_FREEZE_COST_DEFAULT)
    info["max_freezes"] = streaks.MAX_FREEZES
    info["freeze_every_days"] = streaks.FREEZE_EVERY_DAYS
    return info


# ---- XP and leaderboard -----------------------------------------------------------------------

LEADERBOARD_DEFAULT_LIMIT = 10
LEADERBOARD_MAX_LIMIT = 100
XP_AWARD_MAX = 10000


def leaderboard_extras(entry):
    """Avatar, streak and achievement count for one leaderboard row (three queries per row)."""
    avatar = Avatar.query.filter_by(user_id=entry["user_id"], is_current=True).first()
    streak = UserStreak.query.filter_by(user_id=entry["user_id"]).first()
    entry["avatar"] = url_for("gamification.avatar_image", avatar_id=avatar.id) if avatar else None
    entry["current_streak"] = streak.current_streak if streak else 0
    entry["achievements"] = UserAchievement.query.filter_by(user_id=entry["user_id"]).count()
    return entry


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
    data["links"] = {"self": url_for("gamification.get_achievement", achievement_id=achievement.id)}
    return data


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
    data["image"] = url_for("gamification.avatar_image", avatar_id=avatar.id)
    data["links"] = {
        "self": url_for("gamification.avatar_detail", avatar_id=avatar.id),
        "image": url_for("gamification.avatar_image", avatar_id=avatar.id),
        "select": url_for("gamification.select_avatar", avatar_id=avatar.id),
        "variations": url_for("gamification.avatar_variations", avatar_id=avatar.id),
    }
    return data


def request_avatar_image(user, prompt):
    """Ask the image API for one picture; returns its URL. Raises on any failure."""
    settings = UserSettings.query.filter_by(user_id=user.id).first()
    api_key = current_app.config["OPENAI_API_KEY"]
    if settings is not None and settings.openai_api_key:
        api_key = settings.openai_api_key
    url = current_app.config["OPENAI_BASE_URL"].rstrip("/") + "/images/generations"
    print(f"[avatars] generating image for {user.username}")
    resp = requests.post(
        url,
        json={"prompt": prompt, "n": 1, "size": AVATAR_IMAGE_SIZE, "response_format": "url"},
        headers={"Authorization": f"Bearer {api_key}"},
        timeout=current_app.config.get("AVATAR_API_TIMEOUT", 20),
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
    resp.headers["Location"] = url_for("gamification.avatar_detail", avatar_id=avatar.id)
    return resp
