"""The vocabulary domain's routes, moved from legacy/app.py: a Blueprint; handlers are verbatim."""

import time

from flask import Blueprint, current_app, jsonify, make_response, request, url_for
from flask_jwt_extended import jwt_required
from sqlalchemy import func, or_

from ..gamification.services import check_achievements, give_xp, log_activity
from ..shared.helpers import (
    VALID_STATUSES,
    _optional_user_id,
    cache_clear,
    cache_get,
    cache_set,
    get_category_or_404,
    get_current_user,
    get_json_body,
    get_llm_client,
    get_word_or_404,
    is_admin,
    iso,
    json_error,
    paginate_query,
    parse_int,
    serialize_word,
    utcnow,
)
from ..shared.models import (
    Category,
    ExampleSentence,
    ExcludedWord,
    PracticeAnswer,
    PracticeSession,
    UserVocabulary,
    Word,
    WordImage,
    XPTransaction,
    db,
)
from ..shared.services import text_processing, xp
from ..shared.services.llm import LLMError
from .services import (
    BULK_LIMIT,
    TOP_WORDS_LIMIT,
    TOP_WORDS_PER_CATEGORY_PREVIEW,
    WORD_EDITABLE_FIELDS,
    _add_to_vocabulary,
    _find_or_create_word,
    _suggested_words,
    top_word_entry,
    top_words_query,
)

bp = Blueprint("vocabulary", __name__)

# ---- categories and words ---------------------------------------------------------------------


@bp.route("/api/categories", methods=["GET"])
@jwt_required(optional=True)
def list_categories():
    # The same query on every page load, for data that changes twice a year.
    categories = Category.query.order_by(Category.id).all()
    user = get_current_user()
    level = request.args.get("level")
    result = []
    for category in categories:
        if level and category.level != level:
            continue
        data = category.to_dict()
        data["word_count"] = Word.query.filter_by(category_id=category.id).count()
        if user is not None:
            data["in_vocabulary"] = (
                UserVocabulary.query.join(Word, UserVocabulary.word_id == Word.id)
                .filter(UserVocabulary.user_id == user.id, Word.category_id == category.id)
                .count()
            )
        data["url"] = url_for("vocabulary.category_detail", category_id=category.id)
        result.append(data)
    current_app.logger.debug("listed %d categories", len(result))
    return jsonify({"categories": result, "total": len(result)})


@bp.route("/api/categories/<int:category_id>", methods=["GET"])
@jwt_required(optional=True)
def category_detail(category_id):
    category = get_category_or_404(category_id)
    user = get_current_user()
    data = category.to_dict()
    words = category.words  # lazy load of the whole category
    difficulty = {}
    parts_of_speech = {}
    for word in words:
        key = str(word.difficulty or 1)
        difficulty[key] = difficulty.get(key, 0) + 1
        pos = word.part_of_speech or "unknown"
        parts_of_speech[pos] = parts_of_speech.get(pos, 0) + 1
    data["word_count"] = len(words)
    data["difficulty_distribution"] = dict(sorted(difficulty.items()))
    data["parts_of_speech"] = dict(sorted(parts_of_speech.items()))
    if user is not None:
        progress = {"new": 0, "learning": 0, "known": 0}
        for word in words:
            uv = UserVocabulary.query.filter_by(user_id=user.id, word_id=word.id).first()
            if uv is not None:
                progress[uv.status or "new"] = progress.get(uv.status or "new", 0) + 1
        data["progress"] = progress
        data["completion"] = round(100.0 * progress["known"] / len(words), 1) if words else 0.0
    data["links"] = {
        "words": url_for("vocabulary.category_words", category_id=category.id),
        "categories": url_for("vocabulary.list_categories"),
    }
    return jsonify({"category": data})


