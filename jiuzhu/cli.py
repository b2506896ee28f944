"""`jiuzhu` — the command line: the engine alone, the all-in-one `up`, deployment."""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
from datetime import datetime
from pathlib import Path
from typing import Any

from jiuzhu import __version__

WORKFLOWS = Path(__file__).resolve().parent.parent / "workflows"


def _engine_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--grpc-port", type=int, default=26500, help="Zeebe gateway gRPC port (default 26500)")
    parser.add_argument("--http-port", type=int, default=8080, help="HTTP port: /healthz, /v2 (default 8080)")
    parser.add_argument("--data-dir", type=Path, default=Path("var"), help="where state is kept (default ./var)")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument(
        "--clock",
        choices=["system", "controlled"],
        default="system",
        help="'controlled' lets tests pin and advance the engine clock over PUT /v2/clock",
    )
    parser.add_argument(
        "--clock-start",
        type=_instant,
        default=None,
        help="with --clock controlled: the instant the clock starts at (ISO 8601, e.g. 2026-03-02T09:00+08:00)",
    )


def _instant(text: str) -> datetime:
    try:
        value = datetime.fromisoformat(text)
    except ValueError as err:
        raise argparse.ArgumentTypeError(f"not an ISO 8601 instant: {text!r}") from err
    if value.tzinfo is None:
        raise argparse.ArgumentTypeError(f"give a time zone, e.g. {text}+08:00")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="jiuzhu", description="救助 — social-assistance casework on BPMN")
    parser.add_argument("--version", action="version", version=f"jiuzhu {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log more")
    sub = parser.add_subparsers(dest="command", required=True)
    engine = sub.add_parser("engine", help="run the embedded Zeebe-compatible engine alone")
    _engine_flags(engine)
    up = sub.add_parser("up", help="run everything in one process and deploy workflows/")
    _engine_flags(up)
    up.add_argument("--workflows", type=Path, default=WORKFLOWS, help="directory of .bpmn files to deploy")
    up.add_argument("--demo", action="store_true", help="seed a sample county (arrives with the workers)")
    workers = sub.add_parser("workers", help="run the job workers against any Zeebe gateway")
    workers.add_argument(
        "--address", default=os.environ.get("ZEEBE_ADDRESS", "127.0.0.1:26500"), help="Zeebe gateway host:port"
    )
    demo = sub.add_parser("demo", help="seed the demo county into the case record (and start cases with --address)")
    demo.add_argument("--data-dir", type=Path, default=Path("var"), help="where state is kept (default ./var)")
    demo.add_argument("--address", default=None, help="a running engine or Zeebe gateway to start demo cases on")
    deploy = sub.add_parser("deploy", help="deploy BPMN files to a running engine or Zeebe gateway")
    deploy.add_argument("files", nargs="+", type=Path)
    deploy.add_argument("--address", default="127.0.0.1:26500")
    try:
        from jiuzhu import calendar_admin
    except ImportError:  # pragma: no cover - the calendar arrives with the policy rules
        calendar_admin = None  # type: ignore[assignment]
    if calendar_admin is not None:
        calendar_admin.register(sub)
    return parser


def _serve(args: argparse.Namespace, deploy_dir: Path | None, everything: bool = False) -> int:
    from jiuzhu import metrics
    from jiuzhu.engine.errors import EngineError
    from jiuzhu.engine.server import EngineConfig, EngineServer

    metrics.configure_from_env()  # JIUZHU_METRICS_TOWNSHIPS bounds the township label
    case_record = _case_record_url(args) if everything else None
    clock: dict[str, Any] = {}  # the task list reads the engine's clock (controlled in tests), once it exists
    app = _tasklist_app(args, case_record, clock) if case_record else None
    config = EngineConfig(
        grpc_port=args.grpc_port,
        http_port=args.http_port,
        data_dir=args.data_dir,
        host=args.host,
        database_url=_database_url(),
        controlled_clock=args.clock == "controlled",
        clock_start=args.clock_start,
    )
    try:
        server = EngineServer(config, app=app)
        clock["now"] = server.clock.now
    except OSError as err:
        print(f"jiuzhu: {err}", file=sys.stderr)
        return 2
    server.start()
    if not server.wait_http():
        print(f"jiuzhu: the HTTP server did not start on port {args.http_port} (is it in use?)", file=sys.stderr)
        server.stop()
        return 2
    if deploy_dir is not None:
        files = sorted([*deploy_dir.glob("*.bpmn"), *deploy_dir.glob("*.dmn")])
        try:
            if files:
                result = server.engine.deploy([(f.name, f.read_bytes()) for f in files])
                for d in result.processes:
                    print(f"deployed process {d.bpmn_process_id} version {d.version} from {d.resource_name}")
                for decision in result.decisions:
                    print(f"deployed decision {decision.decision_id} version {decision.version}", flush=True)
        except EngineError as err:
            print(f"jiuzhu: cannot deploy {deploy_dir}: {err.message}", file=sys.stderr)
            server.stop()
            return 2
    background = None
    if case_record is not None:
        from workers import WorkerSettings, start_background

        # The workers run in this process against this engine, with its clock.
        settings = WorkerSettings(database_url=case_record, data_dir=args.data_dir)
        county = None
        if getattr(args, "demo", False):
            from jiuzhu.demo import seed

            # Seeded before the workers start: both would create the case-record tables at once.
            county = seed(case_record, server.clock.now(), data_dir=args.data_dir)
            print(county.sign_in_text(), flush=True)
        background = start_background(f"127.0.0.1:{server.grpc_port}", settings, clock=server.clock.now)
        _register_case_stats(case_record, args.data_dir, server.clock.now)
        if county is not None:
            from jiuzhu.demo import start_cases

            started = start_cases(server, county)
            print(f"demo: {len(started)} cases started", flush=True)
    print(
        f"jiuzhu engine ready: gRPC {args.host}:{server.grpc_port}, "
        f"HTTP http://{args.host}:{args.http_port} (/healthz), data {server.db_url}",
        flush=True,
    )
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()
    print("jiuzhu: stopping", flush=True)
    if background is not None:
        background.stop()
    server.stop()
    return 0


