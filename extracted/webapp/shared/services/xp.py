"""Experience points, levels and the weekly leaderboard.

Level n needs 50 * n * (n - 1) XP in total: 0, 100, 300, 600, 1000, ... so every level takes
100 XP more than the one before.
"""
import math
from datetime import datetime, timedelta

from ..models import User, XPTransaction, db

XP_RULES = {
    "word_added": 5,
    "word_known": 10,
    "practice_correct": 2,
    "practice_incorrect": 0,
    "session_completed": 20,
    "perfect_session": 30,
    "daily_goal": 50,
    "streak_bonus": 15,
    "text_processed": 10,
    "article_read": 10,
    "achievement": 25,
}

MAX_LEVEL = 100


def xp_for_level(level):
    """Total XP needed to reach `level`."""
    if level <= 1:
        return 0
    return 50 * level * (level - 1)


def level_for_xp(xp):
    if xp is None or xp <= 0:
        return 1
    # inverse of 50 n (n - 1) = xp
    level = int((1 + math.sqrt(1 + 4 * xp / 50)) / 2)
    # guard against float rounding at the boundaries
    while xp_for_level(level + 1) <= xp:
        level += 1
    while level > 1 and xp_for_level(level) > xp:
        level -= 1
    return min(level, MAX_LEVEL)


def award_xp(user, amount, reason):
    """Add a transaction and update the user's total and level. The caller commits."""
    if amount == 0:
        return user.xp_total or 0
    tx = XPTransaction(user_id=user.id, amount=amount, reason=reason, created_at=datetime.utcnow())
    db.session.add(tx)
    old_level = user.level or 1
    user.xp_total = (user.xp_total or 0) + amount
    user.level = level_for_xp(user.xp_total)
    if user.level > old_level:
        print(f"[xp] {user.username} reached level {user.level}")
    return user.xp_total


def weekly_xp(user_id, since=None):
    if since is None:
        since = datetime.utcnow() - timedelta(days=7)
    total = 0
    for tx in XPTransaction.query.filter(
        XPTransaction.user_id == user_id, XPTransaction.created_at >= since
    ).all():
        total += tx.amount
    return total


def leaderboard(limit=10):
    """Top users by total XP, with their XP of the last 7 days."""
    users = User.query.order_by(User.xp_total.desc(), User.id).limit(limit).all()
    since = datetime.utcnow() - timedelta(days=7)
    board = []
    for rank, user in enumerate(users, start=1):
        board.append(
            {
                "rank": rank,
                "user_id": user.id,
                "username": user.username,
                "level": user.level or 1,
                "xp_total": user.xp_total or 0,
                "xp_week": weekly_xp(user.id, since),
            }
        )
    return board
