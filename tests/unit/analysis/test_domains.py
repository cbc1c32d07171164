"""Domain plans: config matching rules, pins, the proposal, and the partition quality."""

from __future__ import annotations

from collections.abc import Callable

from decompose.analysis.domains import rule_matches
from decompose.config import config_from_mapping
from decompose.model import AnalysisResult

Run = Callable[..., AnalysisResult]

SHOP = {
    "app.py": '''
from flask import Flask, jsonify
from models import db, Order, Product, Stock
app = Flask(__name__)

def reserve(product_id):
    s = Stock.query.filter_by(product_id=product_id).first()
    s.count -= 1
    return s

def audit(what):
    return what

@app.route("/api/products")
def products():
    return jsonify([p.id for p in Product.query.all()])

@app.route("/api/products/<int:pid>", methods=["PUT"])
def edit_product(pid):
    p = Product.query.get(pid)
    p.name = "x"
    audit("edit")
    db.session.commit()
    return ""

@app.route("/api/orders", methods=["POST"])
def order():
    reserve(1)
    db.session.add(Order())
    audit("order")
    db.session.commit()
    return ""

@app.route("/api/stock/<int:pid>", methods=["POST"])
def restock(pid):
    s = Stock.query.filter_by(product_id=pid).first()
    s.count += 10
    db.session.commit()
    return ""

@app.route("/health")
def health():
    return "ok"
''',
    "models.py": '''
from flask_sqlalchemy import SQLAlchemy
db = SQLAlchemy()

class Product(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    name = db.Column(db.String)

class Order(db.Model):
    id = db.Column(db.Integer, primary_key=True)

class Stock(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    product_id = db.Column(db.Integer, index=True)
    count = db.Column(db.Integer)
''',
}


def test_rule_patterns() -> None:
    assert rule_matches("/api/auth", "/api/auth")
    assert rule_matches("/api/auth", "/api/auth/login")
    assert not rule_matches("/api/auth", "/api/authors")
    assert rule_matches("/api/words/*/image", "/api/words/<int:word_id>/image")
    assert not rule_matches("/api/words/*/image", "/api/words/<int:word_id>/images")


def test_config_split_with_pins_and_weak_spots(run: Run) -> None:
    cfg = config_from_mapping(
        {
            "domains": {
                "catalog": {"rules": ["/api/products", "/api/stock"], "helpers": ["reserve"]},
                "orders": {"rules": ["/api/orders"]},
                "ops": {"handlers": ["health"]},
            },
            "shared": {"helpers": ["audit"]},
        }
    )
    r = run(SHOP, config=cfg)
    domains = {x.endpoint: x.domain for x in r.inventory.routes}
    assert domains == {"products": "catalog", "edit_product": "catalog", "order": "orders", "restock": "catalog", "health": "ops"}
    plan = r.domains
    assert plan.source == "config" and plan.domains == ("catalog", "orders", "ops")
    assert plan.domain_of("app.reserve") == "catalog"
    assert plan.domain_of("app.audit") == "shared"
    assert ("app.order", "orders", "app.reserve", "catalog") in plan.quality.cross_domain_edges
    assert ("Stock", ("catalog", "orders")) in plan.quality.ownership_conflicts
    assert plan.domain_of("models.Order") == "orders"
    assert plan.domain_of("models.Stock") == "shared"
    rationale = {a.qualname: a.rationale for a in plan.assignments}
    assert "pinned by [domains.catalog] helpers 'reserve'" in rationale["app.reserve"]
    assert any(f.kind == "domain.ownership_conflict" for f in r.findings)


def test_handlers_beat_rules_and_longest_rule_wins(run: Run) -> None:
    cfg = config_from_mapping(
        {
            "domains": {
                "api": {"rules": ["/api"]},
                "stock": {"rules": ["/api/stock"]},
                "special": {"handlers": ["edit_*"]},
            }
        }
    )
    r = run(SHOP, config=cfg)
    domains = {x.endpoint: x.domain for x in r.inventory.routes}
    assert domains["restock"] == "stock"
    assert domains["edit_product"] == "special"
    assert domains["products"] == "api"
    assert domains["health"] is None
    assert [f.endpoint for f in r.findings if f.kind == "domain.unassigned_route"] == ["health"]


def test_proposal_groups_by_prefix_and_explains(run: Run) -> None:
    r = run(SHOP)
    plan = r.domains
    assert plan.source == "proposal"
    domains = {x.endpoint: x.domain for x in r.inventory.routes}
    assert domains["products"] == domains["edit_product"] == "products"
    assert domains["order"] == domains["restock"]  # one-route groups writing the same Stock
    assert domains["health"] == "core"  # a lone route with no affinity
    assert all(a.rationale for a in plan.assignments)
    sizes = {d: n for d, n, _ in plan.quality.sizes}
    assert sum(sizes.values()) == len(r.inventory.routes)
