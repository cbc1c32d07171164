"""The images domain's routes, moved from legacy/app.py: a Blueprint; handlers are verbatim."""

import time

from flask import Blueprint, current_app, jsonify, request, url_for
from flask_jwt_extended import jwt_required
from sqlalchemy import func

from ..shared.helpers import (
    APIError,
    admin_required,
    get_category_or_404,
    get_current_user,
    get_json_body,
    get_word_or_404,
    is_admin,
    json_error,
    parse_int,
    redis_incr,
)
from ..shared.models import Category, Word, WordImage, db
from .services import (
    IMAGE_PREFETCH_MAX_WORDS,
    IMAGE_SEARCH_MAX_PAGE,
    IMAGE_SEARCH_MAX_PER_PAGE,
    IMAGE_SEARCH_PER_PAGE,
    IMAGE_STATS,
    image_query_for,
    redis_get,
    serialize_photo,
    serialize_word_image,
    store_word_image,
    unsplash_search,
)

bp = Blueprint("images", __name__)


@bp.route("/api/words/<int:word_id>/image", methods=["GET", "DELETE"])
@jwt_required()
def word_image(word_id):
    user = get_current_user()
    if user is None:
        return json_error("User not found", 401)
    word = get_word_or_404(word_id)

    if request.method == "DELETE":
        # shared table: only admins may throw pictures away
        if not is_admin(user):
            return json_error("Admin privileges required", 403)
        deleted = 0
        for image in db.session.query(WordImage).filter_by(word_id=word.id).all():
            db.session.delete(image)
            deleted += 1
        try:
            db.session.commit()
        except Exception as exc:
            db.session.rollback()
            current_app.logger.error("could not delete images of word %s: %s", word.id, exc)
            return json_error("Could not delete the images", 500)
        IMAGE_STATS["cleared"] += deleted
        return jsonify({"word_id": word.id, "deleted": deleted})

    image = db.session.query(WordImage).filter_by(word_id=word.id).order_by(WordImage.id).first()
    if image is not None:
        IMAGE_STATS["db_hits"] += 1
        return jsonify(serialize_word_image(image, word, cached=True))

    query = image_query_for(word)
    data = unsplash_search(query, page=1, per_page=1)
    results = data.get("results") or []
    if not results:
        return json_error("No image found for this word", 404, query=query)
    image = store_word_image(word, results[0], query)
    try:
        db.session.commit()
    except Exception as exc:
        db.session.rollback()
        print(f"[images] could not store image for word {word.id}: {exc}")
        image = db.session.query(WordImage).filter_by(word_id=word.id).order_by(WordImage.id).first()
        if image is None:
            return json_error("Could not store the image", 500)
    return jsonify(serialize_word_image(image, word, cached=False))


@bp.route("/api/words/<int:word_id>/image/refresh", methods=["POST"])
@jwt_required()
def refresh_word_image(word_id):
    """Replace the word's picture with the next search result the word has not had yet."""
    user = get_current_user()
    if user is None:
        return json_error("User not found", 401)
    word = get_word_or_404(word_id)
    body = get_json_body()
    query = ((body.get("query") or "").strip() or image_query_for(word))[:200]

    old_images = db.session.query(WordImage).filter_by(word_id=word.id).order_by(WordImage.id).all()
    current_ids = [img.source_id for img in old_images if img.source_id]

    data = unsplash_search(query, page=1, per_page=IMAGE_SEARCH_MAX_PER_PAGE, timeout=10)
    results = data.get("results") or []
    # take the result after the current picture (wrapping around), so repeated refreshes walk
    # through the search results instead of flipping between two pictures
    start = 0
    for index, photo in enumerate(results):
        if photo.get("id") in current_ids:
            start = index + 1
    candidate = None
    for offset in range(len(results)):
        photo = results[(start + offset) % len(results)]
        if photo.get("id") not in current_ids:
            candidate = photo
            break
    if candidate is None:
        return json_error("No other image available", 404, query=query)

    for img in old_images:
        db.session.delete(img)
    image = store_word_image(word, candidate, query)
    try:
        db.session.commit()
    except Exception as exc:
        db.session.rollback()
        current_app.logger.error("image refresh for word %s failed: %s", word.id, exc)
        return json_error("Could not store the image", 500)
    current_app.logger.info("%s refreshed the image of word %s", user.username, word.id)
    data = serialize_word_image(image, word, cached=False)
    data["query"] = query
    data["previous"] = sorted(current_ids)
    return jsonify(data)