@bp.route("/api/categories/<int:category_id>/words", methods=["GET"])
@jwt_required(optional=True)
def category_words(category_id):
    category = get_category_or_404(category_id)
    user = get_current_user()
    query = Word.query.filter_by(category_id=category.id)
    difficulty = request.args.get("difficulty")
    if difficulty:
        query = query.filter(Word.difficulty == parse_int(difficulty, 1))
    query = query.order_by(Word.id)
    words, meta = paginate_query(query)

    result = []
    for word in words:
        data = word.to_dict()
        if user is not None:
            # the classic: one query per word on the page
            uv = UserVocabulary.query.filter_by(user_id=user.id, word_id=word.id).first()
            data["in_vocabulary"] = uv is not None
            data["status"] = uv.status if uv else None
        result.append(data)

    status = request.args.get("status")
    if status and user is not None:
        # filtered after paging, so pages can come back short; the web client never noticed
        result = [w for w in result if (w["status"] or "none") == status]

    links = {"category": url_for("vocabulary.category_detail", category_id=category.id)}
    if meta["page"] < meta["pages"]:
        links["next"] = url_for("vocabulary.category_words", category_id=category.id, page=meta["page"] + 1, per_page=meta["per_page"])
    if meta["page"] > 1:
        links["prev"] = url_for("vocabulary.category_words", category_id=category.id, page=meta["page"] - 1, per_page=meta["per_page"])
    return jsonify({"category": category.to_dict(), "words": result, "pagination": meta, "links": links})


@bp.route("/api/words/<int:word_id>", methods=["GET", "PUT", "DELETE", "OPTIONS"])
@jwt_required(optional=True)
def word_detail(word_id):
    if request.method == "OPTIONS":
        resp = make_response("", 204)
        resp.headers["Allow"] = "GET, PUT, DELETE, OPTIONS"
        resp.headers["Access-Control-Allow-Methods"] = "GET, PUT, DELETE, OPTIONS"
        return resp

    word = get_word_or_404(word_id)
    user = get_current_user()

    if request.method == "GET":
        data = serialize_word(word, user.id if user else None)
        data["images"] = [img.to_dict() for img in sorted(word.images, key=lambda i: i.id)]
        data["sentences"] = [
            {"id": s.id, "sentence": s.sentence, "translation": s.translation}
            for s in sorted(word.sentences, key=lambda s: s.id)
        ]
        data["links"] = {
            "self": url_for("vocabulary.word_detail", word_id=word.id),
            "examples": url_for("vocabulary.word_examples", word_id=word.id),
        }
        if word.category_id:
            data["links"]["category"] = url_for("vocabulary.category_detail", category_id=word.category_id)
        return jsonify({"word": data})

    if user is None:
        return json_error("Missing Authorization Header", 401)
    if word.created_by != user.id and not is_admin(user):
        return json_error("Only the creator or an admin can change this word", 403)

    if request.method == "PUT":
        data = get_json_body()
        unknown = sorted(set(data) - set(WORD_EDITABLE_FIELDS) - {"text"})
        if unknown:
            return json_error("Unknown fields", 400, fields=unknown)
        if "text" in data:
            return json_error("The text of a word cannot be changed; add a new word", 400)
        if "difficulty" in data:
            difficulty = parse_int(data["difficulty"], 0)
            if difficulty < 1 or difficulty > 5:
                return json_error("difficulty must be between 1 and 5", 400)
            data["difficulty"] = difficulty
        for field in WORD_EDITABLE_FIELDS:
            if field in data:
                setattr(word, field, data[field])
        try:
            db.session.commit()
        except Exception as e:
            db.session.rollback()
            current_app.logger.error("word %s update failed: %s", word_id, e)
            return json_error("Could not update word", 500)
        return jsonify({"message": "Word updated", "word": serialize_word(word)})

    # DELETE: remove everything that points at the word first (no ON DELETE CASCADE in the schema)
    try:
        UserVocabulary.query.filter_by(word_id=word.id).delete()
        PracticeAnswer.query.filter_by(word_id=word.id).delete()
        ExampleSentence.query.filter_by(word_id=word.id).delete()
        db.session.query(WordImage).filter_by(word_id=word.id).delete()  # WordImage.query is a column
        db.session.delete(word)
        db.session.commit()
    except Exception as e:
        db.session.rollback()
        print(f"[DEBUG] delete word {word_id} failed: {e}")
        return json_error("Could not delete word", 500)
    cache_clear(prefix=f"examples:{word_id}")
    current_app.logger.info("word %s deleted by %s", word_id, user.username)
    return jsonify({"message": "Word deleted", "id": word_id})


