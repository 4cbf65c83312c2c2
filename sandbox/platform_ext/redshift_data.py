"""The Redshift Data API, executing statements for real on DuckDB (see sql_engine).

moto 5.2.5 keeps statements STARTED forever, answers a fixed 3-row result and writes CreatedAt
as an ISO string (aws-sdk-rust expects epoch seconds). Here every answer goes through moto's
botocore-model serializer (timestamps are epoch numbers, shapes as on AWS), and a statement is
SUBMITTED for the redshift-sql startup time, STARTED while it runs on its cluster+database
(and at least the run time), then FINISHED with its result, FAILED with the server's error
text, or ABORTED by CancelStatement.
"""

from __future__ import annotations

import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from moto.core.exceptions import JsonRESTError
from moto.core.responses import ActionResult
from moto.redshiftdata.models import redshiftdata_backends
from moto.redshiftdata.responses import RedshiftDataAPIServiceResponse

from . import clock, control

if TYPE_CHECKING:  # imported on first use: DuckDB and sqlglot add ~0.5 s to the emulator's start
    from . import sql_engine

PAGE_ROWS = 1000
LIST_LIMIT = 100
FINISHED = ("FINISHED", "FAILED", "ABORTED")


class ValidationException(JsonRESTError):
    def __init__(self, message: str) -> None:
        super().__init__("ValidationException", message)


class ResourceNotFoundException(JsonRESTError):
    def __init__(self, message: str) -> None:
        super().__init__("ResourceNotFoundException", message)


@dataclass
class SubStatement:
    id: str
    sql: str
    created_at: float
    status: str = "SUBMITTED"
    updated_at: float = 0.0
    started_at: float | None = None
    ended_at: float | None = None
    error: str | None = None
    outcome: sql_engine.Outcome | None = None

    def set_status(self, status: str, error: str | None = None) -> None:
        now = time.time()
        self.status, self.updated_at = status, now
        if status == "STARTED":
            self.started_at = now
        if status in FINISHED:
            self.ended_at = now
            self.error = error

    def duration_ns(self) -> int:
        if self.started_at is None or self.ended_at is None:
            return -1
        return int((self.ended_at - self.started_at) * 1e9)

    def as_dict(self) -> dict[str, Any]:
        outcome = self.outcome if self.status == "FINISHED" else None
        data = {
            "Id": self.id,
            "Status": self.status,
            "QueryString": self.sql,
            "CreatedAt": clock.utc(self.created_at),
            "UpdatedAt": clock.utc(self.updated_at or self.created_at),
            "Duration": self.duration_ns(),
            "HasResultSet": bool(outcome and outcome.has_result_set),
            "ResultRows": outcome.rows_affected if outcome else -1,
            "ResultSize": result_size(outcome),
            "RedshiftQueryId": outcome.query_id if outcome else 0,
        }
        if self.error:
            data["Error"] = self.error
        return data


def result_size(outcome: sql_engine.Outcome | None) -> int:
    if outcome is None or not outcome.has_result_set:
        return -1
    return sum(len(repr(row)) for row in outcome.rows)


