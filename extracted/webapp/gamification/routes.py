"""The gamification domain's routes, moved from legacy/app.py: a Blueprint; handlers are verbatim."""

import base64
import binascii
import hashlib
from datetime import datetime, timedelta

from flask import Blueprint, Response, current_app, jsonify, redirect, request, url_for
from flask_jwt_extended import jwt_required
from sqlalchemy import or_

from ..shared.helpers import (
    _optional_user_id,
    admin_required,
    get_current_user,
    get_json_body,
    iso,
    json_error,
    paginate_query,
    parse_int,
    redis_incr,
    utcnow,
)
from ..shared.models import (
    Achievement,
    ActivityLog,
    Avatar,
    User,
    UserAchievement,
    UserStreak,
    XPTransaction,
    db,
)
from ..shared.services import avatars, streaks, xp
from .services import (
    AVATAR_DEFAULT_STYLE,
    AVATAR_MAX_BYTES_DEFAULT,
    AVATAR_MAX_VARIATIONS,
    AVATAR_PROMPT_TEMPLATE,
    AVATAR_UPLOAD_TYPES,
    CALENDAR_MAX_DAYS,
    DATA_URI_RE,
    LEADERBOARD_DEFAULT_LIMIT,
    LEADERBOARD_MAX_LIMIT,
    STREAK_FREEZE_COST_DEFAULT,
    XP_AWARD_MAX,
    achievement_progress,
    avatar_seed,
    check_achievements,
    created_avatar_response,
    get_own_avatar,
    give_xp,
    leaderboard_extras,
    log_activity,
    make_current,
    request_avatar_image,
    serialize_achievement,
    serialize_activity,
    serialize_avatar,
    sniff_image_type,
    streak_payload,
)

bp = Blueprint("gamification", __name__)


@bp.route("/api/streak", methods=["GET"])
@jwt_required()
def get_streak():
    user = get_current_user()
    if user is None:
        return json_error("User not found", 401)
    data = streak_payload(user)
    data["links"] = {
        "calendar": url_for("gamification.activity_calendar"),
        "freeze": url_for("gamification.buy_streak_freeze"),
        "activity": url_for("gamification.activity"),
    }
    return jsonify(data)


@bp.route("/api/activity/calendar", methods=["GET"])
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


@bp.route("/api/activity", methods=["GET", "POST"])
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
            current_app.logger.error("recording activity for %s failed: %s", user.id, exc)
            return json_error("Could not record the activity", 500)
        entry = (
            ActivityLog.query.filter_by(user_id=user.id)
            .order_by(ActivityLog.id.desc())
            .first()
        )
        resp = jsonify({"activity": serialize_activity(entry), "streak": streak_payload(user)})
        resp.status_code = 201
        resp.headers["Location"] = url_for("gamification.activity_calendar")
        return resp

    query = ActivityLog.query.filter_by(user_id=user.id)
    activity_type = request.args.get("type")
    if activity_type:
        query = query.filter_by(activity_type=activity_type)
    items, meta = paginate_query(query.order_by(ActivityLog.id.desc()), max_per_page=100)
    return jsonify({"activities": [serialize_activity(a) for a in items], "pagination": meta})


@bp.route("/api/streak/freeze", methods=["POST"])
@jwt_required()
def buy_streak_freeze():
    """Spend XP on a streak freeze (covers one missed day)."""
    user = get_current_user()
    if user is None:
        return json_error("User not found", 401)
    cost = current_app.config.get("STREAK_FREEZE_COST", STREAK_FREEZE_COST_DEFAULT)

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
        current_app.logger.error("streak freeze purchase failed for %s: %s", user.id, exc)
        return json_error("Could not buy a streak freeze", 500)
    print(f"[streaks] {user.username} bought a freeze for {cost} XP")
    return jsonify(
        {
            "cost": cost,
            "freezes_available": streak.freezes_available,
            "xp_total": user.xp_total,
            "level": user.level,
            "links": {"streak": url_for("gamification.get_streak")},
        }
    )


@bp.route("/api/xp/award", methods=["POST"])
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
        current_app.logger.exception("awarding XP failed")
        return json_error("Could not award XP", 500, detail=str(exc))

    current_app.logger.info("%s awarded %d XP to %s (%s)", admin.username, amount, target.username, reason)
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
    resp.headers["Location"] = url_for("gamification.xp_history")
    return resp


@bp.route("/api/xp/history", methods=["GET"])
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


@bp.route("/api/leaderboard", methods=["GET"])
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
                "weekly": url_for("gamification.get_leaderboard", period="weekly", limit=limit),
                "all_time": url_for("gamification.get_leaderboard", period="all_time", limit=limit),
            },
        }
    )


