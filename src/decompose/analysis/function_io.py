"""External I/O seen by the function walker: network and file calls, their timeouts, raw SQL."""

from __future__ import annotations

import ast
import re

from decompose.analysis.function_facts import (
    IO_RULES,
    IoSite,
    QuerySite,
    WriteSite,
)
from decompose.analysis.function_types import WalkerBase


class IoWalker(WalkerBase):
    """The walker's I/O half: classify a call as external I/O, and read raw SQL strings."""

    def _io(self, callee: str, node: ast.Call) -> str | None:
        # instance types carry a trailing "()" per call in the chain: strip them for matching
        clean = callee.replace("()", "")
        for prefix, label, policy, calls in IO_RULES:
            if clean == prefix or clean.startswith(prefix + "."):
                last = clean.rsplit(".", 1)[-1]
                if calls is not None and last not in calls:
                    continue
                if calls is None and last[:1].isupper() and label not in ("smtp",):
                    continue  # constructing a client is not I/O
                if clean.endswith(("Error", "Exception")):
                    continue
                timeout = _timeout(node, policy)
                self.facts.io.append(IoSite(label, clean, node, tuple(self.loops), timeout))
                return label
        return None

    def _sql_text(self, node: ast.AST) -> str | None:
        if isinstance(node, ast.Call) and (self.qualify(node.func) or "").endswith("text") and node.args:
            node = node.args[0]
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return node.value
        if isinstance(node, ast.JoinedStr):
            return "".join(str(v.value) if isinstance(v, ast.Constant) else "?" for v in node.values)
        return None

    def _raw_sql(self, sql: str, node: ast.AST) -> None:
        self.facts.raw_sql.append((sql, node))
        upper = sql.upper()
        write = bool(re.match(r"\s*(INSERT|UPDATE|DELETE|REPLACE|CREATE|DROP|ALTER)", upper))
        for table in re.findall(r"\b(?:FROM|JOIN|UPDATE|INTO)\s+[\"`]?(\w+)", sql, re.I):
            model = self.ctx.tables.get(table.lower())
            if model is None:
                continue
            if write:
                self.facts.writes.append(WriteSite(model, "raw_sql", node))
            else:
                self.facts.queries.append(QuerySite(model, "raw_sql", node, tuple(self.loops), True))


def _timeout(node: ast.Call, policy: str) -> str:
    kw = next((k for k in node.keywords if k.arg == "timeout"), None)
    if kw is not None:
        if isinstance(kw.value, ast.Constant) and kw.value.value is None:
            return "no (timeout=None)"
        return "yes"
    if policy == "urlopen" and len(node.args) >= 3:
        return "yes"
    if policy.startswith("default:"):
        return f"library default ({policy.split(':', 1)[1]})"
    if policy == "none":
        return "no (the library has no timeout parameter)"
    if policy in ("datastore", "botocore", "default"):
        return "library default"
    return "no"
