"""The registry of reading-rule tests: ``@rule(name)`` marks a test as the one that shows
rule ``name`` (``pressout.read.rules``) at work. Test modules of rules register here;
``test_rules.test_every_rule_has_a_test`` imports them all (``RULE_TEST_MODULES``) and
checks that every rule has its test."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

# The test modules that hold rule tests, besides test_rules itself.
RULE_TEST_MODULES = ("test_containers", "test_script", "test_conventions", "test_records")

CASES: dict[str, Callable[..., Any]] = {}


def rule(name: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    def register(fn: Callable[..., Any]) -> Callable[..., Any]:
        assert name not in CASES, f"rule {name} has two tests"
        CASES[name] = fn
        return fn

    return register
