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
from typing import TYPE_CHECKING, Any

from jiuzhu import __version__
from jiuzhu.resources import workflows_dir

if TYPE_CHECKING:
    from jiuzhu.engine.auth.local import LocalAccess


def _engine_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--grpc-port", type=int, default=26500, help="Zeebe gateway gRPC port (default 26500)")
    parser.add_argument("--http-port", type=int, default=8080, help="HTTP port: /healthz, /v2 (default 8080)")
    parser.add_argument("--data-dir", type=Path, default=Path("var"), help="where state is kept (default ./var)")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument(
        "--insecure",
        action="store_true",
        help="no credentials on gRPC and /v2 (local development only; default: OAuth tokens required)",
    )
    parser.add_argument("--tls-cert", type=Path, default=None, help="PEM certificate: serve gRPC and HTTP over TLS")
    parser.add_argument("--tls-key", type=Path, default=None, help="PEM private key of --tls-cert")
    parser.add_argument(
        "--oidc-issuer",
        default=os.environ.get("JIUZHU_OIDC_ISSUER") or None,
        help="also accept RS256 access tokens of this OpenID Connect issuer (e.g. a Keycloak realm URL)",
    )
    parser.add_argument(
        "--oidc-audience",
        default=os.environ.get("JIUZHU_OIDC_AUDIENCE", "zeebe-api"),
        help="the audience those tokens must carry (default zeebe-api)",
    )
    parser.add_argument(
        "--oidc-person-claim",
        default=os.environ.get("JIUZHU_OIDC_PERSON_CLAIM") or None,
        help="a provider token with this claim (e.g. preferred_username) acts for that staff login of the case "
        "record; unknown logins are refused (default: provider tokens act for nobody)",
    )
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
    up.add_argument(
        "--workflows", type=Path, default=None, help="directory of .bpmn files to deploy (default: the packaged ones)"
    )
    up.add_argument("--demo", action="store_true", help="seed a sample county (arrives with the workers)")
    workers = sub.add_parser("workers", help="run the job workers against any Zeebe gateway")
    workers.add_argument(
        "--address", default=os.environ.get("ZEEBE_ADDRESS", "127.0.0.1:26500"), help="Zeebe gateway host:port"
    )
    demo = sub.add_parser(
        "demo",
        help="seed the demo county into the case record, its history run on an engine kept in --data-dir "
        "(serve that directory afterwards); --address also starts the live demo cases on a running engine",
    )
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
    from jiuzhu.payments import cli as payments_cli

    payments_cli.register(sub)
    from jiuzhu.caseload import cli as caseload_cli

    caseload_cli.register(sub)
    return parser


