"""A small Terraform provider of our own for the Terraform runner tests: example.com/platform/cloud.

Its "cloud" is a directory of JSON files (the provider's `directory` setting), one per object,
so a test can change the world behind Terraform's back (drift), pre-create an object (import)
or make a create fail. Built on PyPI `tf` (tfplugin6); the tests put a launcher script for it
in a filesystem mirror (see tests/terraform_provider.rs).

Resource `cloud_object`:
  name     (required, changing it replaces the object)
  content  (optional, updated in place)
  secret   (optional, sensitive)
  fail     (optional bool: the create fails with an error diagnostic)
  id, size (computed)
"""

import json
import sys
from pathlib import Path

from tf import schema, types
from tf.iface import (
    Config,
    CreateContext,
    DataSource,
    DeleteContext,
    ImportContext,
    PlanContext,
    ReadContext,
    Resource,
    State,
    UpdateContext,
    UpgradeContext,
)
from tf.provider import Diagnostics, Provider
from tf.runner import run_provider
from tf.types import Unknown

FIELDS = ("name", "content", "secret", "fail")


class CloudProvider(Provider):
    def __init__(self):
        self.directory: Path | None = None

    def full_name(self) -> str:
        return "example.com/platform/cloud"

    def get_model_prefix(self) -> str:
        return "cloud_"

    def get_provider_schema(self, diags: Diagnostics) -> schema.Schema:
        directory = schema.Attribute("directory", types.String(), required=True)
        return schema.Schema(attributes=[directory])

    def validate_config(self, diags: Diagnostics, config: Config):
        pass

    def configure_provider(self, diags: Diagnostics, config: Config):
        self.directory = Path(config["directory"])
        self.directory.mkdir(parents=True, exist_ok=True)

    def get_data_sources(self) -> list[type[DataSource]]:
        return []

    def get_resources(self) -> list[type[Resource]]:
        return [CloudObject]

    def object_file(self, object_id: str) -> Path:
        assert self.directory is not None, "provider not configured"
        return self.directory / f"{object_id}.json"


class CloudObject(Resource):
    def __init__(self, provider: CloudProvider):
        self.provider = provider

    @classmethod
    def get_name(cls) -> str:
        return "object"

    @classmethod
    def get_schema(cls) -> schema.Schema:
        return schema.Schema(
            attributes=[
                schema.Attribute("id", types.String(), computed=True),
                schema.Attribute("name", types.String(), required=True, requires_replace=True),
                schema.Attribute("content", types.String(), optional=True),
                schema.Attribute("secret", types.String(), optional=True, sensitive=True),
                schema.Attribute("fail", types.Bool(), optional=True),
                schema.Attribute("size", types.Number(), computed=True),
            ]
        )

    def save(self, state: State) -> State:
        stored = {field: state.get(field) for field in FIELDS}
        stored["id"] = state["name"]
        stored["size"] = len(state.get("content") or "")
        self.provider.object_file(stored["id"]).write_text(json.dumps(stored, sort_keys=True))
        return stored

    def load(self, object_id: str) -> State | None:
        path = self.provider.object_file(object_id)
        return json.loads(path.read_text()) if path.exists() else None

    def create(self, ctx: CreateContext, planned: State) -> State | None:
        if planned.get("fail"):
            ctx.diagnostics.add_error(
                f"The cloud refused to create {planned['name']}",
                "The object is configured with fail = true.",
            )
            return None
        return self.save(planned)

    def plan(self, ctx: PlanContext, current: State | None, planned: State) -> State | None:
        # The size follows the content: planned from it (unknown while the content is), so an
        # update's result is what its plan said.
        content = planned.get("content")
        planned["size"] = Unknown if content is Unknown else len(content or "")
        return planned

    def read(self, ctx: ReadContext, current: State) -> State | None:
        return self.load(current["id"])

    def update(self, ctx: UpdateContext, current: State, planned: State) -> State | None:
        return self.save(planned)

    def delete(self, ctx: DeleteContext, current: State):
        self.provider.object_file(current["id"]).unlink(missing_ok=True)

    def upgrade(self, ctx: UpgradeContext, version: int, old: State) -> State | None:
        return old  # one schema version so far

    def import_(self, ctx: ImportContext, id: str) -> State | None:
        found = self.load(id)
        if found is None:
            ctx.diagnostics.add_error(f"No object {id} in the cloud", "Nothing to import.")
        return found


def main():
    run_provider(CloudProvider(), sys.argv)


if __name__ == "__main__":
    main()