@dataclass
class Statement:
    """One ExecuteStatement (one part) or BatchExecuteStatement (one part per SQL)."""

    request: dict[str, Any]
    parts: list[SubStatement]
    is_batch: bool
    id: str = field(default_factory=lambda: str(uuid.uuid4()))
    cancelled: threading.Event = field(default_factory=threading.Event)
    pid: int = field(default_factory=lambda: 1_073_000_000 + uuid.uuid4().int % 1_000_000)

    @property
    def status(self) -> str:
        states = [p.status for p in self.parts]
        for state in ("FAILED", "ABORTED"):
            if state in states:
                return state
        if all(s == "FINISHED" for s in states):
            return "FINISHED"
        return "SUBMITTED" if all(s == "SUBMITTED" for s in states) else "STARTED"

    def identity(self) -> dict[str, Any]:
        keys = ("ClusterIdentifier", "WorkgroupName", "Database", "DbUser", "SecretArn")
        data = {k: self.request[k] for k in keys if self.request.get(k)}
        data["Id"] = self.id
        data["CreatedAt"] = clock.utc(self.parts[0].created_at)
        return data

    def describe(self) -> dict[str, Any]:
        data = self.identity()
        error = next((p.error for p in self.parts if p.error), None)
        updated = max(p.updated_at or p.created_at for p in self.parts)
        data |= {
            "Status": self.status,
            "UpdatedAt": clock.utc(updated),
            "RedshiftPid": self.pid,
            "QueryString": "; ".join(p.sql for p in self.parts),
            "Duration": sum(max(p.duration_ns(), 0) for p in self.parts)
            if self.status in FINISHED
            else -1,
        }
        if error:
            data["Error"] = error
        if self.request.get("Parameters"):
            data["QueryParameters"] = self.request["Parameters"]
        if self.is_batch:
            data["SubStatements"] = [p.as_dict() for p in self.parts]
            data["HasResultSet"] = any(p.as_dict()["HasResultSet"] for p in self.parts)
        else:
            single = self.parts[0].as_dict()
            for key in ("HasResultSet", "ResultRows", "ResultSize", "RedshiftQueryId"):
                data[key] = single[key]
        return data

    def summary(self) -> dict[str, Any]:
        data = {
            "Id": self.id,
            "Status": self.status,
            "CreatedAt": clock.utc(self.parts[0].created_at),
            "UpdatedAt": self.describe()["UpdatedAt"],
            "IsBatchStatement": self.is_batch,
        }
        if self.is_batch:
            data["QueryStrings"] = [p.sql for p in self.parts]
        else:
            data["QueryString"] = self.parts[0].sql
        for key in ("StatementName", "SecretArn"):
            if self.request.get(key):
                data[key] = self.request[key]
        if self.request.get("Parameters"):
            data["QueryParameters"] = self.request["Parameters"]
        return data


class SqlBackend:
    """Statements and databases of one account+region."""

    def __init__(self, account_id: str, region: str) -> None:
        self.account_id, self.region = account_id, region
        self.statements: dict[str, Statement] = {}
        self.databases: dict[tuple[str, str], sql_engine.Database] = {}

    def database(self, request: dict[str, Any]) -> sql_engine.Database:
        cluster = request.get("ClusterIdentifier")
        key = (cluster or request.get("WorkgroupName") or "", request.get("Database") or "dev")
        from . import sql_engine

        with control.LOCK:
            if key not in self.databases:
                self.databases[key] = sql_engine.Database(
                    key[1], roles=lambda: self.cluster_roles(cluster)
                )
            return self.databases[key]

    def cluster_roles(self, cluster: str | None) -> list[str]:
        """ARNs of the IAM roles associated with the cluster (what COPY may assume)."""
        from moto.redshift.models import redshift_backends

        found = redshift_backends[self.account_id][self.region].clusters.get(cluster or "")
        return list(found.iam_roles_arn) if found is not None else []

    def check_target(self, request: dict[str, Any]) -> None:
        cluster = request.get("ClusterIdentifier")
        if not cluster and not request.get("WorkgroupName"):
            raise ValidationException("Either ClusterIdentifier or WorkgroupName is required.")
        if not request.get("Database"):
            raise ValidationException("Database is required.")
        if cluster:
            from moto.redshift.models import redshift_backends

            clusters = redshift_backends[self.account_id][self.region].clusters
            if cluster not in clusters:
                raise ValidationException(f"Cluster {cluster} not found.")
            if clusters[cluster].status != "available":
                raise ValidationException(
                    f"Cluster {cluster} is {clusters[cluster].status}: it must be available"
                    " to run statements (resume it first)."
                )

    def submit(self, request: dict[str, Any], sqls: list[str], is_batch: bool) -> Statement:
        self.check_target(request)
        if not sqls or any(not (s or "").strip() for s in sqls):
            raise ValidationException("Sql must not be empty.")
        now = time.time()
        statement = Statement(request, [], is_batch)
        statement.parts = [
            SubStatement(f"{statement.id}:{n}" if is_batch else statement.id, sql, now)
            for n, sql in enumerate(sqls, start=1)
        ]
        self.statements[statement.id] = statement
        names = (request.get("ClusterIdentifier"), request.get("WorkgroupName"))
        failure = control.take_failure("redshift-sql", *[n for n in names if n])
        timing = control.timing("redshift-sql", *names)
        worker = threading.Thread(
            target=execute,
            args=(statement, self.database(request), timing, failure),
            name=f"redshift-sql-{statement.id[:8]}",
            daemon=True,
        )
        worker.start()
        return statement

    def get(self, statement_id: str) -> tuple[Statement, SubStatement | None]:
        parent, _, number = statement_id.partition(":")
        statement = self.statements.get(parent)
        if statement is None:
            raise ResourceNotFoundException("Query does not exist.")
        if not number:
            return statement, None
        part = next((p for p in statement.parts if p.id == statement_id), None)
        if part is None:
            raise ResourceNotFoundException("Query does not exist.")
        return statement, part

    def cancel(self, statement_id: str) -> None:
        statement, _ = self.get(statement_id)
        if statement.status in FINISHED:
            raise ValidationException(
                f"Could not cancel a query that is already in {statement.status} state"
                f" with ID: {statement_id}"
            )
        statement.cancelled.set()
        if any(p.status == "STARTED" for p in statement.parts):
            self.database(statement.request).interrupt()