@bp.route("/api/words/search", methods=["GET"])
@jwt_required(optional=True)
def search_words():
    q = (request.args.get("q") or "").strip()
    if len(q) < 2:
        return json_error("Query must have at least 2 characters", 400)
    user = get_current_user()
    limit = parse_int(request.args.get("limit"), 20, minimum=1, maximum=100)
    pattern = f"%{q.lower()}%"
    query = Word.query.filter(
        or_(func.lower(Word.text).like(pattern), func.lower(Word.translation).like(pattern))
    )
    category_id = request.args.get("category_id")
    if category_id:
        query = query.filter(Word.category_id == parse_int(category_id, 0))
    words = query.order_by(Word.id).limit(limit).all()
    # exact matches first, then prefix matches, then the rest
    ql = q.lower()

    def rank(word):
        text = (word.text or "").lower()
        if text == ql:
            return 0
        if text.startswith(ql):
            return 1
        return 2

    words.sort(key=lambda w: (rank(w), w.id))
    results = [serialize_word(w, user.id if user else None) for w in words]
    print(f"[DEBUG] search {q!r}: {len(results)} results")
    return jsonify({"query": q, "results": results, "count": len(results)})


@bp.route("/api/words", methods=["POST"])
@bp.route("/api/vocabulary/words", methods=["POST"])
@jwt_required()
def add_word():
    user = get_current_user()
    if user is None:
        return json_error("User not found", 404)
    data = get_json_body()
    text = (data.get("text") or "").strip()
    translation = (data.get("translation") or "").strip()
    if not text:
        return json_error("text is required", 400)
    if len(text) > 100 or len(translation) > 200:
        return json_error("text or translation too long", 400)
    category_id = data.get("category_id")
    if category_id is not None:
        category_id = parse_int(category_id, 0)
        if db.session.get(Category, category_id) is None:
            return json_error("Category not found", 404)

    try:
        word, created = _find_or_create_word(
            text, translation or None, category_id, user,
            part_of_speech=data.get("part_of_speech"), example=data.get("example"),
        )
        uv, added = _add_to_vocabulary(user, word, source=data.get("source") or "manual")
        if not added:
            db.session.rollback()
            return json_error("Word already in your vocabulary", 409, word_id=word.id)
        unlocked = check_achievements(user)
        db.session.commit()
    except Exception as e:
        db.session.rollback()
        current_app.logger.error("add word failed for %s: %s", user.id, e)
        print(f"[DEBUG] add_word exception {e!r}")
        return json_error("Could not add word", 500)

    body = {
        "message": "Word added",
        "word": serialize_word(word),
        "vocabulary": uv.to_dict(),
        "created": created,
        "xp_total": user.xp_total,
        "achievements_unlocked": [a.code for a in unlocked],
    }
    resp = jsonify(body)
    resp.status_code = 201
    resp.headers["Location"] = url_for("vocabulary.word_detail", word_id=word.id)
    return resp


