"""The Terraform tree in infra/, parsed with python-hcl2 into plain Python values.

Strings come back without their quotes (`"s3:GetObject"` -> `s3:GetObject`, an expression stays
`${...}`), blocks as lists of dicts. Helpers walk the parsed files by directory (a Terraform
module is a directory) and by block kind.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import hcl2

REPO = Path(__file__).resolve().parents[2]
INFRA = REPO / "infra"
MODULES = INFRA / "modules"
ENVS = INFRA / "envs"

# The seven platform modules every environment composes (helper modules come on top).
PLATFORM_MODULES = ("vpc", "iam", "s3", "glue", "emr", "redshift", "mwaa")
ENVIRONMENTS = ("prod", "dev")

_OPTIONS = hcl2.SerializationOptions(
    with_comments=False, explicit_blocks=False, strip_string_quotes=True
)


def tf_files() -> list[Path]:
    """Every .tf file under infra/ (symbolic links included, as Terraform reads them)."""
    return sorted(p for p in INFRA.rglob("*.tf") if ".terraform" not in p.parts)


@cache
def parse(path: Path) -> dict[str, Any]:
    """A .tf file, or any HCL file (.tfvars, backend config)."""
    with path.open(encoding="utf-8") as f:
        return hcl2.load(f, serialization_options=_OPTIONS)


def unquote(name: str) -> str:
    """Labels and map keys may keep their quotes: `"emr-service-role"` -> `emr-service-role`."""
    return name[1:-1] if len(name) >= 2 and name[0] == name[-1] == '"' else name


@dataclass(frozen=True)
class Block:
    """One labelled block: `resource "TYPE" "NAME" {...}` has kind resource, labels (TYPE, NAME)."""

    path: Path
    kind: str
    labels: tuple[str, ...]
    body: dict[str, Any]

    @property
    def address(self) -> str:
        return f"{self.path.relative_to(REPO)}: {self.kind} {' '.join(self.labels)}"


def blocks(path: Path, kind: str) -> Iterator[Block]:
    """Blocks of one kind in one file. resource/data have two labels, module/variable/output one."""
    two_labels = kind in ("resource", "data")
    for entry in parse(path).get(kind, []):
        for first, inner in entry.items():
            if two_labels:
                for second, body in inner.items():
                    yield Block(path, kind, (unquote(first), unquote(second)), body)
            else:
                yield Block(path, kind, (unquote(first),), inner)


def dir_blocks(directory: Path, kind: str) -> list[Block]:
    """Blocks of one kind in a Terraform module (all .tf files of one directory)."""
    return [b for f in sorted(directory.glob("*.tf")) for b in blocks(f, kind)]


def all_blocks(kind: str, type_: str | None = None) -> list[Block]:
    """Blocks of one kind in the whole tree, optionally of one resource/data type."""
    found = [b for f in tf_files() for b in blocks(f, kind)]
    return [b for b in found if type_ is None or b.labels[0] == type_]


def first(value: Any) -> Any:
    """A nested block is a list of one dict: its dict, or the value itself."""
    return value[0] if isinstance(value, list) and len(value) == 1 else value


def strings(value: Any) -> Iterator[str]:
    """Every string inside a parsed value, depth first."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from strings(v)


def variables(directory: Path) -> dict[str, dict[str, Any]]:
    return {b.labels[0]: b.body for b in dir_blocks(directory, "variable")}


def outputs(directory: Path) -> dict[str, dict[str, Any]]:
    return {b.labels[0]: b.body for b in dir_blocks(directory, "output")}


def module_source_dir(call: Block) -> Path:
    """The directory a local `module` block's source points to, from the calling file's folder."""
    return (call.path.parent / call.body["source"]).resolve()