def _serve(args: argparse.Namespace, deploy_dir: Path | None, everything: bool = False) -> int:
    from jiuzhu import metrics
    from jiuzhu.engine.errors import EngineError
    from jiuzhu.engine.server import EngineConfig, EngineServer
    from jiuzhu.engine_plugins import metrics_plugins

    metrics.configure_from_env()  # JIUZHU_METRICS_TOWNSHIPS bounds the township label
    if (args.tls_cert is None) != (args.tls_key is None):
        print("jiuzhu: give both --tls-cert and --tls-key, or neither", file=sys.stderr)
        return 2
    for pem in (args.tls_cert, args.tls_key):
        if pem is not None and not pem.is_file():
            print(f"jiuzhu: no such file: {pem}", file=sys.stderr)
            return 2
    from jiuzhu.engine.auth.local import LocalAccess

    try:
        local = LocalAccess(args.http_port, _credentials(args), args.tls_cert)
    except (OSError, ValueError) as err:
        print(f"jiuzhu: cannot set up the engine's credentials: {err}", file=sys.stderr)
        return 2
    case_record = _case_record_url(args) if everything else None
    # The task list reads the engine's clock (a controlled clock too): due dates, "not in the future".
    clock: dict[str, Any] = {}
    app = _tasklist_app(args, case_record, local, clock) if case_record else None
    config = EngineConfig(
        grpc_port=args.grpc_port,
        http_port=args.http_port,
        data_dir=args.data_dir,
        host=args.host,
        database_url=_database_url(),
        controlled_clock=args.clock == "controlled",
        clock_start=args.clock_start,
        insecure=args.insecure,
        tls_cert=args.tls_cert,
        tls_key=args.tls_key,
        oidc_issuer=args.oidc_issuer,
        oidc_audience=args.oidc_audience,
        oidc_person_claim=args.oidc_person_claim,
    )
    county = None
    if case_record is not None and getattr(args, "demo", False):
        # Before this engine opens the data dir: the demo's history is run there on an engine of its own.
        county = _seed_demo(args, case_record)
    plugins = metrics_plugins()
    if args.oidc_person_claim:
        plugins.people = _staff_directory(case_record or _database_url() or _case_record_file(args))
    try:
        server = EngineServer(config, app=app, plugins=plugins)
        clock["now"] = server.clock.now
    except OSError as err:
        print(f"jiuzhu: {err}", file=sys.stderr)
        return 2
    server.start()
    if not server.wait_http():
        print(f"jiuzhu: the HTTP server did not start on port {args.http_port} (is it in use?)", file=sys.stderr)
        server.stop()
        return 2
    problem = local.tls_problem() if everything else None
    if problem:
        print(f"jiuzhu: {problem}", file=sys.stderr)
        server.stop()
        return 2
    if deploy_dir is not None:
        files = sorted([*deploy_dir.glob("*.bpmn"), *deploy_dir.glob("*.dmn")])
        try:
            if files:
                result = server.engine.deploy([(f.name, f.read_bytes()) for f in files])
                # One line: what runs and at which version (a redeploy shows the new version here).
                processes = ", ".join(f"{d.bpmn_process_id} v{d.version}" for d in result.processes)
                decisions = ", ".join(f"{d.decision_id} v{d.version}" for d in result.decisions)
                print(f"deployed from {deploy_dir}: processes {processes}; decisions {decisions or '-'}", flush=True)
        except EngineError as err:
            print(f"jiuzhu: cannot deploy {deploy_dir}: {err.message}", file=sys.stderr)
            server.stop()
            return 2
    background = None
    if case_record is not None:
        from workers import WorkerSettings, start_background

        # The workers run in this process against this engine, with its clock.
        settings = WorkerSettings(database_url=case_record, data_dir=args.data_dir)
        # Links in notifications: JIUZHU_PUBLIC_URL behind a proxy, else this very task list.
        scheme = "https" if args.tls_cert else "http"
        settings.public_url = settings.public_url or f"{scheme}://{_client_host(args.host)}:{args.http_port}"
        background = start_background(
            local.grpc_address(server.grpc_port), settings, clock=server.clock.now, credentials=local.client("worker")
        )
        _register_case_stats(case_record, args.data_dir, server.clock.now)
        watching = _watch_new_tasks(app, case_record, args.data_dir, server.clock.now, settings.public_url)
        reconciling = _reconcile_cases(app, case_record, server.clock.now)
        rechecking = _start_imported_rechecks(server, case_record)
        if county is not None:
            from jiuzhu.demo import start_cases

            started = start_cases(server, county)
            print(f"demo: {len(started)} cases started", flush=True)
    scheme = "https" if args.tls_cert else "http"
    print(
        f"jiuzhu engine ready: gRPC {args.host}:{server.grpc_port}{' (TLS)' if args.tls_cert else ''}, "
        f"HTTP {scheme}://{args.host}:{args.http_port} (/healthz), data {server.db_url}",
        flush=True,
    )
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()
    print("jiuzhu: stopping", flush=True)
    if background is not None:
        watching.set()
        reconciling.set()
        rechecking.set()
        background.stop()
    server.stop()
    return 0


def _seed_demo(args: argparse.Namespace, case_record: str) -> Any:
    """The demo county, and its history run through the real processes on an engine of the seed's own
    (controlled clock, fast-forwarded to the instant this engine starts at) that keeps its state in
    the data dir: the engine started next serves those instances. A second start adds nothing."""
    from datetime import UTC

    from jiuzhu.demo import seed

    now = args.clock_start if args.clock == "controlled" and args.clock_start else datetime.now(UTC)
    print("demo: seeding the county; its history runs through the processes first (about half a minute)", flush=True)
    county = seed(case_record, now, data_dir=args.data_dir, engine_database_url=_database_url(), insecure=args.insecure)
    print(county.sign_in_text(), flush=True)
    return county