@bp.route("/api/vocabulary/suggestions", methods=["GET", "POST"])
@jwt_required()
def vocabulary_suggestions():
    user = get_current_user()
    if user is None:
        return json_error("User not found", 404)

    if request.method == "GET":
        limit = parse_int(request.args.get("limit"), 10, minimum=1, maximum=50)
        category_id = parse_int(request.args.get("category_id"), 0) or None
        words = _suggested_words(user, category_id, limit)
        return jsonify({"suggestions": [serialize_word(w) for w in words], "count": len(words)})

    # POST: add suggested words, either the ones the client shows or the next N suggestions
    data = get_json_body()
    word_ids = data.get("word_ids")
    if word_ids is None:
        count = parse_int(data.get("count"), 5, minimum=1, maximum=50)
        words = _suggested_words(user, parse_int(data.get("category_id"), 0) or None, count)
    else:
        if not isinstance(word_ids, list) or not all(isinstance(i, int) for i in word_ids):
            return json_error("word_ids must be a list of integers", 400)
        words = []
        for word_id in word_ids:
            word = db.session.get(Word, word_id)
            if word is not None:
                words.append(word)
    added, skipped = [], []
    try:
        for word in words:
            uv, was_added = _add_to_vocabulary(user, word, source="suggested")
            (added if was_added else skipped).append(word.id)
        db.session.commit()
    except Exception as e:
        db.session.rollback()
        current_app.logger.error("adding suggestions failed: %s", e)
        return json_error("Could not add suggested words", 500)
    return jsonify({"added": added, "skipped": skipped, "xp_total": user.xp_total}), 201 if added else 200


@bp.route("/api/vocabulary/bulk", methods=["POST"])
@jwt_required()
def bulk_add_words():
    user = get_current_user()
    if user is None:
        return json_error("User not found", 404)
    data = get_json_body()
    items = data.get("words")
    if not isinstance(items, list) or not items:
        return json_error("words must be a non-empty list", 400)
    if len(items) > BULK_LIMIT:
        return json_error(f"At most {BULK_LIMIT} words per request", 400)
    default_category = parse_int(data.get("category_id"), 0) or None

    results = []
    added = 0
    try:
        for index, item in enumerate(items):
            if isinstance(item, str):
                item = {"text": item}
            if not isinstance(item, dict) or not (item.get("text") or "").strip():
                results.append({"index": index, "status": "invalid"})
                continue
            text = item["text"].strip()[:100]
            category_id = parse_int(item.get("category_id"), 0) or default_category
            if category_id and db.session.get(Category, category_id) is None:
                results.append({"index": index, "text": text, "status": "unknown_category"})
                continue
            word, created = _find_or_create_word(
                text, (item.get("translation") or "").strip() or None, category_id, user,
                part_of_speech=item.get("part_of_speech"),
            )
            uv, was_added = _add_to_vocabulary(user, word, source="bulk")
            if was_added:
                added += 1
            results.append(
                {
                    "index": index,
                    "text": text,
                    "word_id": word.id,
                    "status": "added" if was_added else "duplicate",
                    "created": created,
                }
            )
        db.session.commit()
    except Exception as e:
        db.session.rollback()
        print(f"[DEBUG] bulk add failed after {len(results)} items: {e}")
        current_app.logger.exception("bulk add failed")
        return json_error("Bulk add failed", 500)
    current_app.logger.info("bulk add by %s: %d of %d added", user.username, added, len(items))
    return jsonify({"added": added, "total": len(items), "results": results, "xp_total": user.xp_total}), 201


@bp.route("/api/vocabulary", methods=["GET"])
@jwt_required()
def user_vocabulary():
    user = get_current_user()
    if user is None:
        return json_error("User not found", 404)
    query = UserVocabulary.query.filter_by(user_id=user.id)
    status = request.args.get("status")
    if status:
        if status not in VALID_STATUSES:
            return json_error(f"status must be one of {', '.join(VALID_STATUSES)}", 400)
        query = query.filter(UserVocabulary.status == status)
    category_id = request.args.get("category_id")
    if category_id:
        query = query.join(Word, UserVocabulary.word_id == Word.id).filter(
            Word.category_id == parse_int(category_id, 0)
        )
    entries, meta = paginate_query(query.order_by(UserVocabulary.id))
    items = []
    for uv in entries:
        item = uv.to_dict()
        # three lazy loads per row: the word, its category, and the word again for the dict
        item["text"] = uv.word.text
        item["translation"] = uv.word.translation
        item["category"] = uv.word.category.name if uv.word.category else None
        item["word"] = uv.word.to_dict()
        items.append(item)
    counts = {s: UserVocabulary.query.filter_by(user_id=user.id, status=s).count() for s in VALID_STATUSES}
    return jsonify({"vocabulary": items, "pagination": meta, "counts": counts})


