"""What a successful crawl writes to the Glue Data Catalog (moto's crawls create no tables).

For each S3 target, every folder directly under the target path with CSV, JSON or Parquet
files becomes a table `<TablePrefix><folder>` (hyphens -> underscores) in the crawler's
database: classification from the file extension, location = the folder, and for CSV the
columns from the header line, typed bigint / double / string from the first data row.
A table that exists is updated. Files of other kinds are left out, as Glue's UNKNOWN.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Any

from moto.glue.exceptions import TableNotFoundException

from . import sinks

CLASSIFICATIONS = {".csv": "csv", ".json": "json", ".parquet": "parquet"}
FORMATS = {
    "csv": (
        "org.apache.hadoop.mapred.TextInputFormat",
        "org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe",
    ),
    "json": ("org.apache.hadoop.mapred.TextInputFormat", "org.openx.data.jsonserde.JsonSerDe"),
    "parquet": (
        "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
        "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe",
    ),
}


@dataclass
class CrawlResult:
    created: int = 0
    updated: int = 0


def classification(key: str) -> str | None:
    return next((c for ext, c in CLASSIFICATIONS.items() if key.lower().endswith(ext)), None)


def column_type(value: str) -> str:
    for kind, convert in (("bigint", int), ("double", float)):
        try:
            convert(value)
            return kind
        except ValueError:
            continue
    return "string"


def csv_columns(body: bytes) -> list[dict[str, str]]:
    lines = list(csv.reader(io.StringIO(body.decode("utf-8", errors="replace"))))
    if not lines:
        return []
    sample = lines[1] if len(lines) > 1 else [""] * len(lines[0])
    return [
        {"Name": name.strip().lower() or f"col{n}", "Type": column_type(value)}
        for n, (name, value) in enumerate(zip(lines[0], sample, strict=False))
    ]


def folders(bucket: str, prefix: str) -> dict[str, list[tuple[str, bytes]]]:
    """Files of each first-level folder under prefix that have a known classification."""
    found: dict[str, list[tuple[str, bytes]]] = {}
    for key, body in sinks.list_objects(bucket, prefix):
        rest = key[len(prefix) :]
        if "/" in rest and classification(key):
            found.setdefault(rest.split("/", 1)[0], []).append((key, body))
    return found


def table_input(name: str, location: str, files: list[tuple[str, bytes]]) -> dict[str, Any]:
    kind = classification(files[0][0]) or "unknown"
    input_format, serde = FORMATS[kind]
    columns = csv_columns(files[0][1]) if kind == "csv" else []
    parameters = {"classification": kind, "objectCount": str(len(files))}
    serde_parameters = {"field.delim": ","} if kind == "csv" else {}
    if kind == "csv":
        parameters["skip.header.line.count"] = "1"
    return {
        "Name": name,
        "TableType": "EXTERNAL_TABLE",
        "Parameters": parameters,
        "StorageDescriptor": {
            "Columns": columns,
            "Location": location,
            "InputFormat": input_format,
            "SerdeInfo": {"SerializationLibrary": serde, "Parameters": serde_parameters},
        },
    }


def write_tables(crawler: Any) -> CrawlResult:
    """Create or update the tables the crawler's S3 targets hold; counts for its metrics."""
    result = CrawlResult()
    backend = crawler.backend
    for target in (crawler.targets or {}).get("S3Targets", []):
        try:
            bucket, prefix = sinks.split_s3_uri(target["Path"])
            found = folders(bucket, prefix)
        except (ValueError, FileNotFoundError, KeyError):
            continue
        for folder, files in sorted(found.items()):
            name = f"{crawler.table_prefix or ''}{folder}".replace("-", "_").lower()
            table = table_input(name, f"s3://{bucket}/{prefix}{folder}/", files)
            try:
                backend.get_table(crawler.database_name, name)
            except TableNotFoundException:
                backend.create_table(crawler.database_name, name, table)
                result.created += 1
            else:
                backend.update_table(crawler.database_name, name, table)
                result.updated += 1
    return result
