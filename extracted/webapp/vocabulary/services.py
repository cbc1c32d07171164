"""The vocabulary domain's services, moved from legacy/app.py: its own helpers, and the functions other domains may call."""

from flask import url_for
from sqlalchemy import func

from ..gamification.services import give_xp, log_activity
from ..shared.helpers import utcnow
from ..shared.models import Category, ExcludedWord, UserVocabulary, Word, db

WORD_EDITABLE_FIELDS = ("translation", "part_of_speech", "difficulty", "example")


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


BULK_LIMIT = 200


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
        "links": {"image": url_for("images.word_image", word_id=word.id)},
    }
    if user_id is not None:
        uv = UserVocabulary.query.filter_by(user_id=user_id, word_id=word.id).first()
        entry["in_vocabulary"] = uv is not None
        entry["status"] = uv.status if uv else None
    return entry
