"""The content domain's routes, moved from legacy/app.py: a Blueprint; handlers are verbatim."""

import time

import requests
from flask import Blueprint, current_app, jsonify, request, url_for
from flask_jwt_extended import jwt_required
from sqlalchemy import func

from ..gamification.services import check_achievements, give_xp, log_activity
from ..shared.helpers import (
    admin_required,
    cache_get,
    cache_set,
    get_current_user,
    get_json_body,
    get_llm_client,
    json_error,
    paginate_query,
    parse_int,
    redis_incr,
    utcnow,
)
from ..shared.models import ExcludedWord, NewsArticle, TextSubmission, UserVocabulary, Word, db
from ..shared.services import text_processing
from ..vocabulary.services import _add_to_vocabulary, _find_or_create_word
from .services import (
    ARTICLE_WORDS_DEFAULT_LIMIT,
    ARTICLE_WORDS_MAX_LIMIT,
    MAX_TEXT_LENGTH,
    MAX_TRANSLATE_WORDS,
    NEWS_DEFAULT_LIMIT,
    NEWS_FEED_STATE,
    NEWS_MAX_LIMIT,
    TRANSLATE_PER_MINUTE,
    _article_already_read,
    _known_and_excluded,
    _submission_dict,
    _valid_article_url,
    download_article,
    fetch_news_feed,
    serialize_article,
)

bp = Blueprint("content", __name__)


@bp.route("/api/text/submit", methods=["POST"])
@jwt_required()
def submit_text():
    user = get_current_user()
    if user is None:
        return json_error("User not found", 404)
    data = get_json_body()
    content = (data.get("content") or data.get("text") or "").strip()
    if not content:
        return json_error("content is required", 400)
    if len(content) > MAX_TEXT_LENGTH:
        return json_error(f"Text is longer than {MAX_TEXT_LENGTH} characters", 400)
    title = (data.get("title") or "").strip()[:200] or content.split("\n", 1)[0][:60]

    tokens = text_processing.tokenize(content)
    known, excluded = _known_and_excluded(user)
    unknown = text_processing.extract_unknown_words(content, known, excluded)
    print(f"[DEBUG] text from {user.username}: {len(tokens)} tokens, {len(unknown)} unknown")
    try:
        sub = TextSubmission(
            user_id=user.id,
            title=title,
            content=content,
            word_count=len(tokens),
            unknown_count=len(unknown),
            source_url=(data.get("source_url") or None),
            created_at=utcnow(),
        )
        db.session.add(sub)
        give_xp(user, "text_processed")
        log_activity(user, "text_processed", {"words": len(tokens)})
        db.session.flush()
        unlocked = check_achievements(user)
        db.session.commit()
    except Exception as e:
        db.session.rollback()
        current_app.logger.error("saving text failed: %s", e)
        return json_error("Could not save text", 500)

    body = _submission_dict(sub)
    body["unknown_words"] = unknown[:100]
    body["top_words"] = [
        {"word": w, "count": c} for w, c in text_processing.word_frequencies(content)[:10]
    ]
    body["achievements_unlocked"] = [a.code for a in unlocked]
    resp = jsonify({"submission": body})
    resp.status_code = 201
    resp.headers["Location"] = url_for("content.text_detail", submission_id=sub.id)
    return resp


@bp.route("/api/text/<int:submission_id>", methods=["GET", "DELETE"])
@jwt_required()
def text_detail(submission_id):
    user = get_current_user()
    if user is None:
        return json_error("User not found", 404)
    sub = db.session.get(TextSubmission, submission_id)
    if sub is None or sub.user_id != user.id:
        return json_error("Text not found", 404)
    if request.method == "DELETE":
        db.session.delete(sub)
        db.session.commit()
        return jsonify({"message": "Text deleted", "id": submission_id})
    known, excluded = _known_and_excluded(user)
    data = _submission_dict(sub, with_content=True)
    data["unknown_words"] = text_processing.extract_unknown_words(sub.content, known, excluded)
    data["frequencies"] = [
        {"word": w, "count": c} for w, c in text_processing.word_frequencies(sub.content)[:20]
    ]
    return jsonify({"submission": data})


