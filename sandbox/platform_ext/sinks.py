"""Where simulated runs write their logs: CloudWatch Logs and S3 of this same moto process."""

from __future__ import annotations

import gzip
import logging
import time
from urllib.parse import urlparse

log = logging.getLogger("platform_ext.sinks")


def put_log_lines(account_id: str, region: str, group: str, stream: str, lines: list[str]) -> None:
    """Append `lines` (one event each, timestamped now) to group/stream, creating both (also
    when there are no lines: a run's streams exist from its start, as on AWS)."""
    from moto.logs.models import logs_backends

    backend = logs_backends[account_id][region]
    if group not in backend.groups:
        backend.create_log_group(group, tags={})
    if stream not in backend.groups[group].streams:
        backend.create_log_stream(group, stream)
    if not lines:
        return
    millis = int(time.time() * 1000)
    events = [{"timestamp": millis, "message": line} for line in lines]
    backend.put_log_events(group, stream, events)


def split_s3_uri(uri: str) -> tuple[str, str]:
    """s3://bucket/some/prefix (or s3n://, s3a://) -> ("bucket", "some/prefix/")."""
    parsed = urlparse(uri)
    if parsed.scheme not in ("s3", "s3n", "s3a") or not parsed.netloc:
        raise ValueError(f"not an S3 URI: {uri!r}")
    prefix = parsed.path.lstrip("/")
    if prefix and not prefix.endswith("/"):
        prefix += "/"
    return parsed.netloc, prefix


def s3_backend_for(bucket: str):
    from moto.s3.models import s3_backends

    try:
        partition, account_id = s3_backends.bucket_accounts[bucket]
    except KeyError:
        return None
    return s3_backends[account_id][partition]


def put_gzip_object(bucket: str, key: str, text: str) -> bool:
    """Write text gzip'd to s3://bucket/key; False (and a warning) when the bucket is missing."""
    backend = s3_backend_for(bucket)
    if backend is None:
        log.warning("log bucket %s does not exist; not writing %s", bucket, key)
        return False
    backend.put_object(bucket, key, gzip.compress(text.encode(), mtime=0))
    return True


def list_objects(bucket: str, prefix: str) -> list[tuple[str, bytes]]:
    """(key, body) of every object under prefix, in key order."""
    backend = s3_backend_for(bucket)
    if backend is None:
        raise FileNotFoundError(f"bucket {bucket} does not exist")
    found = backend.buckets[bucket].keys
    return sorted(
        (key, found[key].value)
        for key in list(found.keys())
        if key.startswith(prefix) and not key.endswith("/")
    )
