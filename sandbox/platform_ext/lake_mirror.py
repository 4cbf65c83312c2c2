"""A local copy of the S3 prefixes one Spark run reads and writes, synced with this emulator's S3.

Spark in the sandbox has no S3 filesystem that reaches the emulator (Hadoop's S3A jars cannot be
installed from PyPI), so each run gets a directory, `<root>/<bucket>/<key>`, that Hadoop's
ViewFileSystemOverloadScheme serves under the job's own s3:// URIs (spark_runs.py configures
it). Before the run, `download` copies every object under each S3 URI of the run's arguments;
after it, `upload_changes` writes back what the run created or changed under those prefixes
and deletes what it removed. Objects written to S3 by anyone else meanwhile are left alone.

Only prefixes named by the run are copied: a job that reads another path finds nothing there,
as it would find nothing at a path it was not given access to. Keys that cannot be files
(`..` components, a key that is also a folder) are skipped and reported.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from urllib.parse import urlparse

from . import sinks

S3_SCHEMES = ("s3", "s3a", "s3n")
GLOB_CHARACTERS = "*?[{"
# What Hadoop's local filesystem and Spark's committers leave next to the data: never uploaded.
LOCAL_ARTIFACTS = ("_temporary", ".spark-staging-")


class MirrorError(Exception):
    """A run's S3 data cannot be copied (too much) or written back (no such bucket)."""


@dataclass(frozen=True)
class Prefix:
    """The objects one S3 URI covers: keys equal to `key` or under `key/`, or, for a glob
    (`raw/green_tripdata_2024-01.*`), keys starting with its literal part."""

    bucket: str
    key: str
    glob: bool

    @classmethod
    def of(cls, uri: str) -> Prefix | None:
        parsed = urlparse(uri)
        if parsed.scheme not in S3_SCHEMES or not parsed.netloc:
            return None
        key = parsed.path.lstrip("/")
        cut = min((key.find(c) for c in GLOB_CHARACTERS if c in key), default=-1)
        if cut >= 0:
            return cls(parsed.netloc, key[:cut], glob=True)
        return cls(parsed.netloc, key.rstrip("/"), glob=False)

    def covers(self, key: str) -> bool:
        if self.glob or not self.key:
            return key.startswith(self.key)
        return key == self.key or key.startswith(self.key + "/")


S3_URI = re.compile(r"s3[an]?://[^,\s]+")


def s3_uris(arguments: list[str]) -> list[str]:
    """Every s3:// (s3a, s3n) URI in `arguments`, also inside comma-separated lists and
    `--key=s3://…` or `spark.x=s3://…` forms (a URI may hold `=`: month=2024-01/)."""
    return [uri for argument in arguments for uri in S3_URI.findall(argument)]


def signature(path: Path) -> tuple[int, int]:
    """What tells a file the run changed from the one it was given: size and mtime."""
    stat = path.stat()
    return stat.st_size, stat.st_mtime_ns


@dataclass
class LakeMirror:
    root: Path
    max_bytes: int
    prefixes: list[Prefix] = field(default_factory=list)
    # key path -> (size, mtime_ns) of every file as downloaded
    _downloaded: dict[tuple[str, str], tuple[int, int]] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)

    def buckets(self) -> list[str]:
        return sorted({p.bucket for p in self.prefixes})

    def bucket_dir(self, bucket: str) -> Path:
        return self.root / bucket

    def local_path(self, bucket: str, key: str) -> Path | None:
        """Where `key` lives in the mirror; None for keys that cannot be a file."""
        parts = PurePosixPath(key).parts
        if not parts or key.endswith("/") or any(p in ("..", ".") for p in parts):
            return None
        return self.bucket_dir(bucket).joinpath(*parts)

    def download(self, uris: list[str]) -> int:
        """Copies every object the URIs cover; returns the number of bytes copied."""
        copied = 0
        for uri in uris:
            prefix = Prefix.of(uri)
            if prefix is None or prefix in self.prefixes:
                continue
            self.prefixes.append(prefix)
            self.bucket_dir(prefix.bucket).mkdir(parents=True, exist_ok=True)
            backend = sinks.s3_backend_for(prefix.bucket)
            if backend is None:
                continue  # as on AWS, only using it fails: reading finds nothing, writing fails
            store = backend.buckets[prefix.bucket].keys
            for key in sorted(k for k in list(store.keys()) if prefix.covers(k)):
                path = self.local_path(prefix.bucket, key)
                if path is None:
                    if not key.endswith("/"):  # folder markers are folders, nothing is lost
                        self.skipped.append(f"s3://{prefix.bucket}/{key}")
                    continue
                body = store[key].value
                copied += len(body)
                if copied > self.max_bytes:
                    raise MirrorError(
                        f"the run's S3 input is larger than the sandbox copies "
                        f"({self.max_bytes // 2**20} MiB, at s3://{prefix.bucket}/{key})"
                    )
                if not self._write(path, body):
                    self.skipped.append(f"s3://{prefix.bucket}/{key}")
                    continue
                self._downloaded[(prefix.bucket, key)] = signature(path)
        return copied

    @staticmethod
    def _write(path: Path, body: bytes) -> bool:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(body)
        except (IsADirectoryError, NotADirectoryError, FileExistsError):
            return False  # a key that is also a folder ("a" next to "a/b"): cannot be both
        return True

    def local_files(self) -> dict[tuple[str, str], Path]:
        """(bucket, key) -> path of every mirrored file now under the run's prefixes."""
        files = {}
        for bucket in self.buckets():
            base = self.bucket_dir(bucket)
            for directory, dirs, names in os.walk(base):
                dirs[:] = [d for d in dirs if not d.startswith(LOCAL_ARTIFACTS)]
                for name in names:
                    if name.endswith(".crc") and name.startswith("."):
                        continue  # Hadoop's local checksums
                    path = Path(directory) / name
                    key = path.relative_to(base).as_posix()
                    if any(p.bucket == bucket and p.covers(key) for p in self.prefixes):
                        files[(bucket, key)] = path
        return files

    def upload_changes(self) -> tuple[int, int]:
        """Writes new and changed files to S3 and deletes the objects the run removed;
        returns (uploaded, deleted)."""
        now = self.local_files()
        changed = {
            place: path
            for place, path in sorted(now.items())
            if self._downloaded.get(place) != signature(path)
        }
        missing = sorted({b for b, _ in changed if sinks.s3_backend_for(b) is None})
        if missing:
            raise MirrorError(
                f"the job wrote to s3://{missing[0]}/, but bucket {missing[0]} does not exist "
                f"({sum(1 for b, _ in changed if b in missing)} objects not written)"
            )
        uploaded = deleted = 0
        for (bucket, key), path in changed.items():
            sinks.s3_backend_for(bucket).put_object(bucket, key, path.read_bytes())
            uploaded += 1
        for bucket, key in sorted(set(self._downloaded) - set(now)):
            backend = sinks.s3_backend_for(bucket)
            if backend is not None and backend.get_object(bucket, key) is not None:
                backend.delete_object(bucket, key)
                deleted += 1
        return uploaded, deleted