@bp.route("/api/text/extract-unknown", methods=["POST"])
@jwt_required()
def extract_unknown():
    user = get_current_user()
    if user is None:
        return json_error("User not found", 404)
    data = get_json_body()
    content = data.get("text")
    if not content and data.get("submission_id"):
        sub = db.session.get(TextSubmission, parse_int(data["submission_id"], 0))
        if sub is None or sub.user_id != user.id:
            return json_error("Text not found", 404)
        content = sub.content
    if not content or not isinstance(content, str):
        return json_error("text or submission_id is required", 400)
    if len(content) > MAX_TEXT_LENGTH:
        return json_error(f"Text is longer than {MAX_TEXT_LENGTH} characters", 400)

    excluded = set(e.word_text for e in ExcludedWord.query.filter_by(user_id=user.id).all())
    seen = []
    results = []
    for token in text_processing.tokenize(content):
        word = text_processing.normalize_word(token)
        if len(word) < 2 or word in seen or word in excluded or word in text_processing.STOPWORDS:
            continue
        seen.append(word)
        # look every token up in the catalogue, then in the user's vocabulary
        catalogue = Word.query.filter(func.lower(Word.text) == word).order_by(Word.id).first()
        if catalogue is not None:
            uv = UserVocabulary.query.filter_by(user_id=user.id, word_id=catalogue.id).first()
            if uv is not None and uv.status == "known":
                continue
            results.append(
                {
                    "word": word,
                    "in_catalogue": True,
                    "word_id": catalogue.id,
                    "translation": catalogue.translation,
                    "in_vocabulary": uv is not None,
                    "category": catalogue.category.name if catalogue.category else None,
                }
            )
        else:
            results.append(
                {"word": word, "in_catalogue": False, "word_id": None, "translation": None,
                 "in_vocabulary": False, "category": None}
            )
        if len(results) >= 200:
            break
    current_app.logger.info("extracted %d unknown words for %s", len(results), user.username)
    return jsonify({"unknown_words": results, "count": len(results), "token_count": len(seen)})


@bp.route("/api/text/translate", methods=["POST"])
@jwt_required()
def translate_unknown_words():
    user = get_current_user()
    if user is None:
        return json_error("User not found", 404)
    data = get_json_body()
    words = data.get("words")
    if words is None and data.get("submission_id"):
        sub = db.session.get(TextSubmission, parse_int(data["submission_id"], 0))
        if sub is None or sub.user_id != user.id:
            return json_error("Text not found", 404)
        known, excluded = _known_and_excluded(user)
        words = text_processing.extract_unknown_words(sub.content, known, excluded)[:MAX_TRANSLATE_WORDS]
    if not isinstance(words, list) or not words or not all(isinstance(w, str) for w in words):
        return json_error("words must be a non-empty list of strings", 400)
    if len(words) > MAX_TRANSLATE_WORDS:
        return json_error(f"At most {MAX_TRANSLATE_WORDS} words per request", 400)

    minute = utcnow().strftime("%Y%m%d%H%M")
    calls = redis_incr(f"rl:translate:{user.id}:{minute}", ex=120)
    if calls is not None and calls > TRANSLATE_PER_MINUTE:
        return json_error("Translation rate limit reached, wait a minute", 429)

    source = data.get("source") or user.target_language or "de"
    target = data.get("target") or user.native_language or "en"
    words = [text_processing.normalize_word(w) for w in words]
    translations = {}
    missing = []
    for word in words:
        cached = cache_get(f"translation:{source}:{target}:{word}")
        if cached is not None:
            translations[word] = cached
        elif word not in missing:
            missing.append(word)

    if missing:
        client = get_llm_client(user)
        started = time.time()
        print(f"[DEBUG] translating {len(missing)} words via {client.base_url}")
        result = client.translate_words(missing, source, target)  # synchronous, no timeout
        current_app.logger.info("LLM translated %d words in %.0f ms", len(missing), (time.time() - started) * 1000)
        for word in missing:
            value = result.get(word)
            if value is None:
                # the model sometimes changes the case of the keys
                value = next((v for k, v in result.items() if k.lower() == word), None)
            if value:
                translations[word] = value
                cache_set(f"translation:{source}:{target}:{word}", value, ttl=0)  # forever

    items = [{"word": w, "translation": translations.get(w)} for w in dict.fromkeys(words)]
    return jsonify(
        {
            "source": source,
            "target": target,
            "translations": items,
            "cached": len(words) - len(missing),
            "model": get_llm_client(user).model,
        }
    )


