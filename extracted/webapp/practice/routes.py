"""The practice domain's routes, moved from legacy/app.py: a Blueprint; handlers are verbatim."""

import random
from datetime import datetime, timedelta

from flask import Blueprint, current_app, jsonify, request, url_for
from flask_jwt_extended import jwt_required

from ..gamification.services import check_achievements, give_xp, log_activity
from ..shared.helpers import (
    PRACTICE_MODES,
    VALID_STATUSES,
    get_current_user,
    get_json_body,
    get_or_create_settings,
    get_word_or_404,
    json_error,
    paginate_query,
    parse_int,
    serialize_word,
    utcnow,
)
from ..shared.models import (
    ActivityLog,
    Category,
    PracticeAnswer,
    PracticeSession,
    TextSubmission,
    UserAchievement,
    UserVocabulary,
    Word,
    XPTransaction,
    db,
)
from ..shared.services import streaks, xp
from .services import (
    _answer_is_correct,
    _daily_goal_reached,
    _get_own_session,
    _pick_practice_words,
    _practice_card,
)

bp = Blueprint("practice", __name__)


@bp.route("/api/practice/words", methods=["GET"])
@jwt_required()
def practice_words():
    user = get_current_user()
    if user is None:
        return json_error("User not found", 404)
    count = parse_int(request.args.get("count"), current_app.config["PRACTICE_BATCH_SIZE"], minimum=1, maximum=50)
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
            "links": {"start_session": url_for("practice.start_practice_session")},
        }
    )


@bp.route("/api/practice/words/<int:word_id>/choices", methods=["GET"])
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


@bp.route("/api/practice/sessions", methods=["POST"])
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
    count = parse_int(data.get("word_count"), current_app.config["PRACTICE_BATCH_SIZE"], minimum=1, maximum=50)

    open_sessions = PracticeSession.query.filter_by(user_id=user.id, completed_at=None).count()
    if open_sessions >= 5:
        current_app.logger.warning("user %s has %d unfinished sessions", user.id, open_sessions)

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
            "self": url_for("practice.practice_session_detail", session_id=session.id),
            "answer": url_for("practice.submit_practice_answer", session_id=session.id),
            "complete": url_for("practice.complete_practice_session", session_id=session.id),
        },
    }
    resp = jsonify(body)
    resp.status_code = 201
    resp.headers["Location"] = url_for("practice.practice_session_detail", session_id=session.id)
    return resp


@bp.route("/api/practice/sessions/<int:session_id>", methods=["GET"])
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


@bp.route("/api/practice/sessions/<int:session_id>/answer", methods=["POST"])
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
        current_app.logger.error("answer for session %s failed: %s", session_id, e)
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


@bp.route("/api/practice/sessions/<int:session_id>/complete", methods=["POST"])
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
        current_app.logger.exception("complete session failed")
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


@bp.route("/api/practice/history", methods=["GET"])
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


# ---- stats ------------------------------------------------------------------------------------


@bp.route("/api/stats", methods=["GET"])
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
        current_app.logger.warning("xp mismatch for %s: ledger %s, user %s", user.id, xp_total, user.xp_total)

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


@bp.route("/api/stats/dashboard", methods=["GET"])
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
                "xp_goal": current_app.config["DAILY_XP_GOAL"],
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
                "practice": url_for("practice.practice_words"),
                "stats": url_for("practice.user_stats"),
                "vocabulary": url_for("vocabulary.user_vocabulary"),
            },
        }
    )


@bp.route("/api/stats/categories", methods=["GET"])
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


@bp.route("/api/stats/history", methods=["GET"])
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
