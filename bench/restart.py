"""Benchmark: reopening a data directory that holds many waiting instances.

Run: `.venv/bin/python bench/restart.py [--instances 100000]`. Prints one table.

What is measured
- The data directory is filled through the engine itself (durable SQLite, as `jiuzhu engine` keeps
  it): half the instances wait at a user task (a user-task record and a job-less task), half at an
  intermediate message catch (an open subscription), each with a few process variables. They are
  created in commands of 500 instances each, which only makes filling faster.
- **restart**: a fresh `Engine` on that directory, from opening the database until the constructor
  returns (the engine is then ready: every command and query works; an instance's Spiff tree is
  read from the store the first time a command touches it). Best of three.
- **baseline**: plain `sqlite3` in the same run reading the same rows the engine must know at start
  (the instance rows without their state, the user tasks, the subscriptions) into Python tuples:
  what it costs just to get the data out of the file. restart ÷ baseline says how much the engine
  adds on top.
- **first touch**: after the restart, completing the user tasks of 1,000 instances (each loads its
  state lazily), as a ratio of the same 1,000 completions with the states already in memory
  (measured on another 1,000 the same way after loading them).
- **memory per waiting instance**: Python heap (tracemalloc) held by the engine after a restart,
  divided by the number of instances; and the same after 10,000 of them were touched (their Spiff
  trees are then cached, up to the engine's cache bound).
"""

from __future__ import annotations

import argparse
import gc
import sqlite3
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

from jiuzhu.engine.clock import Clock
from jiuzhu.engine.records import Instance, Job, Subscription, UserTask
from jiuzhu.engine.runtime import Engine
from jiuzhu.engine.store.repository import TABLE_OF, Store, open_database

WAITING = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="defs" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:message id="reply" name="bench.reply">
    <bpmn:extensionElements><zeebe:subscription correlationKey="=caseId"/></bpmn:extensionElements>
  </bpmn:message>
  <bpmn:process id="bench_user_task" isExecutable="true">
    <bpmn:startEvent id="s1"/>
    <bpmn:userTask id="review" name="审核"><bpmn:extensionElements><zeebe:userTask/>
      <zeebe:assignmentDefinition candidateGroups="township"/></bpmn:extensionElements></bpmn:userTask>
    <bpmn:endEvent id="e1"/>
    <bpmn:sequenceFlow id="a1" sourceRef="s1" targetRef="review"/>
    <bpmn:sequenceFlow id="a2" sourceRef="review" targetRef="e1"/>
  </bpmn:process>
  <bpmn:process id="bench_message" isExecutable="true">
    <bpmn:startEvent id="s2"/>
    <bpmn:intermediateCatchEvent id="wait"><bpmn:messageEventDefinition messageRef="reply"/>
    </bpmn:intermediateCatchEvent>
    <bpmn:endEvent id="e2"/>
    <bpmn:sequenceFlow id="b1" sourceRef="s2" targetRef="wait"/>
    <bpmn:sequenceFlow id="b2" sourceRef="wait" targetRef="e2"/>
  </bpmn:process>
</bpmn:definitions>
"""
BATCH = 500
TOUCH = 1000


def variables(n: int) -> dict[str, Any]:
    return {"caseId": f"case-{n}", "township": "110101001", "amount": "1234.50", "members": [{"name": "张三"}]}


def fill(url: str, instances: int) -> float:
    engine = Engine(Store(open_database(url)), Clock())
    engine.deploy([("waiting.bpmn", WAITING.encode())])
    started = time.perf_counter()
    for first in range(0, instances, BATCH):
        with engine.command():
            for n in range(first, min(first + BATCH, instances)):
                engine.create_instance("bench_user_task" if n % 2 == 0 else "bench_message", variables(n))
    elapsed = time.perf_counter() - started
    engine.store.db.dispose()
    return elapsed


def restart(url: str) -> tuple[float, Engine]:
    started = time.perf_counter()
    engine = Engine(Store(open_database(url)), Clock())
    return time.perf_counter() - started, engine


def baseline(path: Path) -> float:
    started = time.perf_counter()
    conn = sqlite3.connect(path)
    rows = 0
    name = {kind: TABLE_OF[kind].name for kind in (Instance, UserTask, Subscription, Job)}
    info = conn.execute(f"PRAGMA table_info({name[Instance]})").fetchall()
    instance_columns = [r[1] for r in info if r[1] != "state_json"]
    for query in (
        f"SELECT {', '.join(instance_columns)} FROM {name[Instance]} WHERE state = 'ACTIVE'",
        f"SELECT * FROM {name[UserTask]}",
        f"SELECT * FROM {name[Subscription]}",
        f"SELECT * FROM {name[Job]}",
    ):
        rows += len(conn.execute(query).fetchall())
    conn.close()
    if rows == 0:
        raise RuntimeError("the baseline read no rows: are the table names right?")
    return time.perf_counter() - started


def complete_user_tasks(engine: Engine, tasks: list[int]) -> float:
    started = time.perf_counter()
    for key in tasks:
        engine.complete_user_task(key, {"approved": True})
    return time.perf_counter() - started


def heap_of(make: Any) -> tuple[int, Any]:
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    made = make()
    gc.collect()
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    return after - before, made


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--instances", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="jiuzhu-restart-") as tmp:
        path = Path(tmp) / "engine.db"
        url = f"sqlite:///{path}"
        filled = fill(url, args.instances)
        size_mb = path.stat().st_size / 1e6
        baselines = [baseline(path) for _ in range(3)]
        restarts = []
        engine = None
        for _ in range(3):
            seconds, engine = restart(url)
            restarts.append(seconds)
            if len(engine.instances) != args.instances:
                raise RuntimeError(f"restart found {len(engine.instances)} instances, expected {args.instances}")
            engine.store.db.dispose()
        base, best = min(baselines), min(restarts)
        assert engine is not None
        keys = sorted(engine.user_tasks)
        cold = complete_user_tasks(engine, keys[:TOUCH])
        for key in keys[TOUCH : 2 * TOUCH]:  # these states are loaded first
            engine.workflow(engine.instances[engine.user_tasks[key].instance_key])
        warm = complete_user_tasks(engine, keys[TOUCH : 2 * TOUCH])
        engine.store.db.dispose()
        del engine
        heap, engine = heap_of(lambda: Engine(Store(open_database(url)), Clock()))
        touched_heap, _ = heap_of(lambda: [engine.root_variables(k) for k in list(engine.instances)[:10_000]])

    print(f"\n{args.instances} waiting instances (half at a user task, half at a message catch), {size_mb:.0f} MB")
    print(f"filling through the engine: {filled:.1f} s ({args.instances / filled:.0f} instances/s)")
    print(f"{'':<44} {'seconds':>8} {'ratio':>7}")
    print(f"{'baseline: sqlite3 reads the same rows':<44} {base:>8.2f} {1:>7.2f}")
    print(f"{'restart: Engine() until ready (best of 3)':<44} {best:>8.2f} {best / base:>7.2f}")
    print(
        f"  (restarts: {' / '.join(f'{r:.2f}' for r in restarts)} s;"
        f" baselines {' / '.join(f'{b:.2f}' for b in baselines)} s)"
    )
    print(f"first touch of {TOUCH} instances after restart vs. with state in memory: {cold / warm:.2f}×")
    print(f"memory per waiting instance after restart: {heap / args.instances / 1024:.2f} KiB (tracemalloc)")
    print(f"  after reading the variables of 10,000: +{touched_heap / 10_000 / 1024:.2f} KiB each")


if __name__ == "__main__":
    main()