@bp.route("/api/images/search", methods=["GET"])
@jwt_required()
def image_search():
    """Proxy for the image picker in the word editor (keeps the Unsplash key on the server)."""
    q = (request.args.get("q") or request.args.get("query") or "").strip()
    if not q:
        return json_error("Missing 'q' parameter", 400)
    page = parse_int(request.args.get("page"), 1, minimum=1, maximum=IMAGE_SEARCH_MAX_PAGE)
    per_page = parse_int(
        request.args.get("per_page"), IMAGE_SEARCH_PER_PAGE, minimum=1, maximum=IMAGE_SEARCH_MAX_PER_PAGE
    )
    redis_incr("stats:image_searches")

    data = unsplash_search(q, page=page, per_page=per_page, timeout=current_app.config.get("UNSPLASH_TIMEOUT", 10))
    total = int(data.get("total") or 0)
    total_pages = int(data.get("total_pages") or 0)
    links = {"self": url_for("images.image_search", q=q, page=page, per_page=per_page)}
    if page < min(total_pages, IMAGE_SEARCH_MAX_PAGE):
        links["next"] = url_for("images.image_search", q=q, page=page + 1, per_page=per_page)
    if page > 1:
        links["prev"] = url_for("images.image_search", q=q, page=page - 1, per_page=per_page)
    return jsonify(
        {
            "query": q,
            "page": page,
            "per_page": per_page,
            "total": total,
            "total_pages": total_pages,
            "results": [serialize_photo(p) for p in data.get("results") or []],
            "links": links,
        }
    )


@bp.route("/api/admin/images/stats", methods=["GET"])
@admin_required
def image_cache_stats():
    total_images = db.session.query(WordImage).count()
    total_words = Word.query.count()
    words_with_images = db.session.query(func.count(func.distinct(WordImage.word_id))).scalar() or 0

    categories = []
    for category in Category.query.order_by(Category.id).all():
        words = Word.query.filter_by(category_id=category.id).all()
        with_image = 0
        for word in words:
            if word.images:  # lazy load per word
                with_image += 1
        categories.append(
            {
                "id": category.id,
                "name": category.name,
                "words": len(words),
                "with_image": with_image,
                "coverage": round(100.0 * with_image / len(words), 1) if words else 0.0,
            }
        )

    searches = redis_get("stats:image_searches")
    return jsonify(
        {
            "total_images": total_images,
            "total_words": total_words,
            "words_with_images": words_with_images,
            "coverage": round(100.0 * words_with_images / total_words, 1) if total_words else 0.0,
            "categories": categories,
            "process": dict(IMAGE_STATS),
            "searches": int(searches) if searches else 0,
        }
    )


@bp.route("/api/admin/images/clear", methods=["POST"])
@admin_required
def clear_image_cache():
    """Drop stored word images: all of them, one category's or one word's."""
    body = get_json_body()
    category_id = body.get("category_id")
    word_id = body.get("word_id")
    deleted = 0
    try:
        if word_id is not None:
            word = get_word_or_404(parse_int(word_id, 0))
            scope = {"word_id": word.id}
            deleted = db.session.query(WordImage).filter_by(word_id=word.id).delete()
        elif category_id is not None:
            category = get_category_or_404(parse_int(category_id, 0))
            scope = {"category_id": category.id}
            for word in Word.query.filter_by(category_id=category.id).all():
                deleted += db.session.query(WordImage).filter_by(word_id=word.id).delete()
        else:
            scope = {"all": True}
            deleted = db.session.query(WordImage).delete()
        db.session.commit()
    except APIError:
        raise
    except Exception as exc:
        db.session.rollback()
        current_app.logger.exception("clearing the image cache failed")
        return json_error("Could not clear the image cache", 500, detail=str(exc))
    IMAGE_STATS["cleared"] += deleted
    current_app.logger.info("image cache cleared (%s): %d rows", scope, deleted)
    return jsonify({"deleted": deleted, "scope": scope, "links": {"stats": url_for("images.image_cache_stats")}})


@bp.route("/api/admin/images/prefetch", methods=["POST"])
@admin_required
def prefetch_category_images():
    """Warm the image table for a category before a class uses it: one Unsplash call per word."""
    body = get_json_body()
    if body.get("category_id") is None:
        return json_error("Missing 'category_id'", 400)
    category = get_category_or_404(parse_int(body.get("category_id"), 0))
    limit = parse_int(body.get("limit"), IMAGE_PREFETCH_MAX_WORDS, minimum=1, maximum=IMAGE_PREFETCH_MAX_WORDS)
    force = bool(body.get("force", False))
    started = time.time()

    fetched = skipped = 0
    errors = []
    words = Word.query.filter_by(category_id=category.id).order_by(Word.id).limit(limit).all()
    for word in words:
        existing = db.session.query(WordImage).filter_by(word_id=word.id).first()
        if existing is not None and not force:
            skipped += 1
            continue
        query = image_query_for(word)
        try:
            data = unsplash_search(query, page=1, per_page=1)
            results = data.get("results") or []
            if not results:
                errors.append({"word_id": word.id, "error": "no results"})
                continue
            if existing is not None:
                db.session.query(WordImage).filter_by(word_id=word.id).delete()
            store_word_image(word, results[0], query)
            db.session.commit()  # commit per word so a failure keeps what we have
            fetched += 1
        except Exception as exc:
            db.session.rollback()
            print(f"[images] prefetch failed for word {word.id}: {exc}")
            errors.append({"word_id": word.id, "error": str(exc)})

    took_ms = int((time.time() - started) * 1000)
    current_app.logger.info(
        "prefetched images for category %s: %d fetched, %d skipped, %d failed in %d ms",
        category.id, fetched, skipped, len(errors), took_ms,
    )
    return jsonify(
        {
            "category": category.to_dict(),
            "words": len(words),
            "fetched": fetched,
            "skipped": skipped,
            "failed": len(errors),
            "errors": errors,
            "took_ms": took_ms,
        }
    )
