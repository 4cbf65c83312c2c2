"""The platform's Spark jobs, run for real: pyspark in local mode, one process per run.

A Glue job run starts its script as Glue does, `python SCRIPT --JOB_NAME … ARGS` (the driver
is Python, Spark's JVM its child, so print() goes to stdout and logging and Spark's log4j lines
to stderr); an EMR step runs its own command, `spark-submit OPTIONS s3://…/script.py ARGS`
(the JVM first: Python's output, tracebacks included, reaches stdout, Spark's lines stderr).
Both use the Spark venv (`.venv/spark`, requirements/spark.txt) and the settings in
sandbox/spark/ (local[2], INFO logging to stderr, s3:// served from a local mirror). The
scripts run unchanged: every s3:// URI of the run is copied to a per-run directory first
(lake_mirror.py) and Hadoop's ViewFileSystemOverloadScheme maps s3://BUCKET/… onto it, so the
job reads and writes the paths it was given and logs them as it would on AWS; what it wrote
goes back to the emulator's S3 when it ends.

The run's output is read line by line as it is written (bounded: MAX_LINE_BYTES a line,
MAX_LINES a stream, the cut is said), its exit status decides the run's state, and the last
Python traceback's exception (`AnalysisException: [PATH_NOT_FOUND] …`) is its error message.
`stop()` kills the process group (SIGTERM, SIGKILL after STOP_GRACE seconds).
"""

from __future__ import annotations

import logging
import os
import re
import shlex
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from .lake_mirror import LakeMirror, MirrorError, Prefix, s3_uris