@bp.route("/api/vocabulary/<int:word_id>", methods=["GET", "DELETE"])
@jwt_required()
def vocabulary_entry(word_id):
    user = get_current_user()
    if user is None:
        return json_error("User not found", 404)
    uv = UserVocabulary.query.filter_by(user_id=user.id, word_id=word_id).first()
    if uv is None:
        return json_error("Word is not in your vocabulary", 404)
    if request.method == "GET":
        data = uv.to_dict()
        data["word"] = serialize_word(uv.word)
        answers = (
            PracticeAnswer.query.join(PracticeSession, PracticeAnswer.session_id == PracticeSession.id)
            .filter(PracticeSession.user_id == user.id, PracticeAnswer.word_id == word_id)
            .order_by(PracticeAnswer.id.desc())
            .limit(10)
            .all()
        )
        data["recent_answers"] = [
            {"is_correct": a.is_correct, "user_answer": a.user_answer, "answered_at": iso(a.answered_at)}
            for a in answers
        ]
        return jsonify({"entry": data})
    try:
        db.session.delete(uv)
        db.session.commit()
    except Exception as e:
        db.session.rollback()
        current_app.logger.error("could not remove %s from %s: %s", word_id, user.id, e)
        return json_error("Could not remove word", 500)
    return jsonify({"message": "Removed from vocabulary", "word_id": word_id})


@bp.route("/api/vocabulary/<int:word_id>/status", methods=["PUT", "PATCH"])
@jwt_required()
def update_word_status(word_id):
    user = get_current_user()
    if user is None:
        return json_error("User not found", 404)
    data = get_json_body()
    status = data.get("status")
    if status not in VALID_STATUSES:
        return json_error(f"status must be one of {', '.join(VALID_STATUSES)}", 400)
    word = get_word_or_404(word_id)
    uv = UserVocabulary.query.filter_by(user_id=user.id, word_id=word.id).first()
    if uv is None:
        if not data.get("add_if_missing"):
            return json_error("Word is not in your vocabulary", 404)
        uv, _ = _add_to_vocabulary(user, word, source="status")
    previous = uv.status
    uv.status = status
    unlocked = []
    try:
        if status == "known" and previous != "known":
            # XP only the first time a word becomes known; un-knowing and re-knowing is farmed
            already = XPTransaction.query.filter_by(user_id=user.id, reason=f"word_known:{word.id}").first()
            if already is None:
                give_xp(user, f"word_known:{word.id}", xp.XP_RULES["word_known"])
            log_activity(user, "word_known", {"word_id": word.id})
            unlocked = check_achievements(user)
        db.session.commit()
    except Exception as e:
        db.session.rollback()
        print(f"[DEBUG] status update failed: {e}")
        return json_error("Could not update status", 500)
    return jsonify(
        {
            "message": "Status updated",
            "entry": uv.to_dict(),
            "previous_status": previous,
            "xp_total": user.xp_total,
            "achievements_unlocked": [a.code for a in unlocked],
        }
    )


