"""Loading a project: following imports, package layouts, statements mapped to libcst."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import libcst

from decompose.analysis import load_project


def test_follows_absolute_relative_and_function_imports(project: Callable[..., Path]) -> None:
    entry = project(
        {
            "pkg/app.py": "from flask import Flask\nfrom .models import db\nfrom pkg import helpers\n"
            "def f():\n    from pkg.lazy import thing\n    return thing\n",
            "pkg/__init__.py": "",
            "pkg/models.py": "db = None\n",
            "pkg/helpers.py": "from . import deep\n",
            "pkg/deep.py": "",
            "pkg/lazy.py": "thing = 1\n",
            "pkg/unused.py": "",
        }
    )
    index = load_project(entry)
    assert index.entry.name == "pkg.app"
    assert sorted(index.modules) == ["pkg", "pkg.app", "pkg.deep", "pkg.helpers", "pkg.lazy", "pkg.models"]
    assert index.entry.rel == "pkg/app.py"


def test_package_directory_reads_every_module_but_tests(project: Callable[..., Path]) -> None:
    entry = project(
        {
            "site/__init__.py": "from flask import Flask\napp = Flask(__name__)\n",
            "site/views.py": "",
            "site/tests/test_views.py": "",
            "site/migrations/env.py": "",
        }
    )
    index = load_project(entry.parent)
    assert index.entry.rel == "site/__init__.py"
    assert sorted(m.rel for m in index.modules.values()) == ["site/__init__.py", "site/views.py"]


def test_statements_map_to_libcst_body(project: Callable[..., Path]) -> None:
    entry = project(
        {
            "app.py": '''
            """Doc."""
            # a comment before the imports
            import os
            from flask import Flask, jsonify as J

            app = Flask(__name__)
            A = 1; B = A + 1


            @app.route("/")
            # comment between decorator and def
            def index():
                local = os.getcwd()
                return J(local=local, b=B)


            class Thing(Base):
                x = A
            '''
        }
    )
    index = load_project(entry)
    module = index.entry
    stmts = module.statements
    assert len(stmts) == len(module.cst.body)
    by_kind = {s.index: s for s in stmts}
    code = [module.cst.code_for_node(module.cst.body[s.index]) for s in stmts]
    assert "import os" in code[1]
    assert by_kind[4].defines == ("A", "B") and by_kind[4].uses == ()  # A comes from the same line
    index_stmt = next(s for s in stmts if "index" in s.defines)
    assert index_stmt.kind == "function"
    assert set(index_stmt.uses) == {"app", "os", "J", "B"}
    assert module.lines[index_stmt.line - 1].startswith("@app.route")
    assert isinstance(module.cst.body[index_stmt.index], libcst.FunctionDef)
    thing = next(s for s in stmts if "Thing" in s.defines)
    assert set(thing.uses) == {"Base", "A"}


def test_cst_is_lazy_when_not_requested(project: Callable[..., Path]) -> None:
    entry = project({"app.py": "x = 1\n"})
    index = load_project(entry, cst=False)
    assert index.entry._cst is None
    assert isinstance(index.entry.cst, libcst.Module)