def _credentials(args: argparse.Namespace) -> Any:
    """The engine's clients (generated at first start), or None with a loud warning under --insecure."""
    if args.insecure:
        print(
            "jiuzhu: WARNING --insecure: gRPC and /v2 accept every request without credentials. "
            "Anyone who reaches these ports can read every case and complete any task. "
            "Use it for local development only.",
            file=sys.stderr,
            flush=True,
        )
        return None
    from jiuzhu.engine.auth import load_or_create

    credentials, created = load_or_create(args.data_dir)
    verb = "generated" if created else "using"
    print(
        f"jiuzhu: {verb} client credentials in {credentials.path.resolve()} (mode 0600); "
        f"token URL {'https' if args.tls_cert else 'http'}://{_client_host(args.host)}:{args.http_port}/oauth/token",
        flush=True,
    )
    return credentials


def _client_host(host: str) -> str:
    return "127.0.0.1" if host in ("0.0.0.0", "::", "") else host


def _register_case_stats(url: str, data_dir: Path, now: Any) -> None:
    """Open-case gauges for /metrics, read from the case record at each scrape."""
    from jiuzhu import metrics
    from jiuzhu.calendar_admin import load_calendar
    from jiuzhu.case_stats import CaseRecordStats
    from schemas.db import make_engine

    metrics.register_case_stats(CaseRecordStats(make_engine(url), load_calendar(data_dir), now))


def _watch_new_tasks(app: Any, url: str, data_dir: Path, now: Any, link_base: str | None) -> threading.Event:
    """新待办 notifications: the task list's own engine client looks for new tasks (jiuzhu/notify)."""
    from jiuzhu.notify.task_watch import TaskWatcher
    from jiuzhu.tasklist.client import as_county_reader
    from schemas.db import make_engine
    from workers.notifications import routes_for

    # Every township's new tasks; it needs only task names, groups and the case id.
    return TaskWatcher(
        app.state.tasklist.client, make_engine(url), lambda: routes_for(data_dir), now, link_base,
        acting=as_county_reader("jiuzhu-notify", "消息通知"),
    ).start()  # fmt: skip


def _reconcile_cases(app: Any, url: str, now: Any) -> threading.Event:
    """Cases whose process instance was cancelled (zbctl, /v2) are closed with a reason (reconcile.py)."""
    from jiuzhu.tasklist.client import as_county_reader
    from jiuzhu.tasklist.reconcile import CaseReconciler
    from schemas.db import make_engine

    # Every township's cases: instance states only, no personal data.
    acting = as_county_reader("jiuzhu-reconcile", "案件核对")
    return CaseReconciler(app.state.tasklist.client, make_engine(url), now, acting=acting).start()


def _start_imported_rechecks(server: Any, url: str) -> threading.Event:
    """Households of `jiuzhu caseload import` enter dynamic-management on this engine (caseload/rechecks.py)."""
    from jiuzhu.caseload.rechecks import start_in_background
    from schemas.db import make_engine

    def create(process_id: str, variables: dict[str, Any]) -> int:
        return int(server.engine.create_instance(process_id, variables).key)

    return start_in_background(create, make_engine(url), server.clock.now)


def _case_record_file(args: argparse.Namespace) -> str:
    return f"sqlite:///{(args.data_dir / 'caserecord.db').resolve()}"


def _staff_directory(url: str) -> Any:
    """Staff logins as the engine's OIDC sign-in path looks them up (jiuzhu/tasklist/staff_directory.py)."""
    from jiuzhu.tasklist.staff_directory import StaffDirectory
    from schemas.db import make_engine

    return StaffDirectory(make_engine(url))


def _case_record_url(args: argparse.Namespace) -> str:
    """The case record's database, migrated to the release being started."""
    from schemas.migrate import upgrade

    url = _database_url() or _case_record_file(args)
    args.data_dir.mkdir(parents=True, exist_ok=True)
    upgrade(url)
    return url


