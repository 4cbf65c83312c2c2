"""Run the sandbox emulator (sandbox/emulator.py, same arguments) with the extensions installed:

    python -m platform_ext --host 127.0.0.1 --port PORT [--seed]     (with sandbox/ on the path)

Used by tests/emulator until emulator.py calls platform_ext.install() itself; afterwards both
ways start the same server (install() is idempotent).
"""

import sys
from pathlib import Path

import platform_ext

platform_ext.install()
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # emulator.py and seed.py

import emulator  # noqa: E402  (sandbox/emulator.py; moto must be patched first)

emulator.exit_now(emulator.main())