@bp.route("/api/vocabulary/export", methods=["GET"])
@jwt_required()
def export_vocabulary():
    user = get_current_user()
    if user is None:
        return json_error("User not found", 404)
    fmt = request.args.get("format", "json")
    rows = []
    for uv in UserVocabulary.query.filter_by(user_id=user.id).order_by(UserVocabulary.id).all():
        word = uv.word
        rows.append(
            {
                "text": word.text,
                "translation": word.translation or "",
                "category": word.category.name if word.category else "",
                "status": uv.status,
                "correct": uv.correct_count or 0,
                "incorrect": uv.incorrect_count or 0,
            }
        )
    if fmt == "csv":
        import csv
        import io

        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=["text", "translation", "category", "status", "correct", "incorrect"])
        writer.writeheader()
        writer.writerows(rows)
        resp = make_response(buf.getvalue())
        resp.headers["Content-Type"] = "text/csv; charset=utf-8"
        resp.headers["Content-Disposition"] = f"attachment; filename={user.username}-vocabulary.csv"
        return resp
    if fmt != "json":
        return json_error("format must be json or csv", 400)
    return jsonify({"username": user.username, "count": len(rows), "words": rows})


# ---- excluded words ---------------------------------------------------------------------------


@bp.route("/api/excluded-words", methods=["GET", "POST"])
@jwt_required()
def excluded_words():
    user = get_current_user()
    if user is None:
        return json_error("User not found", 404)
    if request.method == "GET":
        rows = ExcludedWord.query.filter_by(user_id=user.id).order_by(ExcludedWord.word_text, ExcludedWord.id).all()
        return jsonify(
            {
                "excluded_words": [
                    {"id": r.id, "word": r.word_text, "reason": r.reason, "created_at": iso(r.created_at)}
                    for r in rows
                ],
                "count": len(rows),
            }
        )

    data = get_json_body()
    words = data.get("words")
    if words is None and data.get("word"):
        words = [data["word"]]
    if not isinstance(words, list) or not words or not all(isinstance(w, str) for w in words):
        return json_error("word or words (a list of strings) is required", 400)
    reason = (data.get("reason") or "manual")[:50]
    added, skipped = [], []
    try:
        for raw in words:
            word = text_processing.normalize_word(raw)
            if not word:
                skipped.append(raw)
                continue
            exists = ExcludedWord.query.filter_by(user_id=user.id, word_text=word).first()
            if exists or word in added:
                skipped.append(word)
                continue
            db.session.add(ExcludedWord(user_id=user.id, word_text=word, reason=reason, created_at=utcnow()))
            added.append(word)
        db.session.commit()
    except Exception as e:
        db.session.rollback()
        current_app.logger.error("exclude failed: %s", e)
        return json_error("Could not exclude words", 500)
    return jsonify({"added": added, "skipped": skipped}), 201 if added else 200


@bp.route("/api/excluded-words/<int:excluded_id>", methods=["DELETE"])
@jwt_required()
def delete_excluded_word(excluded_id):
    user = get_current_user()
    if user is None:
        return json_error("User not found", 404)
    row = db.session.get(ExcludedWord, excluded_id)
    if row is None or row.user_id != user.id:
        return json_error("Excluded word not found", 404)
    db.session.delete(row)
    db.session.commit()
    return jsonify({"message": "Word no longer excluded", "word": row.word_text})


