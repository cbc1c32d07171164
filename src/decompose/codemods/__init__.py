"""LibCST codemods that extract applies to moved code: one rewrite per module.

Each codemod is a ``VisitorBasedCodemodCommand`` with a docstring saying what it rewrites and
what it leaves alone, and VALID/INVALID examples (``EXAMPLES``) from which its tests are built.
``REGISTRY`` maps a short name to each codemod class so that tools and docs can list them.
"""

from __future__ import annotations

from decompose.codemods.app_to_current_app import AppToCurrentApp
from decompose.codemods.endpoint_renames import RenameEndpoints
from decompose.codemods.module_imports import RewriteModuleImports
from decompose.codemods.route_to_blueprint import RouteToBlueprint
from decompose.codemods.strip_registrations import StripRegistrations

REGISTRY = {
    "route_to_blueprint": RouteToBlueprint,
    "endpoint_renames": RenameEndpoints,
    "app_to_current_app": AppToCurrentApp,
    "module_imports": RewriteModuleImports,
    "strip_registrations": StripRegistrations,
}

__all__ = [
    "REGISTRY",
    "AppToCurrentApp",
    "RenameEndpoints",
    "RewriteModuleImports",
    "RouteToBlueprint",
    "StripRegistrations",
]
