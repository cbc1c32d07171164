"""The warnings that say when numbers measure Locust or a crowded machine."""

from __future__ import annotations

from decompose.bench.collect import cpu_warnings


def test_a_saturated_load_generator_is_the_bottleneck():
    (warning,) = cpu_warnings(
        "candidate", loadgen_max=93, loadgen_cpu=93, server_cpu=80, machine_cpu=99
    )
    assert "used 93% of a core: Locust, not candidate, may be the bottleneck" in warning


def test_a_busy_machine_with_a_busy_locust_gives_a_lower_bound():
    (warning,) = cpu_warnings(
        "candidate", loadgen_max=60, loadgen_cpu=60, server_cpu=100, machine_cpu=97
    )
    assert "lower bound" in warning


def test_a_busy_machine_otherwise_means_noise():
    (warning,) = cpu_warnings(
        "legacy", loadgen_max=1, loadgen_cpu=1, server_cpu=20, machine_cpu=100
    )
    assert "other processes" in warning and "legacy used 20%" in warning


def test_no_warning_on_a_calm_machine():
    assert (
        cpu_warnings("legacy", loadgen_max=30, loadgen_cpu=30, server_cpu=50, machine_cpu=60) == []
    )
    assert cpu_warnings("legacy", None, None, None, None) == []
