"""Shared kernel: helpers, classes and state from app.py used by several domains or by the app."""

from flask import request

PUBLIC_ENDPOINTS = ("auth.login", "shop.catalog")


def current_user():
    return request.headers.get("X-User")