@bp.route("/api/text/<int:submission_id>/add-words", methods=["POST"])
@jwt_required()
def add_words_from_text(submission_id):
    user = get_current_user()
    if user is None:
        return json_error("User not found", 404)
    sub = db.session.get(TextSubmission, submission_id)
    if sub is None or sub.user_id != user.id:
        return json_error("Text not found", 404)
    data = get_json_body()
    items = data.get("words")
    if not isinstance(items, list) or not items:
        return json_error("words must be a non-empty list", 400)
    added, skipped = [], []
    try:
        for item in items:
            if isinstance(item, str):
                item = {"word": item}
            text = text_processing.normalize_word((item or {}).get("word") or "")
            if not text:
                continue
            word, _ = _find_or_create_word(text, item.get("translation"), None, user)
            if word.translation is None and item.get("translation"):
                word.translation = item["translation"]
            uv, was_added = _add_to_vocabulary(user, word, source="text")
            (added if was_added else skipped).append({"word": text, "word_id": word.id})
        db.session.commit()
    except Exception as e:
        db.session.rollback()
        print(f"[DEBUG] add words from text {submission_id} failed: {e}")
        return json_error("Could not add words", 500)
    return jsonify({"added": added, "skipped": skipped, "xp_total": user.xp_total}), 201 if added else 200


@bp.route("/api/text/history", methods=["GET"])
@jwt_required()
def text_history():
    user = get_current_user()
    if user is None:
        return json_error("User not found", 404)
    query = TextSubmission.query.filter_by(user_id=user.id).order_by(TextSubmission.id.desc())
    subs, meta = paginate_query(query, per_page=request.args.get("per_page", 20))
    totals = {"texts": meta["total"], "words": 0}
    for s in TextSubmission.query.filter_by(user_id=user.id).all():
        totals["words"] += s.word_count or 0
    return jsonify({"texts": [_submission_dict(s) for s in subs], "pagination": meta, "totals": totals})


@bp.route("/api/news", methods=["GET"])
@jwt_required()
def news_feed():
    user = get_current_user()
    if user is None:
        return json_error("User not found", 401)
    limit = parse_int(request.args.get("limit"), NEWS_DEFAULT_LIMIT, minimum=1, maximum=NEWS_MAX_LIMIT)

    feed_title, items = fetch_news_feed()

    result = []
    for item in items[:limit]:
        # one lookup per feed item to see whether we already have the full text
        stored = NewsArticle.query.filter_by(url=item["link"]).first()
        entry = dict(item)
        entry["article_id"] = stored.id if stored else None
        entry["fetched"] = bool(stored and stored.content)
        entry["links"] = {"article": url_for("content.news_article", url=item["link"])}
        result.append(entry)

    current_app.logger.info("news feed for %s: %d items", user.username, len(result))
    return jsonify(
        {
            "source": feed_title,
            "feed_url": current_app.config["NEWS_FEED_URL"],
            "count": len(result),
            "total": len(items),
            "items": result,
        }
    )


