"""Daily streaks and the activity log.

A user keeps a streak by doing at least one activity per calendar day (UTC). Missing exactly one
day keeps the streak if the user has a streak freeze left (one is granted every 7 days of streak).
"""
import json
from datetime import datetime, timedelta

from legacy.models import ActivityLog, UserStreak, db

# Every 7 consecutive days earn one freeze, up to MAX_FREEZES.
FREEZE_EVERY_DAYS = 7
MAX_FREEZES = 2

ACTIVITY_TYPES = [
    "word_added",
    "practice",
    "session_completed",
    "text_processed",
    "article_read",
    "achievement",
    "login",
]


def _today():
    return datetime.utcnow().date()


def _get_or_create_streak(user_id):
    streak = UserStreak.query.filter_by(user_id=user_id).first()
    if streak is None:
        streak = UserStreak(
            user_id=user_id, current_streak=0, longest_streak=0, freezes_available=0
        )
        db.session.add(streak)
    return streak


def record_activity(user_id, activity_type, details=None):
    """Log an activity and update the user's streak. The caller commits."""
    today = _today()
    streak = _get_or_create_streak(user_id)
    last = streak.last_activity_date
    current = streak.current_streak or 0

    if last == today:
        pass  # already counted today
    elif last is not None and last == today - timedelta(days=1):
        current += 1
    elif last is not None and last == today - timedelta(days=2) and (streak.freezes_available or 0) > 0:
        # one missed day, covered by a freeze
        streak.freezes_available = streak.freezes_available - 1
        current += 1
    else:
        if last is not None and current > 0:
            print(f"[streaks] user {user_id} lost a {current}-day streak (last activity {last})")
        current = 1

    if last != today:
        streak.current_streak = current
        streak.last_activity_date = today
        if current > (streak.longest_streak or 0):
            streak.longest_streak = current
        if current % FREEZE_EVERY_DAYS == 0 and (streak.freezes_available or 0) < MAX_FREEZES:
            streak.freezes_available = (streak.freezes_available or 0) + 1

    if details is not None and not isinstance(details, str):
        details = json.dumps(details)
    db.session.add(
        ActivityLog(
            user_id=user_id,
            activity_type=activity_type,
            details=details,
            activity_date=today,
            created_at=datetime.utcnow(),
        )
    )
    return streak


def get_streak_info(user_id):
    streak = UserStreak.query.filter_by(user_id=user_id).first()
    today = _today()
    if streak is None:
        return {
            "current": 0,
            "longest": 0,
            "last_activity_date": None,
            "active_today": False,
            "freezes_available": 0,
        }
    current = streak.current_streak or 0
    last = streak.last_activity_date
    # A streak whose last day is older than yesterday is already broken (unless a freeze
    # would cover it); the stored value is only fixed on the next activity.
    if last is not None and last < today - timedelta(days=1):
        if not (last == today - timedelta(days=2) and (streak.freezes_available or 0) > 0):
            current = 0
    return {
        "current": current,
        "longest": streak.longest_streak or 0,
        "last_activity_date": last.isoformat() if last else None,
        "active_today": last == today,
        "freezes_available": streak.freezes_available or 0,
    }


def activity_calendar(user_id, days=30):
    """Activity per day for the last `days` days, oldest first."""
    today = _today()
    calendar = []
    for offset in range(days - 1, -1, -1):
        day = today - timedelta(days=offset)
        # one query per day; fine for 30 days, they said
        entries = ActivityLog.query.filter_by(user_id=user_id, activity_date=day).all()
        types = []
        for entry in entries:
            if entry.activity_type not in types:
                types.append(entry.activity_type)
        calendar.append({"date": day.isoformat(), "count": len(entries), "types": types})
    return calendar