def _tasklist_app(args: argparse.Namespace, url: str, local: LocalAccess, clock: dict[str, Any]) -> Any:
    """The task list served by `jiuzhu up`: it talks to this very engine over REST v2, with the
    engine's task-list client (or none under --insecure), on the engine's clock."""
    from datetime import UTC

    from jiuzhu.tasklist import TasklistSettings, V2Client, build_tasklist_app

    def now() -> datetime:
        engine_now = clock.get("now")
        return engine_now() if engine_now is not None else datetime.now(UTC)

    settings = TasklistSettings(api_url=local.url, database_url=url, data_dir=args.data_dir)
    settings.ca_file = local.ca_file
    # This engine's own client, never ZEEBE_CLIENT_* from the environment (those are for other tools).
    own = local.client("tasklist")
    settings.oauth_url = own.token_url if own else None
    settings.client_id = own.client_id if own else None
    settings.client_secret = own.client_secret if own else None
    settings.token_audience = settings.token_scope = None
    return build_tasklist_app(settings, V2Client.from_settings(settings), now=now)


def _database_url() -> str | None:
    import os

    return os.environ.get("JIUZHU_DATABASE_URL") or None


def _demo(args: argparse.Namespace) -> int:
    from datetime import UTC, datetime

    from jiuzhu.demo import seed, start_cases

    url = _case_record_url(args)
    # The history runs on an engine kept in --data-dir: serve that directory (`jiuzhu engine`) afterwards.
    county = seed(url, datetime.now(UTC), data_dir=args.data_dir, engine_database_url=_database_url())
    print(county.sign_in_text())
    if args.address:
        print(f"demo: {len(start_cases(args.address, county))} cases started on {args.address}")
    return 0


def _deploy(args: argparse.Namespace) -> int:
    import asyncio

    from pyzeebe import ZeebeClient
    from pyzeebe.grpc_internals.types import DeployResourceResponse

    from jiuzhu.oauth import OAuthCredentials, zeebe_channel

    async def run() -> None:
        # ZEEBE_CLIENT_ID/SECRET/AUTHORIZATION_SERVER_URL as zbctl reads them; none: an unprotected gateway.
        channel = zeebe_channel(args.address, OAuthCredentials.from_env())
        try:
            result = await ZeebeClient(channel).deploy_resource(*[str(f) for f in args.files])
        finally:
            await channel.close()
        for deployed in result.deployments:
            if isinstance(deployed, DeployResourceResponse.ProcessMetadata):
                key = deployed.process_definition_key
                print(f"deployed {deployed.bpmn_process_id} version {deployed.version} ({key})")

    try:
        asyncio.run(run())
    except Exception as err:  # the gateway's refusal, said plainly instead of a traceback
        print(f"jiuzhu deploy: {_refusal(err)}", file=sys.stderr)
        return 1
    return 0


def _refusal(err: BaseException) -> str:
    import grpc

    cause = getattr(err, "grpc_error", err)  # pyzeebe wraps the gRPC error
    if isinstance(cause, grpc.aio.AioRpcError):
        hint = ""
        if cause.code() == grpc.StatusCode.UNAUTHENTICATED:
            hint = " (set ZEEBE_CLIENT_ID, ZEEBE_CLIENT_SECRET and ZEEBE_AUTHORIZATION_SERVER_URL)"
        return f"{cause.code().name}: {cause.details()}{hint}"
    return f"{type(err).__name__}: {err}"


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    if args.command == "engine":
        return _serve(args, None)
    if args.command == "up":
        workflows = args.workflows or workflows_dir()
        if not workflows.is_dir():
            print(f"jiuzhu up: --workflows {workflows} is not a directory", file=sys.stderr)
            return 2
        return _serve(args, workflows, everything=True)
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
    if args.command == "payments":
        from jiuzhu.payments.cli import run_command

        return run_command(args)
    if args.command == "caseload":
        from jiuzhu.caseload.cli import run_command as caseload_command

        return caseload_command(args)
    return 2