@bp.route("/api/news/article", methods=["GET"])
@jwt_required()
def news_article():
    """Full text of an article, fetched from the news site on first request and kept in the DB."""
    user = get_current_user()
    if user is None:
        return json_error("User not found", 401)
    url = (request.args.get("url") or "").strip()
    if not url:
        return json_error("Missing 'url' parameter", 400)
    if not _valid_article_url(url):
        return json_error("'url' must be an http(s) URL", 400, url=url)
    refresh = request.args.get("refresh", "").lower() in ("1", "true", "yes")

    article = NewsArticle.query.filter_by(url=url).first()
    cached = article is not None and bool(article.content) and not refresh
    if not cached:
        try:
            cleaned = download_article(url)
        except requests.RequestException as exc:
            current_app.logger.error("article fetch failed for %s: %s", url, exc)
            return json_error("Could not fetch the article", 502, detail=str(exc))
        if article is None:
            article = NewsArticle(url=url)
            db.session.add(article)
        article.title = cleaned["title"] or article.title
        article.content = cleaned["text"]
        article.fetched_at = utcnow()
        try:
            db.session.commit()
        except Exception as exc:
            db.session.rollback()
            print(f"[news] could not store article {url}: {exc}")
            # somebody else stored it in the meantime
            article = NewsArticle.query.filter_by(url=url).first()
            if article is None:
                return json_error("Could not store the article", 500)

    data = serialize_article(article, include_content=True)
    data["cached"] = cached
    return jsonify(data)


@bp.route("/api/news/articles", methods=["GET"])
@jwt_required()
def list_news_articles():
    query = NewsArticle.query.order_by(NewsArticle.id.desc())
    if request.args.get("with_content", "").lower() in ("1", "true", "yes"):
        query = query.filter(NewsArticle.content.isnot(None))
    items, meta = paginate_query(query, max_per_page=50)
    links = {}
    if meta["page"] < meta["pages"]:
        links["next"] = url_for("content.list_news_articles", page=meta["page"] + 1, per_page=meta["per_page"])
    if meta["page"] > 1:
        links["prev"] = url_for("content.list_news_articles", page=meta["page"] - 1, per_page=meta["per_page"])
    return jsonify(
        {"articles": [serialize_article(a) for a in items], "pagination": meta, "links": links}
    )


@bp.route("/api/news/articles/<int:article_id>", methods=["GET"])
@jwt_required()
def get_news_article(article_id):
    article = db.session.get(NewsArticle, article_id)
    if article is None:
        return json_error("Article not found", 404)
    return jsonify(serialize_article(article, include_content=True))


