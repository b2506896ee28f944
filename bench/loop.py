"""An instance's cost must not grow with its history: a service task in a loop, driven N rounds.

Prints the time of the last 1,000 rounds as a ratio of the first 1,000 (1.0 = flat; before the task
tree was compacted it grew without bound and the instance stalled near round 330), and the stored state
size at both ends.

Run: .venv/bin/python bench/loop.py [rounds, default 10000]
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from jiuzhu.engine.clock import Clock
from jiuzhu.engine.runtime import Engine
from jiuzhu.engine.store.repository import Store, open_database

LOOP = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="defs" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="loop" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:serviceTask id="work"><bpmn:extensionElements><zeebe:taskDefinition type="loop.work"/>
    </bpmn:extensionElements></bpmn:serviceTask>
    <bpmn:exclusiveGateway id="again" default="leave"/>
    <bpmn:endEvent id="end"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="work"/>
    <bpmn:sequenceFlow id="f2" sourceRef="work" targetRef="again"/>
    <bpmn:sequenceFlow id="back" sourceRef="again" targetRef="work">
      <bpmn:conditionExpression>=more</bpmn:conditionExpression></bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="leave" sourceRef="again" targetRef="end"/>
  </bpmn:process>
</bpmn:definitions>
"""
WINDOW = 1000


def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    with tempfile.TemporaryDirectory() as tmp:
        engine = Engine(Store(open_database(f"sqlite:///{Path(tmp) / 'engine.db'}")), Clock())
        engine.deploy([("loop.bpmn", LOOP.encode())])
        instance = engine.create_instance("loop", {"more": True})
        durations: list[float] = []
        sizes: dict[str, int] = {}
        for n in range(1, rounds + 1):
            started = time.perf_counter()
            [job] = engine.activate_jobs("loop.work", "bench", 60_000, 1, [], -1)
            engine.complete_job(job.job.key, {"more": n < rounds, "n": n})
            durations.append(time.perf_counter() - started)
            if n in (WINDOW, rounds - 1):
                sizes["first" if n == WINDOW else "last"] = len(engine.store.load_instance_state(instance.key) or "")
            if n % 1000 == 0:
                print(f"  round {n}: {sum(durations[-WINDOW:]) / WINDOW * 1000:.2f} ms per round", flush=True)
        first, last = sum(durations[:WINDOW]), sum(durations[-WINDOW:])
        print(f"loop of {rounds} rounds: completed={instance.key not in engine.instances}")
        print(f"last {WINDOW} rounds / first {WINDOW} rounds: {last / first:.2f}x (target <= 1.2x)")
        print(f"stored state: {sizes.get('first')} bytes at round {WINDOW}, {sizes.get('last')} at round {rounds - 1}")


if __name__ == "__main__":
    main()