@bp.route("/api/words/<int:word_id>/examples", methods=["GET", "POST"])
@jwt_required()
def word_examples(word_id):
    user = get_current_user()
    if user is None:
        return json_error("User not found", 404)
    word = get_word_or_404(word_id)
    language = request.args.get("language") or user.target_language or "de"
    n = parse_int(request.args.get("n"), 3, minimum=1, maximum=5)
    cache_key = f"examples:{word.id}:{language}"

    if request.method == "GET":
        cached = cache_get(cache_key)
        if cached is not None:
            return jsonify({"word_id": word.id, "word": word.text, "examples": cached, "source": "memory"})
        stored = ExampleSentence.query.filter_by(word_id=word.id).order_by(ExampleSentence.id).all()
        if stored:
            examples = [{"sentence": s.sentence, "translation": s.translation} for s in stored[:n]]
            cache_set(cache_key, examples, ttl=3600)
            return jsonify({"word_id": word.id, "word": word.text, "examples": examples, "source": "database"})
    else:
        # POST regenerates: throw away what we have and ask the model again
        ExampleSentence.query.filter_by(word_id=word.id).delete()
        cache_clear(prefix=f"examples:{word.id}:")

    client = get_llm_client(user)
    started = time.time()
    try:
        examples = client.example_sentences(word.text, language, n=n)
    except LLMError:
        db.session.rollback()
        raise
    current_app.logger.info("example sentences for %s took %.0f ms", word.text, (time.time() - started) * 1000)
    try:
        for ex in examples:
            db.session.add(
                ExampleSentence(
                    word_id=word.id,
                    sentence=ex["sentence"],
                    translation=ex.get("translation"),
                    model=client.model,
                    created_at=utcnow(),
                )
            )
        db.session.commit()
    except Exception as e:
        db.session.rollback()
        print(f"[DEBUG] could not store examples for {word.id}: {e}")
    cache_set(cache_key, examples, ttl=3600)
    status = 201 if request.method == "POST" else 200
    return jsonify({"word_id": word.id, "word": word.text, "examples": examples, "source": "llm"}), status


@bp.route("/api/categories/<int:category_id>/top-words", methods=["GET"])
@jwt_required(optional=True)
def category_top_words(category_id):
    category = get_category_or_404(category_id)
    limit = parse_int(request.args.get("limit"), TOP_WORDS_LIMIT, minimum=1, maximum=TOP_WORDS_LIMIT)
    user_id = _optional_user_id()
    print(f"[top-words] category={category_id} limit={limit} user={user_id}")

    rows = top_words_query(category_id=category.id, limit=limit)
    words = [top_word_entry(rank, word, learners, user_id) for rank, (word, learners) in enumerate(rows, 1)]
    return jsonify(
        {
            "category": category.to_dict(),
            "count": len(words),
            "limit": limit,
            "words": words,
            "generated_at": iso(utcnow()),
            "links": {
                "overall": url_for("vocabulary.top_words_overall"),
                "by_category": url_for("vocabulary.top_words_by_category"),
            },
        }
    )


@bp.route("/api/top-words", methods=["GET"])
@jwt_required(optional=True)
def top_words_overall():
    limit = parse_int(request.args.get("limit"), TOP_WORDS_LIMIT, minimum=1, maximum=TOP_WORDS_LIMIT)
    level = request.args.get("level") or None
    if level is not None and level not in ("A1", "A2", "B1", "B2", "C1", "C2"):
        return json_error("Unknown level", 400, level=level)
    user_id = _optional_user_id()

    rows = top_words_query(level=level, limit=limit)
    words = [top_word_entry(rank, word, learners, user_id) for rank, (word, learners) in enumerate(rows, 1)]
    return jsonify(
        {"level": level, "limit": limit, "count": len(words), "words": words, "generated_at": iso(utcnow())}
    )


@bp.route("/api/top-words/by-category", methods=["GET"])
@jwt_required(optional=True)
def top_words_by_category():
    """A preview of every category's top list: one heavy query per category."""
    per_category = parse_int(
        request.args.get("per_category"), TOP_WORDS_PER_CATEGORY_PREVIEW, minimum=1, maximum=20
    )
    user_id = _optional_user_id()
    result = []
    for category in Category.query.order_by(Category.id).all():
        rows = top_words_query(category_id=category.id, limit=per_category)
        result.append(
            {
                "category": category.to_dict(),
                "word_count": Word.query.filter_by(category_id=category.id).count(),
                "words": [
                    top_word_entry(rank, word, learners, user_id)
                    for rank, (word, learners) in enumerate(rows, 1)
                ],
                "links": {"full": url_for("vocabulary.category_top_words", category_id=category.id)},
            }
        )
    return jsonify({"per_category": per_category, "count": len(result), "categories": result})
