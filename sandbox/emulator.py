"""The sandbox's AWS emulator: moto server, started in-process so it can be extended.

Contract (used by `platform-tui sandbox` and the Rust test harness):
    python sandbox/emulator.py --host 127.0.0.1 --port PORT
runs in the foreground until SIGTERM/SIGINT; it is ready when GET /moto-api/ answers 200.
"""

import argparse

from moto.server import ThreadedMotoServer


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    server = ThreadedMotoServer(ip_address=args.host, port=args.port, verbose=True)
    server.start()
    try:
        server._thread.join()  # noqa: SLF001 - moto exposes no public wait
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()


if __name__ == "__main__":
    main()