@bp.route("/api/xp/level", methods=["GET"])
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
    daily_goal = current_app.config["DAILY_XP_GOAL"]
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
            "links": {"history": url_for("gamification.xp_history"), "leaderboard": url_for("gamification.get_leaderboard")},
        }
    )


@bp.route("/api/achievements", methods=["GET"])
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


@bp.route("/api/achievements/<int:achievement_id>", methods=["GET"])
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


@bp.route("/api/achievements/me", methods=["GET"])
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
            "links": {"check": url_for("gamification.check_my_achievements"), "catalogue": url_for("gamification.list_achievements")},
        }
    )


@bp.route("/api/achievements/check", methods=["POST"])
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
        current_app.logger.exception("achievement check failed for %s", user.id)
        return json_error("Could not check achievements", 500, detail=str(exc))
    return jsonify(
        {
            "unlocked": [serialize_achievement(a) for a in sorted(unlocked, key=lambda a: a.id)],
            "count": len(unlocked),
            "xp_total": user.xp_total or 0,
            "level": user.level or 1,
            "links": {"mine": url_for("gamification.my_achievements")},
        }
    )


@bp.route("/api/avatars/styles", methods=["GET"])
def avatar_styles():
    seed = request.args.get("seed") or "VocabMaster"
    return jsonify(
        {
            "styles": [
                {"name": style, "preview": url_for("gamification.avatar_preview", style=style, seed=seed)}
                for style in avatars.AVATAR_STYLES
            ],
            "default": AVATAR_DEFAULT_STYLE,
        }
    )


@bp.route("/api/avatars/preview/<string:style>", methods=["GET"])
def avatar_preview(style):
    if style not in avatars.AVATAR_STYLES:
        return json_error("Unknown avatar style", 404, styles=list(avatars.AVATAR_STYLES))
    seed = (request.args.get("seed") or "VocabMaster")[:64]
    svg = avatars.generate_avatar_svg(seed, style)
    resp = Response(svg, mimetype="image/svg+xml")
    resp.headers["Cache-Control"] = "public, max-age=86400"
    return resp


@bp.route("/api/avatars/generate", methods=["POST"])
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
            current_app.logger.warning("avatar generation for %s fell back to SVG: %s", user.username, exc)
            fallback_reason = str(exc)
            if engine == "ai" and current_app.config.get("AVATAR_STRICT_AI"):
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
        current_app.logger.error("could not store avatar for %s: %s", user.id, exc)
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


@bp.route("/api/avatars/<int:avatar_id>/variations", methods=["POST"])
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
        current_app.logger.error("could not store variations of avatar %s: %s", parent.id, exc)
        return json_error("Could not create variations", 500)
    return created_avatar_response(
        {
            "parent": serialize_avatar(parent),
            "variations": [serialize_avatar(v) for v in created],
            "count": len(created),
        },
        created[0],
    )


@bp.route("/api/avatars/upload", methods=["POST", "OPTIONS"])
@jwt_required()
def upload_avatar():
    max_bytes = current_app.config.get("AVATAR_MAX_BYTES", AVATAR_MAX_BYTES_DEFAULT)
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
        current_app.logger.info("avatar upload declared %s but is %s", declared_type, mime)

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
        current_app.logger.error("could not store uploaded avatar for %s: %s", user.id, exc)
        return json_error("Could not store the avatar", 500)
    return created_avatar_response({"avatar": serialize_avatar(avatar), "size": len(data)}, avatar)


@bp.route("/api/avatars/<int:avatar_id>/select", methods=["POST"])
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
        current_app.logger.error("selecting avatar %s failed: %s", avatar_id, exc)
        return json_error("Could not select the avatar", 500)
    return jsonify({"avatar": serialize_avatar(avatar), "links": {"current": url_for("gamification.current_avatar")}})


@bp.route("/api/avatars/current", methods=["GET"])
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
                "default": url_for("gamification.avatar_preview", style="initials", seed=user.username),
            }
        )
    return jsonify({"avatar": serialize_avatar(avatar), "default": None})


@bp.route("/api/avatars", methods=["GET"])
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


@bp.route("/api/avatars/<int:avatar_id>", methods=["GET", "DELETE"])
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
        current_app.logger.error("deleting avatar %s failed: %s", avatar_id, exc)
        return json_error("Could not delete the avatar", 500)
    return jsonify({"deleted": sorted(deleted), "links": {"avatars": url_for("gamification.list_avatars")}})


@bp.route("/api/avatars/<int:avatar_id>/image", methods=["GET"])
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
