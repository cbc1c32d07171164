"""The domain model of decompose: frozen dataclasses, standard library only.

Everything else in the toolkit reads and writes these types; renderers turn them into text and
only the I/O layer touches the file system. Adding a field is fine (give it a default);
renaming one is a breaking change for every command.
"""

from decompose.model.domains import DomainAssignment, DomainPlan, PartitionQuality
from decompose.model.findings import Finding, Severity
from decompose.model.inventory import (
    Edge,
    FunctionInfo,
    GlobalInfo,
    Hook,
    ImportInfo,
    Inventory,
    Location,
    ModelInfo,
    Route,
    Unhandled,
)
from decompose.model.result import SCHEMA_VERSION, AnalysisResult

__all__ = [
    "SCHEMA_VERSION",
    "AnalysisResult",
    "DomainAssignment",
    "DomainPlan",
    "Edge",
    "Finding",
    "FunctionInfo",
    "GlobalInfo",
    "Hook",
    "ImportInfo",
    "Inventory",
    "Location",
    "ModelInfo",
    "PartitionQuality",
    "Route",
    "Severity",
    "Unhandled",
]