PROJECT_DIR = Path(__file__).resolve().parents[2]
SPARK_VENV = PROJECT_DIR / ".venv" / "spark"
CONF_DIR = PROJECT_DIR / "sandbox" / "spark"
MAX_INPUT_BYTES = 2 * 2**30
MAX_LINE_BYTES = 16 * 1024
MAX_LINES = 100_000
TAIL_LINES = 400
MAX_ERROR_CHARS = 2048
STOP_GRACE = 5.0
TRACEBACK = "Traceback (most recent call last):"
LOG_LINE = re.compile(r"\d{2}(\d{2})?[-/]\d{2}[-/]\d{2} \d{2}:\d{2}:\d{2}")
# spark-submit options that take no value; every other option takes the next argument.
SUBMIT_FLAGS = ("--verbose", "-v", "--supervise", "--help", "-h", "--version")
# Options meaningless in local mode: the sandbox drops them and says so.
SUBMIT_IGNORED = ("--master", "--deploy-mode")
PROXY_VARIABLES = ("HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "ALL_PROXY")

log = logging.getLogger("platform_ext.spark_runs")


class LaunchError(Exception):
    """The run cannot start (no script, no Spark, no Java, data too large): its error message."""


@dataclass(frozen=True)
class Launch:
    """One run's command. `submit`: spark-submit with `options` (EMR); else python (Glue)."""

    script: str  # s3:// URI of the .py file
    args: tuple[str, ...]
    submit: bool
    options: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()

    def uris(self) -> list[str]:
        return [self.script, *s3_uris([*self.options, *self.args])]


def glue_launch(script: str, job_name: str, run_id: str, arguments: dict[str, str]) -> Launch:
    """A Glue run: the script with --JOB_NAME/--JOB_ID/--JOB_RUN_ID and the run's arguments."""
    if Prefix.of(script) is None or not script.endswith(".py"):
        raise LaunchError(
            f"the sandbox runs Python job scripts from S3; ScriptLocation is {script!r}"
        )
    args = ["--JOB_NAME", job_name, "--JOB_ID", job_name, "--JOB_RUN_ID", run_id]
    for key, value in arguments.items():
        if key not in ("--JOB_NAME", "--JOB_ID", "--JOB_RUN_ID"):
            args += [key, value]
    return Launch(script=script, args=tuple(args), submit=False)


def emr_launch(jar: str, args: list[str]) -> Launch:
    """An EMR step `command-runner.jar spark-submit [options] s3://…/app.py [args]`."""
    if jar != "command-runner.jar" or not args or args[0] != "spark-submit":
        command = " ".join([jar, *args])
        raise LaunchError(
            "the sandbox runs spark-submit steps of Python scripts (Jar command-runner.jar, "
            f"Args spark-submit … s3://…/app.py …); this step runs: {command}"
        )
    options, notes = [], []
    rest = list(args[1:])
    while rest and rest[0].startswith("-"):
        option = rest.pop(0)
        value = [] if option in SUBMIT_FLAGS or "=" in option or not rest else [rest.pop(0)]
        if option.split("=")[0] in SUBMIT_IGNORED:
            notes.append(f"local mode: ignored {' '.join([option, *value])}")
        else:
            options += [option, *value]
    if not rest or Prefix.of(rest[0]) is None or not rest[0].endswith(".py"):
        raise LaunchError(
            "the sandbox runs spark-submit steps of Python scripts stored in S3; "
            f"this step's application is {rest[0] if rest else 'missing'!r}"
        )
    return Launch(rest[0], tuple(rest[1:]), True, tuple(options), tuple(notes))


def exception_text(lines: list[str]) -> str | None:
    """The exception of the last Python traceback in `lines`, its type without its module
    (`AnalysisException: …`, as Glue reports it), at most MAX_ERROR_CHARS; None without one."""
    starts = [i for i, line in enumerate(lines) if line == TRACEBACK]
    if not starts:
        return None
    tail = lines[starts[-1] + 1 :]
    frame_end = 0
    while frame_end < len(tail) and tail[frame_end][:1] in (" ", "\t"):
        frame_end += 1
    message: list[str] = []
    for line in tail[frame_end:]:
        # The exception's text ends at a blank line, a Java frame, or the next writer's log
        # line (Python logging and Spark's log4j both start with a date).
        if not line.strip() or line.startswith("\tat ") or LOG_LINE.match(line):
            break
        message.append(line)
        if len(message) == 5:
            break
    if not message:
        return None
    text = re.sub(r"^(?:[A-Za-z_]\w*\.)+(?=[A-Za-z_]\w*(?::|$))", "", "\n".join(message))
    return text[:MAX_ERROR_CHARS]


class _Stream:
    """Lines read from one pipe by a thread: taken in order by `take()`, the last TAIL_LINES kept
    for the error message. Bounded: long lines and lines past MAX_LINES are cut and counted."""

    def __init__(self, name: str, pipe: IO[bytes]) -> None:
        self.name = name
        self.pending: list[str] = []
        self.tail: deque[str] = deque(maxlen=TAIL_LINES)
        self.lines = 0
        self.cut_lines = 0
        self.lock = threading.Lock()
        self.thread = threading.Thread(target=self._read, args=(pipe,), daemon=True)
        self.thread.start()

    def _read(self, pipe: IO[bytes]) -> None:
        with pipe:
            while raw := pipe.readline(MAX_LINE_BYTES):
                cut = 0
                if not raw.endswith(b"\n"):
                    while (more := pipe.readline(MAX_LINE_BYTES)) and not more.endswith(b"\n"):
                        cut += len(more)
                    cut += len(more)
                line = raw.decode("utf-8", errors="replace").rstrip("\r\n")
                if cut:
                    line += f" … [{cut} bytes cut by the sandbox]"
                self._add(line)

    def _add(self, line: str) -> None:
        with self.lock:
            self.tail.append(line)
            if self.lines < MAX_LINES:
                self.pending.append(line)
                self.lines += 1
            else:
                self.cut_lines += 1

    def take(self, final: bool = False) -> list[str]:
        with self.lock:
            taken, self.pending = self.pending, []
            if final and self.cut_lines:
                taken.append(
                    f"[sandbox: {self.cut_lines} more lines not kept, the log holds the first "
                    f"{MAX_LINES}]"
                )
                self.cut_lines = 0
            return taken


@dataclass(eq=False)
class SparkRun:
    """One started run: its process, its output streams and its lake mirror."""

    launch: Launch
    process: subprocess.Popen
    workdir: Path
    mirror: LakeMirror
    streams: dict[str, _Stream]
    started: float = field(default_factory=time.time)
    kill_at: float | None = None
    finished: bool = False

    def take_lines(self, final: bool = False) -> dict[str, list[str]]:
        """New lines per stream ("stdout", "stderr") since the last call."""
        if final:
            for stream in self.streams.values():
                stream.thread.join(timeout=5)
        return {name: s.take(final) for name, s in self.streams.items()}

    def exit_code(self) -> int | None:
        return self.process.poll()

    def stop(self, now: float | None = None) -> None:
        """SIGTERM to the run's process group now, SIGKILL once STOP_GRACE has passed (call
        again from the clock until it has exited)."""
        now = time.time() if now is None else now
        if self.process.poll() is not None:
            return
        if self.kill_at is None:
            self.kill_at = now + STOP_GRACE
            _signal_group(self.process.pid, signal.SIGTERM)
        elif now >= self.kill_at:
            _signal_group(self.process.pid, signal.SIGKILL)

    def kill(self) -> None:
        """SIGKILL to the run's process group, waiting (at most STOP_GRACE) until it is gone."""
        _signal_group(self.process.pid, signal.SIGKILL)
        try:
            self.process.wait(timeout=STOP_GRACE)
        except subprocess.TimeoutExpired:
            log.warning("pid %d survived SIGKILL for %.0f s", self.process.pid, STOP_GRACE)

    def error_message(self) -> str:
        """Why it failed: the job's exception, else its exit status."""
        for name in ("stderr", "stdout"):
            text = exception_text(list(self.streams[name].tail))
            if text:
                return text
        code = self.process.returncode
        if code is not None and code < 0:
            return f"Command was killed by signal {signal.Signals(-code).name}"
        return f"Command failed with exit code {code}"

    def finish(self) -> str | None:
        """Writes what the run changed back to S3, then removes its directory; None, or why
        the output could not be written back (the run then fails with it)."""
        if self.finished:
            return None
        self.finished = True
        try:
            uploaded, deleted = self.mirror.upload_changes()
        except MirrorError as error:
            return str(error)
        except Exception as error:  # the run's output is lost: say so instead of hiding it
            log.exception("%s: writing the output back to S3 failed", self.launch.script)
            return f"the sandbox could not write the job's output back to S3: {error}"
        finally:
            _live.discard(self)
            shutil.rmtree(self.workdir, ignore_errors=True)
        log.info("%s: %d objects written to S3, %d deleted", self.launch.script, uploaded, deleted)
        return None


_live: set[SparkRun] = set()


def _signal_group(pid: int, sig: int) -> None:
    try:
        os.killpg(pid, sig)
    except ProcessLookupError:
        pass


def spark_python() -> Path:
    python = SPARK_VENV / "bin" / "python"
    if not python.exists():
        raise LaunchError(
            f"the sandbox's Spark is not installed ({python} is missing): run "
            "`scripts/venv spark` in the checkout (`platform-tui sandbox up` does it)"
        )
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        raise LaunchError(
            "Java is not installed: Spark needs Java 17 (Debian: apt-get install "
            "openjdk-17-jre-headless)"
        )
    return python


def start(launch: Launch) -> SparkRun:
    """Copies the run's S3 data, then starts its process. Raises LaunchError."""
    python = spark_python()
    workdir = Path(tempfile.mkdtemp(prefix="platform-sandbox-spark-"))
    try:
        mirror = LakeMirror(workdir / "s3", MAX_INPUT_BYTES)
        mirror.download(launch.uris())
        for skipped in mirror.skipped:
            log.warning("%s: not copied for the run (not a file name): %s", launch.script, skipped)
        script = Prefix.of(launch.script)
        local_script = mirror.local_path(script.bucket, script.key) if script else None
        if local_script is None or not local_script.is_file():
            raise LaunchError(f"the job's script {launch.script} does not exist in S3")
        conf = {
            f"spark.hadoop.fs.viewfs.mounttable.{bucket}.linkFallback": (
                mirror.bucket_dir(bucket).as_uri()
            )
            for bucket in mirror.buckets()
        }
        conf_args = [part for key, value in conf.items() for part in ("--conf", f"{key}={value}")]
        env = _environment(python)
        env["SPARK_LOCAL_DIRS"] = str(workdir / "local")  # shuffle and block files
        if launch.submit:
            command = [
                str(python.parent / "spark-submit"),
                *conf_args,
                *launch.options,
                launch.script,
                *launch.args,
            ]
        else:
            env["PYSPARK_SUBMIT_ARGS"] = shlex.join([*conf_args, "pyspark-shell"])
            command = [str(python), str(local_script), *launch.args]
        process = subprocess.Popen(
            command,
            cwd=workdir,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
    except MirrorError as error:
        shutil.rmtree(workdir, ignore_errors=True)
        raise LaunchError(str(error)) from error
    except BaseException:
        shutil.rmtree(workdir, ignore_errors=True)
        raise
    streams = {
        "stdout": _Stream("stdout", process.stdout),
        "stderr": _Stream("stderr", process.stderr),
    }
    run = SparkRun(launch, process, workdir, mirror, streams)
    _live.add(run)
    log.info("started pid %d: %s", process.pid, shlex.join(command))
    return run


def _environment(python: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in PROXY_VARIABLES}
    env.pop("PYSPARK_SUBMIT_ARGS", None)
    env.update(
        SPARK_CONF_DIR=str(CONF_DIR),
        PYSPARK_PYTHON=str(python),
        PYSPARK_DRIVER_PYTHON=str(python),
        SPARK_LOCAL_IP="127.0.0.1",
        PYTHONUNBUFFERED="1",
        PATH=f"{python.parent}{os.pathsep}{env.get('PATH', '')}",
    )
    env.pop("VIRTUAL_ENV", None)
    return env


def shutdown() -> None:
    """Kills every run still going (the emulator is stopping)."""
    for run in list(_live):
        _signal_group(run.process.pid, signal.SIGKILL)
        shutil.rmtree(run.workdir, ignore_errors=True)
    _live.clear()