@bp.route("/api/news/articles/<int:article_id>/words", methods=["POST"])
@jwt_required()
def news_article_words(article_id):
    """Words of the article the user does not know yet, in order of first appearance."""
    user = get_current_user()
    if user is None:
        return json_error("User not found", 401)
    article = db.session.get(NewsArticle, article_id)
    if article is None:
        return json_error("Article not found", 404)
    if not article.content:
        return json_error(
            "Article has no text yet; fetch it first",
            409,
            links={"fetch": url_for("content.news_article", url=article.url)},
        )
    body = get_json_body()
    limit = parse_int(
        body.get("limit"), ARTICLE_WORDS_DEFAULT_LIMIT, minimum=1, maximum=ARTICLE_WORDS_MAX_LIMIT
    )
    mark_read = body.get("mark_read", True) is not False

    text = (article.title or "") + "\n" + article.content
    tokens = text_processing.tokenize(text)
    frequencies = dict(text_processing.word_frequencies(text))

    seen = set()
    unknown = []
    known_count = 0
    excluded_count = 0
    for token in tokens:
        word_text = text_processing.normalize_word(token)
        if len(word_text) < 2 or word_text in seen or word_text in text_processing.STOPWORDS:
            continue
        seen.add(word_text)
        # three queries per distinct word of the article
        excluded = ExcludedWord.query.filter(
            ExcludedWord.user_id == user.id, func.lower(ExcludedWord.word_text) == word_text
        ).first()
        if excluded is not None:
            excluded_count += 1
            continue
        word = Word.query.filter(func.lower(Word.text) == word_text).order_by(Word.id).first()
        entry = {
            "word": word_text,
            "count": frequencies.get(word_text, 1),
            "word_id": None,
            "translation": None,
            "category": None,
            "in_vocabulary": False,
            "status": None,
        }
        if word is not None:
            uv = UserVocabulary.query.filter_by(user_id=user.id, word_id=word.id).first()
            if uv is not None and uv.status == "known":
                known_count += 1
                continue
            entry.update(
                word_id=word.id,
                translation=word.translation,
                category=word.category.name if word.category else None,
                in_vocabulary=uv is not None,
                status=uv.status if uv else None,
            )
        if len(unknown) < limit:
            unknown.append(entry)

    xp_awarded = 0
    unlocked = []
    if mark_read and not _article_already_read(user, article):
        try:
            log_activity(user, "article_read", {"article_id": article.id})
            before = user.xp_total or 0
            give_xp(user, "article_read")
            xp_awarded = (user.xp_total or 0) - before
            # "Reader" and friends; awards their XP on top
            unlocked = check_achievements(user)
            db.session.commit()
        except Exception as exc:
            db.session.rollback()
            xp_awarded = 0
            unlocked = []
            current_app.logger.error("could not mark article %s read for %s: %s", article.id, user.id, exc)

    return jsonify(
        {
            "article_id": article.id,
            "title": article.title,
            "total_tokens": len(tokens),
            "unique_words": len(seen),
            "known": known_count,
            "excluded": excluded_count,
            "unknown_count": len(unknown),
            "unknown": unknown,
            "xp_awarded": xp_awarded,
            "unlocked": sorted(a.code for a in unlocked),
            "links": {"article": url_for("content.get_news_article", article_id=article.id)},
        }
    )


@bp.route("/api/admin/news/refresh", methods=["POST"])
@admin_required
def refresh_news_cache():
    """Re-read the feed and (optionally) download every article again. One request per item."""
    body = get_json_body()
    fetch_articles = body.get("fetch_articles", True) is not False
    force = bool(body.get("force", False))
    limit = parse_int(body.get("limit"), NEWS_MAX_LIMIT, minimum=1, maximum=NEWS_MAX_LIMIT)
    started = time.time()

    feed_title, items = fetch_news_feed()
    created = updated = fetched = 0
    errors = []
    for item in items[:limit]:
        article = NewsArticle.query.filter_by(url=item["link"]).first()
        if article is None:
            article = NewsArticle(url=item["link"])
            db.session.add(article)
            created += 1
        else:
            updated += 1
        article.title = item["title"] or article.title
        article.summary = item["summary"]
        article.published = item["published"]
        if fetch_articles and (force or not article.content):
            try:
                cleaned = download_article(item["link"])
                article.content = cleaned["text"]
                article.title = cleaned["title"] or article.title
                article.fetched_at = utcnow()
                fetched += 1
            except Exception as exc:
                print(f"[news] refresh: {item['link']} failed: {exc}")
                errors.append({"url": item["link"], "error": str(exc)})
    try:
        db.session.commit()
    except Exception as exc:
        db.session.rollback()
        current_app.logger.exception("news refresh failed")
        return json_error("Could not store the articles", 500, detail=str(exc))

    current_app.logger.info(
        "news refresh: %d created, %d updated, %d fetched, %d failed",
        created, updated, fetched, len(errors),
    )
    return jsonify(
        {
            "source": feed_title,
            "total": min(len(items), limit),
            "created": created,
            "updated": updated,
            "fetched": fetched,
            "failed": len(errors),
            "errors": errors,
            "took_ms": int((time.time() - started) * 1000),
            "state": dict(NEWS_FEED_STATE),
            "links": {"articles": url_for("content.list_news_articles")},
        }
    )
