"""Deployed decisions: versions per decision id and per DRG, lookup, evaluation.

Versioning follows Zeebe: re-deploying an unchanged `.dmn` resource returns what exists; a changed
one gets the next DRG version, and each decision in it the next version of its own id.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from jiuzhu.engine.dmn import DecisionEvaluation, DecisionRequirementsGraph, evaluate_decision, parse_dmn
from jiuzhu.engine.errors import not_found
from jiuzhu.engine.records import DecisionDefinition, DecisionRequirements


@dataclass
class DeployedDrg:
    record: DecisionRequirements
    graph: DecisionRequirementsGraph


class DecisionRepository:
    def __init__(self, now: Callable[[], datetime] | None = None) -> None:
        self.now = now  # the clock FEEL's now()/today() read in decisions (None: the system clock)
        self.drgs: dict[int, DeployedDrg] = {}
        self.decisions: dict[int, DecisionDefinition] = {}
        self.latest: dict[str, DecisionDefinition] = {}
        self._latest_drg: dict[str, DeployedDrg] = {}

    def restore(self, drgs: list[DecisionRequirements], decisions: list[DecisionDefinition]) -> None:
        for record in sorted(drgs, key=lambda r: r.key):
            self._add_drg(DeployedDrg(record, parse_dmn(record.resource, record.resource_name)))
        for decision in sorted(decisions, key=lambda d: d.key):
            self._add_decision(decision)

    def _add_drg(self, deployed: DeployedDrg) -> None:
        self.drgs[deployed.record.key] = deployed
        current = self._latest_drg.get(deployed.record.drg_id)
        if current is None or current.record.version < deployed.record.version:
            self._latest_drg[deployed.record.drg_id] = deployed

    def _add_decision(self, decision: DecisionDefinition) -> None:
        self.decisions[decision.key] = decision
        current = self.latest.get(decision.decision_id)
        if current is None or current.version < decision.version:
            self.latest[decision.decision_id] = decision

    @staticmethod
    def parse(content: bytes, resource_name: str) -> DecisionRequirementsGraph:
        return parse_dmn(content, resource_name)

    def deploy(
        self,
        graph: DecisionRequirementsGraph,
        content: bytes,
        deployment_key: int,
        new_key: Callable[[], int],
        now_ms: int,
    ) -> tuple[DeployedDrg, list[DecisionDefinition], bool]:
        """Register a parsed resource; returns the DRG, its decisions and whether anything is new."""
        checksum = hashlib.sha256(content).hexdigest()
        current = self._latest_drg.get(graph.id)
        if current and current.record.checksum == checksum and current.record.resource_name == graph.resource_name:
            existing = [d for d in self.decisions.values() if d.drg_key == current.record.key]
            return current, existing, False
        record = DecisionRequirements(
            key=new_key(),
            drg_id=graph.id,
            name=graph.name,
            version=current.record.version + 1 if current else 1,
            resource_name=graph.resource_name,
            checksum=checksum,
            deployment_key=deployment_key,
            resource=content,
            created_ms=now_ms,
        )
        deployed = DeployedDrg(record, graph)
        self._add_drg(deployed)
        decisions = []
        for decision in graph.decisions:
            previous = self.latest.get(decision.id)
            definition = DecisionDefinition(
                key=new_key(),
                decision_id=decision.id,
                name=decision.name,
                version=previous.version + 1 if previous else 1,
                drg_key=record.key,
                drg_id=graph.id,
            )
            self._add_decision(definition)
            decisions.append(definition)
        return deployed, decisions, True

    def find(self, decision_id: str = "", decision_key: int = 0) -> DecisionDefinition:
        if decision_key:
            found = self.decisions.get(decision_key)
            if found is None:
                raise not_found(f"Expected to evaluate decision with key '{decision_key}', but no such decision found")
            return found
        latest = self.latest.get(decision_id)
        if latest is None:
            raise not_found(
                f"Expected to evaluate decision '{decision_id}', but no decision found for id '{decision_id}'"
            )
        return latest

    def evaluate(self, decision: DecisionDefinition, variables: Mapping[str, Any]) -> DecisionEvaluation:
        graph = self.drgs[decision.drg_key].graph
        return evaluate_decision(graph, decision.decision_id, variables, now=self.now)