def _register_case_stats(url: str, data_dir: Path, now: Any) -> None:
    """Open-case gauges for /metrics, read from the case record at each scrape."""
    from jiuzhu import metrics
    from jiuzhu.calendar_admin import load_calendar
    from jiuzhu.case_stats import CaseRecordStats
    from schemas.db import make_engine

    metrics.register_case_stats(CaseRecordStats(make_engine(url), load_calendar(data_dir), now))


def _case_record_url(args: argparse.Namespace) -> str:
    """The case record's database, migrated to the release being started."""
    from schemas.migrate import upgrade

    url = _database_url() or f"sqlite:///{(args.data_dir / 'caserecord.db').resolve()}"
    args.data_dir.mkdir(parents=True, exist_ok=True)
    upgrade(url)
    return url


def _tasklist_app(args: argparse.Namespace, url: str, clock: dict[str, Any]) -> Any:
    """The task list served by `jiuzhu up`: it talks to this very engine over REST v2, on its clock."""
    from datetime import UTC, datetime

    from jiuzhu.tasklist import TasklistSettings, V2Client, build_tasklist_app

    def now() -> datetime:
        engine_now = clock.get("now")
        return engine_now() if engine_now is not None else datetime.now(UTC)

    settings = TasklistSettings(api_url=f"http://127.0.0.1:{args.http_port}", database_url=url, data_dir=args.data_dir)
    return build_tasklist_app(settings, V2Client.from_settings(settings), now=now)


def _database_url() -> str | None:
    import os

    return os.environ.get("JIUZHU_DATABASE_URL") or None


def _demo(args: argparse.Namespace) -> int:
    from datetime import UTC, datetime

    from jiuzhu.demo import seed, start_cases

    url = _case_record_url(args)
    county = seed(url, datetime.now(UTC), data_dir=args.data_dir)
    print(county.sign_in_text())
    if args.address:
        print(f"demo: {len(start_cases(args.address, county))} cases started on {args.address}")
    return 0


def _deploy(args: argparse.Namespace) -> int:
    import asyncio

    from pyzeebe import ZeebeClient, create_insecure_channel
    from pyzeebe.grpc_internals.types import DeployResourceResponse

    async def run() -> None:
        client = ZeebeClient(create_insecure_channel(grpc_address=args.address))
        result = await client.deploy_resource(*[str(f) for f in args.files])
        for deployed in result.deployments:
            if isinstance(deployed, DeployResourceResponse.ProcessMetadata):
                key = deployed.process_definition_key
                print(f"deployed {deployed.bpmn_process_id} version {deployed.version} ({key})")

    asyncio.run(run())
    return 0


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    if args.command == "engine":
        return _serve(args, None)
    if args.command == "up":
        return _serve(args, args.workflows if args.workflows.is_dir() else None, everything=True)
    if args.command == "deploy":
        return _deploy(args)
    if args.command == "workers":
        import asyncio

        import workers
        from jiuzhu import metrics

        metrics.configure_from_env()
        asyncio.run(workers.run(args.address))
        return 0
    if args.command == "demo":
        return _demo(args)
    if args.command == "calendar":
        from jiuzhu import calendar_admin

        return calendar_admin.run(args)
    return 2