def execute(
    statement: Statement,
    database: sql_engine.Database,
    timing: control.Timing,
    failure: str | None,
) -> None:
    """Worker thread: SUBMITTED -> STARTED -> FINISHED | FAILED | ABORTED, part by part, all
    parts in one transaction (sql_engine.Session): a failure or a cancel rolls back every part."""
    from . import sql_engine

    if statement.cancelled.wait(timing.startup):
        abort_rest(statement)
        return
    user = statement.request.get("DbUser", "")
    try:
        with database.session(user) as session:
            for part in statement.parts:
                part.set_status("STARTED")
                started = time.monotonic()
                if failure is not None:
                    raise sql_engine.SqlError(failure)
                part.outcome = session.run(part.sql, parameters_of(statement.request))
                remaining = timing.run - (time.monotonic() - started)
                if statement.cancelled.wait(max(remaining, 0)):
                    raise Cancelled
                part.set_status("FINISHED")
    except Cancelled:
        abort_rest(statement)
    except sql_engine.SqlError as error:
        if statement.cancelled.is_set():
            abort_rest(statement)
            return
        failed = next(p for p in statement.parts if p.status == "STARTED")
        failed.set_status("FAILED", str(error))
        abort_rest(statement, "Not run: an earlier statement of the batch failed")


class Cancelled(Exception):
    """CancelStatement arrived while the statement ran: its transaction is rolled back."""


def abort_rest(statement: Statement, reason: str = "Query cancelled on user's request") -> None:
    for part in statement.parts:
        if part.status not in FINISHED:
            part.set_status("ABORTED", reason)


def parameters_of(request: dict[str, Any]) -> dict[str, str]:
    return {p["name"]: p["value"] for p in request.get("Parameters") or []}


def sql_backend(response: RedshiftDataAPIServiceResponse) -> SqlBackend:
    moto_backend = redshiftdata_backends[response.current_account][response.region]
    with control.LOCK:
        if not hasattr(moto_backend, "platform_sql"):
            moto_backend.platform_sql = SqlBackend(response.current_account, response.region)
        return moto_backend.platform_sql


# --- typed results --------------------------------------------------------------------------


def field_of(value: Any) -> dict[str, Any]:
    if value is None:
        return {"isNull": True}
    if isinstance(value, bool):
        return {"booleanValue": value}
    if isinstance(value, int):
        return {"longValue": value}
    if isinstance(value, float):
        return {"doubleValue": value}
    if isinstance(value, bytes):
        return {"blobValue": value}
    return {"stringValue": str(value)}


SIGNED = ("int2", "int4", "int8", "float4", "float8", "numeric")


