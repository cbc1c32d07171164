"""Request hooks, error handlers and template helpers from legacy/app.py; create_app registers them."""

import time
import uuid

from flask import current_app, g, jsonify, request

from .shared.helpers import DEBUG_REQUESTS, REQUEST_STATS, json_error
from .shared.models import db

# ---- request hooks --------------------------------------------------------------------------


def before_request_timing():
    g.request_started = time.time()
    g.request_id = uuid.uuid4().hex[:12]
    REQUEST_STATS["total"] += 1
    endpoint = request.endpoint or "<unmatched>"
    REQUEST_STATS["by_endpoint"][endpoint] = REQUEST_STATS["by_endpoint"].get(endpoint, 0) + 1
    if DEBUG_REQUESTS:
        print(f"[DEBUG] --> {request.method} {request.path} args={dict(request.args)}")


def reject_oversized_json():
    if request.method in ("POST", "PUT", "PATCH") and request.content_length:
        if request.content_length > current_app.config["MAX_CONTENT_LENGTH"]:
            return json_error("Request body too large", 413)
    return None


def after_request_headers(response):
    started = getattr(g, "request_started", None)
    if started is not None:
        elapsed_ms = (time.time() - started) * 1000
        response.headers["X-Response-Time"] = f"{elapsed_ms:.1f}ms"
        if elapsed_ms > 1000:
            current_app.logger.warning("slow request %s %s: %.0f ms", request.method, request.path, elapsed_ms)
    response.headers["X-Request-ID"] = getattr(g, "request_id", "")
    response.headers["X-API-Version"] = "2.7"
    response.headers.setdefault("Cache-Control", "no-store")
    if response.status_code >= 400:
        REQUEST_STATS["errors"] += 1
    if DEBUG_REQUESTS:
        print(f"[DEBUG] <-- {request.method} {request.path} {response.status_code}")
    return response


def teardown_session(exc):
    if exc is not None:
        print(f"[DEBUG] request failed: {exc!r}")
        db.session.rollback()


# ---- error handlers -------------------------------------------------------------------------


def handle_api_error(err):
    body = {"error": err.message}
    body.update(err.payload)
    return jsonify(body), err.status


def bad_request(err):
    return json_error(getattr(err, "description", None) or "Bad request", 400)


def not_found(err):
    return json_error("Not found", 404, path=request.path)


def method_not_allowed(err):
    return json_error("Method not allowed", 405, method=request.method)


def too_large(err):
    return json_error("Request body too large", 413)


def handle_llm_error(err):
    current_app.logger.error("LLM call failed: %s", err)
    return json_error("Language model unavailable", 502, detail=str(err))


def internal_error(err):
    db.session.rollback()
    current_app.logger.exception("unhandled error on %s", request.path)
    return json_error("Internal server error", 500)
