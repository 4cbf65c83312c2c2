"""Run the sandbox emulator (sandbox/emulator.py, same arguments) with the extensions installed:

    python -m platform_ext --host 127.0.0.1 --port PORT [--seed]     (from sandbox/)

Used by tests/emulator until emulator.py calls platform_ext.install() itself; afterwards both
ways start the same server (install() is idempotent).
"""

import platform_ext

platform_ext.install()

import emulator  # noqa: E402  (sandbox/emulator.py; moto must be patched first)

emulator.exit_now(emulator.main())