def column_metadata(column: sql_engine.Column) -> dict[str, Any]:
    return {
        "name": column.name,
        "label": column.name,
        "typeName": column.type_name,
        "nullable": 1,
        "isSigned": column.type_name in SIGNED,
        "isCaseSensitive": column.type_name in ("varchar", "bpchar"),
        "isCurrency": False,
        "precision": column.precision,
        "scale": column.scale,
        "length": 0,
        "schemaName": "",
        "tableName": "",
    }


def result_page(outcome: sql_engine.Outcome, token: str | None) -> dict[str, Any]:
    start = int(token) if token and token.isdigit() else 0
    rows = outcome.rows[start : start + PAGE_ROWS]
    page = {
        "ColumnMetadata": [column_metadata(column) for column in outcome.columns],
        "Records": [[field_of(v) for v in row] for row in rows],
        "TotalNumRows": len(outcome.rows),
    }
    if start + PAGE_ROWS < len(outcome.rows):
        page["NextToken"] = str(start + PAGE_ROWS)
    return page


# --- API handlers (methods of moto's RedshiftDataAPIServiceResponse) -----------------------

REQUEST_KEYS = (
    "ClusterIdentifier",
    "WorkgroupName",
    "Database",
    "DbUser",
    "SecretArn",
    "StatementName",
    "Parameters",
    "WithEvent",
)


def request_of(response: RedshiftDataAPIServiceResponse) -> dict[str, Any]:
    return {k: response._get_param(k) for k in REQUEST_KEYS if response._get_param(k)}


def execute_statement(self: RedshiftDataAPIServiceResponse) -> ActionResult:
    statement = sql_backend(self).submit(request_of(self), [self._get_param("Sql")], False)
    return ActionResult(statement.identity())


def batch_execute_statement(self: RedshiftDataAPIServiceResponse) -> ActionResult:
    statement = sql_backend(self).submit(request_of(self), self._get_param("Sqls") or [], True)
    return ActionResult(statement.identity())


def describe_statement(self: RedshiftDataAPIServiceResponse) -> ActionResult:
    statement, part = sql_backend(self).get(self._get_param("Id"))
    return ActionResult(part.as_dict() if part else statement.describe())


def get_statement_result(self: RedshiftDataAPIServiceResponse) -> ActionResult:
    statement, part = sql_backend(self).get(self._get_param("Id"))
    if part is None and statement.is_batch:
        raise ValidationException(
            "Query does not have result. Use the ID of a sub-statement (<id>:<n>) of the batch."
        )
    part = part or statement.parts[0]
    if part.status != "FINISHED" or part.outcome is None or not part.outcome.has_result_set:
        raise ResourceNotFoundException(
            "Query does not have result. Please check query status with DescribeStatement."
        )
    return ActionResult(result_page(part.outcome, self._get_param("NextToken")))


def list_statements(self: RedshiftDataAPIServiceResponse) -> ActionResult:
    backend = sql_backend(self)
    wanted_status = self._get_param("Status") or "ALL"
    name = self._get_param("StatementName")
    cluster = self._get_param("ClusterIdentifier")
    database = self._get_param("Database")
    limit = int(self._get_param("MaxResults") or LIST_LIMIT)
    token = self._get_param("NextToken")
    start = int(token) if token and token.isdigit() else 0
    found = [
        s
        for s in sorted(backend.statements.values(), key=lambda s: -s.parts[0].created_at)
        if wanted_status in ("ALL", s.status)
        and (not name or s.request.get("StatementName", "").startswith(name))
        and (not cluster or s.request.get("ClusterIdentifier") == cluster)
        and (not database or s.request.get("Database") == database)
    ]
    page = {"Statements": [s.summary() for s in found[start : start + limit]]}
    if start + limit < len(found):
        page["NextToken"] = str(start + limit)
    return ActionResult(page)


def cancel_statement(self: RedshiftDataAPIServiceResponse) -> ActionResult:
    sql_backend(self).cancel(self._get_param("Id"))
    return ActionResult({"Status": True})


def install() -> None:
    for handler in (
        execute_statement,
        batch_execute_statement,
        describe_statement,
        get_statement_result,
        list_statements,
        cancel_statement,
    ):
        setattr(RedshiftDataAPIServiceResponse, handler.__name__, handler)
