"""The practice domain's services, moved from legacy/app.py: its own helpers, and the functions other domains may call."""

import random
import re
from datetime import datetime

from ..shared.helpers import APIError, utcnow
from ..shared.models import PracticeAnswer, PracticeSession, UserVocabulary, Word, db

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


def _get_own_session(session_id, user):
    session = db.session.get(PracticeSession, session_id)
    if session is None or session.user_id != user.id:
        raise APIError("Session not found", 404)
    return session


def _daily_goal_reached(user, settings):
    today_start = datetime.combine(utcnow().date(), datetime.min.time())
    answered_today = (
        PracticeAnswer.query.join(PracticeSession, PracticeAnswer.session_id == PracticeSession.id)
        .filter(PracticeSession.user_id == user.id, PracticeAnswer.answered_at >= today_start)
        .count()
    )
    return answered_today >= (settings.daily_goal or 20), answered_today
