"""The sandbox's AWS emulator: moto server, started in-process so it can be extended.

Contract (used by `platform-tui sandbox` and the Rust test harness):
    python sandbox/emulator.py --host 127.0.0.1 --port PORT [--seed]
runs in the foreground until SIGTERM/SIGINT; it is ready when GET /moto-api/ answers 200.
With --seed it then seeds the platform (see seed.py; the server already answers meanwhile) and
prints "READY <endpoint>" on stdout when done: wait for that line, not for /moto-api/.
A port that cannot be bound exits with status 2 and says so; a failed seed exits with status 3.
"""

import argparse
import functools
import logging
import os
import signal
import sys
import threading
import time

import platform_ext
from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from werkzeug.serving import BaseWSGIServer, make_server

EXIT_PORT_UNAVAILABLE = 2
EXIT_SEED_FAILED = 3


def bind_server(host: str, port: int) -> BaseWSGIServer:
    """Bind in the calling thread: a busy port then ends the emulator instead of hanging it
    (moto's ThreadedMotoServer waits forever for a server thread that died binding)."""
    app = DomainDispatcherApplication(create_backend_app)
    return make_server(host, port, app, threaded=True, request_handler=MotoRequestHandler)


def stop_on_signals() -> threading.Event:
    stopped = threading.Event()

    def handle(signum: int, _frame: object) -> None:
        print(
            f"emulator: {signal.Signals(signum).name} received, stopping",
            file=sys.stderr,
        )
        stopped.set()

    signal.signal(signal.SIGTERM, handle)
    signal.signal(signal.SIGINT, handle)
    return stopped


def seed(endpoint: str) -> None:
    import seed as platform_seed  # sandbox/seed.py, next to this file

    started = time.monotonic()
    report = platform_seed.seed_platform(endpoint)
    elapsed = time.monotonic() - started
    print(f"emulator: seeded {report.objects} objects in {elapsed:.1f}s", file=sys.stderr)


def main() -> int:
    os.umask(0o077)  # whatever the emulator writes is its owner's only
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--seed", action="store_true", help="seed the platform, then print READY")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(name)s: %(message)s", stream=sys.stderr)
    platform_ext.install()  # Glue, EMR and Redshift Data that behave like AWS; /platform-api/

    try:
        server = bind_server(args.host, args.port)
    except (OSError, SystemExit):  # werkzeug prints the reason, then exits
        print(f"emulator: cannot listen on {args.host}:{args.port}", file=sys.stderr)
        return EXIT_PORT_UNAVAILABLE
    endpoint = f"http://{args.host}:{server.server_port}"
    stopped = stop_on_signals()
    serve = functools.partial(server.serve_forever, poll_interval=0.1)
    threading.Thread(target=serve, name="moto-server", daemon=True).start()
    print(f"emulator: moto server listening on {endpoint}", file=sys.stderr)

    if args.seed:
        try:
            seed(endpoint)
        except Exception:
            logging.getLogger("emulator").exception("seeding failed")
            server.shutdown()
            return EXIT_SEED_FAILED
        print(f"READY {endpoint}", flush=True)

    stopped.wait()
    platform_ext.shutdown()  # job scripts run in their own process groups
    server.shutdown()
    return 0


def exit_now(status: int) -> None:
    """Exit without finalizing moto's in-memory objects (about a second for 20,000 keys):
    the emulator's state is ephemeral, so only the log needs flushing."""
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)


if __name__ == "__main__":
    exit_now(main())
