"""Point imports of moved project modules at their new home, as relative imports.

When extract copies project modules (``legacy/models.py`` -> ``webapp/shared/models.py``), every
``from legacy.models import X`` in moved code must follow. ``mapping`` maps an old dotted module
(or package prefix) to its new absolute dotted name; ``package`` is the package of the module
being rewritten. Matching imports become relative (``from ..shared.models import X``), so the
generated package works under any name it is imported as (``webapp`` or ``extracted.webapp``).

Handled anywhere in the file — module level, inside functions, inside try/except or if blocks —
because such imports are moved verbatim too. ``from legacy import models`` is rewritten when
``legacy.models`` is mapped. Left alone: imports of modules not in ``mapping``, relative imports
(they stay valid because the copied tree keeps its shape), and ``import legacy.models`` (a
dotted ``import`` cannot be made relative; the codemod warns instead).
"""

from __future__ import annotations

from collections.abc import Mapping

import libcst as cst
from libcst.codemod import CodemodCommand, CodemodContext

from decompose.codemods._examples import Example


def _dotted(node: cst.BaseExpression | None) -> str:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        return f"{_dotted(node.value)}.{node.attr.value}"
    return ""


def relative_module(package: str, target: str) -> tuple[int, str]:
    """(level, module) of a relative import of ``target`` from inside ``package``."""
    here = package.split(".")
    there = target.split(".")
    common = 0
    while common < min(len(here), len(there)) and here[common] == there[common]:
        common += 1
    if common == 0:
        raise ValueError(f"{target} is not inside the package of {package}")
    level = len(here) - common + 1
    return level, ".".join(there[common:])


def _module_node(name: str) -> cst.Attribute | cst.Name | None:
    if not name:
        return None
    expr = cst.parse_expression(name)
    assert isinstance(expr, (cst.Attribute, cst.Name))
    return expr


def map_module(mapping: Mapping[str, str], module: str) -> str | None:
    """The new name of ``module`` under the longest matching prefix in ``mapping``."""
    best = None
    for old in mapping:
        if module == old or module.startswith(old + "."):
            if best is None or len(old) > len(best):
                best = old
    if best is None:
        return None
    return mapping[best] + module[len(best):]


class RewriteModuleImportsTransformer(cst.CSTTransformer):
    """The rewrite itself, usable without the codemod machinery (extract runs it per statement)."""


    def __init__(self, mapping: Mapping[str, str] | None = None, package: str = ""
    ) -> None:
        super().__init__()
        self.mapping = dict(mapping or {})
        self.package = package
        self.warnings: list[str] = []

    def leave_ImportFrom(self, original_node: cst.ImportFrom, updated_node: cst.ImportFrom) -> cst.ImportFrom:
        if updated_node.relative or updated_node.module is None:
            return updated_node
        module = _dotted(updated_node.module)
        new = map_module(self.mapping, module)
        if new is None and not isinstance(updated_node.names, cst.ImportStar):
            # `from legacy import models` with legacy.models mapped
            targets = {map_module(self.mapping, f"{module}.{_dotted(a.name)}") for a in updated_node.names}
            if None not in targets and len({t.rsplit(".", 1)[0] for t in targets if t}) == 1:
                new = next(iter(t.rsplit(".", 1)[0] for t in targets if t))
                renamed = {_dotted(a.name): map_module(self.mapping, f"{module}.{_dotted(a.name)}") for a in updated_node.names}
                if any(r and r.rsplit(".", 1)[1] != old for old, r in renamed.items()):
                    return updated_node
        if new is None:
            return updated_node
        level, rest = relative_module(self.package, new)
        return updated_node.with_changes(
            module=_module_node(rest),
            relative=[cst.Dot() for _ in range(level)],
            whitespace_after_from=cst.SimpleWhitespace(" "),
        )

    def leave_Import(self, original_node: cst.Import, updated_node: cst.Import) -> cst.Import | cst.ImportFrom:
        mapped = [map_module(self.mapping, _dotted(alias.name)) for alias in updated_node.names]
        if all(m is None for m in mapped):
            return updated_node
        simple = all("." not in _dotted(a.name) for a in updated_node.names)
        parents = {m.rpartition(".")[0] for m in mapped if m}
        if simple and None not in mapped and len(parents) == 1:
            # `import settings` -> `from .shared import settings`: binds the same name
            level, rest = relative_module(self.package, parents.pop())
            names = [
                cst.ImportAlias(
                    name=cst.Name(m.rpartition(".")[2]),
                    asname=alias.asname,
                    comma=alias.comma,
                )
                for alias, m in zip(updated_node.names, mapped, strict=True)
                if m
            ]
            return cst.ImportFrom(
                module=_module_node(rest),
                names=names,
                relative=[cst.Dot() for _ in range(level)],
                semicolon=updated_node.semicolon,
            )
        for alias, m in zip(updated_node.names, mapped, strict=True):
            if m is not None:
                self.warnings.append(f"`import {_dotted(alias.name)}` cannot be made relative; rewrite it by hand")
        return updated_node


class RewriteModuleImports(CodemodCommand):
    """Imports of moved project modules -> relative imports (see the module docstring)."""

    DESCRIPTION = "Rewrite imports of moved project modules into relative imports."

    def __init__(self, context: CodemodContext, mapping: Mapping[str, str] | None = None, package: str = "") -> None:
        super().__init__(context)
        self.transformer = RewriteModuleImportsTransformer(mapping=mapping, package=package)

    def transform_module_impl(self, tree: cst.Module) -> cst.Module:
        result = tree.visit(self.transformer)
        for warning in self.transformer.warnings:
            self.warn(warning)
        self.transformer.warnings.clear()
        return result


_M = {"mapping": {"legacy.models": "webapp.shared.models", "legacy.services": "webapp.shared.services"}, "package": "webapp.auth"}
EXAMPLES = (
    Example(
        "from import",
        "from legacy.models import User, db\n",
        "from ..shared.models import User, db\n",
        _M,
    ),
    Example(
        "package prefix, inside a function and a try",
        "def f():\n    from legacy.services.xp import award\n    try:\n"
        "        from legacy.services import avatars\n    except ImportError:\n        avatars = None\n",
        "def f():\n    from ..shared.services.xp import award\n    try:\n"
        "        from ..shared.services import avatars\n    except ImportError:\n        avatars = None\n",
        _M,
    ),
    Example(
        "from the package itself",
        "from legacy import models\n",
        "from ..shared import models\n",
        _M,
    ),
    Example(
        "same package",
        "from legacy.models import User\n",
        "from .models import User\n",
        {"mapping": _M["mapping"], "package": "webapp.shared"},
    ),
    Example(
        "plain import of a moved module",
        "import settings\n\n\ndef f():\n    import settings as s\n    return s\n",
        "from ..shared import settings\n\n\ndef f():\n    from ..shared import settings as s\n    return s\n",
        {"mapping": {"settings": "webapp.shared.settings"}, "package": "webapp.auth"},
    ),
    Example("unmapped stays", "from flask import Flask\nfrom legacy.app import app\n", None, _M),
    Example("relative stays", "from .models import User\n", None, _M),
)
