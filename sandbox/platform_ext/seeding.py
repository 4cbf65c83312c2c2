"""Seed the Glue and Redshift resources infra/ creates (modules glue and redshift), and a
waiting EMR cluster like the one the DAG's create_emr_jobflow starts, by API.

Names follow infra/modules/naming with project "nyctaxi" and env "sandbox", the prefix of the
buckets sandbox/seed.py creates. The Glue job's script is uploaded from scripts/ when present
(and when the data-lake bucket exists), like the glue module's aws_s3_object.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import boto3
from botocore.config import Config

REGION = "us-east-1"
ACCOUNT_ID = "123456789012"  # moto's default account
PROJECT_DIR = Path(__file__).resolve().parents[2]
GLUE_SCRIPT = "glue_process_to_staging.py"
# MWAA's log modules, as LoggingConfiguration names their groups (airflow-<env>-<module>).
MWAA_LOG_MODULES = ("Task", "Scheduler", "DAGProcessing", "WebServer", "Worker")
SCHEMA_SQL = "001_schema.sql"
SCHEMA_TIMEOUT = 30.0
DONE_STATUSES = ("FINISHED", "FAILED", "ABORTED")
# The emulator checks no subnet: any well-formed id does for the EMR job flow.
SANDBOX_SUBNET_ID = "subnet-0a1b2c3d4e5f60000"

log = logging.getLogger("platform_ext.seeding")


@dataclass(frozen=True)
class PlatformNames:
    """infra/modules/naming for one <project>-<env> prefix."""

    prefix: str = "nyctaxi-sandbox"
    redshift_database: str = "analytics"
    redshift_admin: str = "platform_admin"

    @property
    def datalake_bucket(self) -> str:
        return f"{self.prefix}-datalake"

    @property
    def glue_database(self) -> str:
        return self.prefix.replace("-", "_")

    @property
    def glue_crawler(self) -> str:
        return f"{self.prefix}-raw-crawler"

    @property
    def glue_job(self) -> str:
        return f"{self.prefix}-process-to-staging"

    @property
    def redshift_cluster(self) -> str:
        return f"{self.prefix}-warehouse"

    @property
    def emr_cluster(self) -> str:
        return f"{self.prefix}-aggregation"

    @property
    def emr_logs_bucket(self) -> str:
        return f"{self.prefix}-emr-logs"

    @property
    def emr_service_role(self) -> str:
        return f"{self.prefix}-emr-service-role"

    @property
    def emr_instance_profile(self) -> str:
        return f"{self.prefix}-emr-instance-profile"

    @property
    def mwaa_environment(self) -> str:
        return f"{self.prefix}-mwaa"

    def mwaa_log_group(self, module: str) -> str:
        """MWAA's CloudWatch log group of one module (Task, Scheduler, DAGProcessing, ...)."""
        return f"airflow-{self.mwaa_environment}-{module}"

    def mwaa_log_group_arn(self, module: str) -> str:
        return f"arn:aws:logs:{REGION}:{ACCOUNT_ID}:log-group:{self.mwaa_log_group(module)}"

    def role_arn(self, purpose: str) -> str:
        return f"arn:aws:iam::{ACCOUNT_ID}:role/{self.prefix}-{purpose}"

    def airflow_variables(self) -> dict[str, str]:
        """The Variables dags/prepare_data_nyc.py reads (dags/README.md), for these resources."""
        return {
            "datalake_bucket": self.datalake_bucket,
            "emr_logs_bucket": self.emr_logs_bucket,
            "glue_crawler_name": self.glue_crawler,
            "glue_job_name": self.glue_job,
            "emr_service_role": self.emr_service_role,
            "emr_instance_profile": self.emr_instance_profile,
            "emr_security_configuration": f"{self.prefix}-emr-security",
            "emr_subnet_id": SANDBOX_SUBNET_ID,
            "redshift_cluster_id": self.redshift_cluster,
            "redshift_database": self.redshift_database,
            "redshift_db_user": self.redshift_admin,
            "redshift_copy_role_arn": self.role_arn("redshift-copy"),
        }


def client(service: str, endpoint_url: str):
    return boto3.client(
        service,
        endpoint_url=endpoint_url,
        region_name=REGION,
        aws_access_key_id="sandbox",
        aws_secret_access_key="sandbox",
        config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1}),
    )


def seed_platform(
    endpoint_url: str,
    project_dir: Path = PROJECT_DIR,
    *,
    names: PlatformNames | None = None,
    note: Callable[[str], None] = log.info,
) -> PlatformNames:
    names = names or PlatformNames()
    seed_glue(endpoint_url, project_dir, names, note)
    seed_redshift(endpoint_url, names, note)
    seed_warehouse_schema(endpoint_url, project_dir, names, note)
    seed_emr(endpoint_url, names, note)
    seed_mwaa_log_groups(endpoint_url, names, note)
    return names


def seed_glue(
    endpoint_url: str, project_dir: Path, names: PlatformNames, note: Callable[[str], None]
) -> None:
    glue = client("glue", endpoint_url)
    lake = names.datalake_bucket
    glue.create_database(
        DatabaseInput={
            "Name": names.glue_database,
            "Description": "NYC green-taxi trips: raw/ tables found by the crawler, staging output",
        }
    )
    glue.create_crawler(
        Name=names.glue_crawler,
        Role=names.role_arn("glue"),
        DatabaseName=names.glue_database,
        TablePrefix="raw_",
        Targets={"S3Targets": [{"Path": f"s3://{lake}/raw/"}]},
        SchemaChangePolicy={"UpdateBehavior": "UPDATE_IN_DATABASE", "DeleteBehavior": "LOG"},
    )
    script_key = f"scripts/{GLUE_SCRIPT}"
    uploaded = upload_script(endpoint_url, lake, script_key, project_dir / "scripts" / GLUE_SCRIPT)
    glue.create_job(
        Name=names.glue_job,
        Role=names.role_arn("glue"),
        GlueVersion="5.0",
        WorkerType="G.1X",
        NumberOfWorkers=2,
        Timeout=60,
        ExecutionProperty={"MaxConcurrentRuns": 1},
        Command={
            "Name": "glueetl",
            "PythonVersion": "3",
            "ScriptLocation": f"s3://{lake}/{script_key}",
        },
        DefaultArguments={
            "--job-language": "python",
            "--enable-metrics": "true",
            "--enable-continuous-cloudwatch-log": "true",
            "--TempDir": f"s3://{lake}/tmp/glue/",
            "--input": f"s3://{lake}/raw/green_tripdata/",
            "--output": f"s3://{lake}/staging/trips/",
        },
    )
    script = "script uploaded" if uploaded else "script not uploaded (no file or no bucket)"
    note(
        f"glue: database {names.glue_database}, crawler {names.glue_crawler},"
        f" job {names.glue_job} ({script})"
    )


def upload_script(endpoint_url: str, bucket: str, key: str, path: Path) -> bool:
    s3 = client("s3", endpoint_url)
    if not path.is_file():
        return False
    try:
        s3.head_bucket(Bucket=bucket)
    except s3.exceptions.ClientError:
        return False
    s3.put_object(Bucket=bucket, Key=key, Body=path.read_bytes(), ContentType="text/x-python")
    return True


def seed_redshift(endpoint_url: str, names: PlatformNames, note: Callable[[str], None]) -> None:
    redshift = client("redshift", endpoint_url)
    redshift.create_cluster(
        ClusterIdentifier=names.redshift_cluster,
        NodeType="ra3.large",
        ClusterType="single-node",
        MasterUsername=names.redshift_admin,
        MasterUserPassword="Sandbox-only-1",
        DBName=names.redshift_database,
        Port=5439,
        Encrypted=True,
        PubliclyAccessible=False,
        IamRoles=[names.role_arn("redshift-copy")],
    )
    note(
        f"redshift: cluster {names.redshift_cluster}, database {names.redshift_database}"
        " (SQL through the Redshift Data API)"
    )


def seed_warehouse_schema(
    endpoint_url: str, project_dir: Path, names: PlatformNames, note: Callable[[str], None]
) -> None:
    """sql/001_schema.sql, run once per cluster as dags/README.md asks, through the Data API."""
    path = project_dir / "sql" / SCHEMA_SQL
    if not path.is_file():
        note(f"redshift: no {path}, warehouse schema not created")
        return
    data = client("redshift-data", endpoint_url)
    statement = data.batch_execute_statement(
        ClusterIdentifier=names.redshift_cluster,
        Database=names.redshift_database,
        DbUser=names.redshift_admin,
        Sqls=sql_statements(path.read_text()),
    )["Id"]
    deadline = time.monotonic() + SCHEMA_TIMEOUT
    while (status := data.describe_statement(Id=statement))["Status"] not in DONE_STATUSES:
        if time.monotonic() > deadline:
            raise RuntimeError(f"{SCHEMA_SQL} still {status['Status']} after {SCHEMA_TIMEOUT} s")
        time.sleep(0.1)
    if status["Status"] != "FINISHED":
        raise RuntimeError(f"{SCHEMA_SQL} failed: {status.get('Error')}")
    note(f"redshift: ran sql/{SCHEMA_SQL} on {names.redshift_cluster}")


def sql_statements(text: str) -> list[str]:
    """The statements of a SQL file without `--` comments (the schema file quotes no `;`)."""
    code = "\n".join(line.split("--", 1)[0] for line in text.splitlines())
    return [part.strip() for part in code.split(";") if part.strip()]


def seed_emr(endpoint_url: str, names: PlatformNames, note: Callable[[str], None]) -> None:
    """A cluster that waits for steps (the DAG's job flow keeps one alive between steps), with
    its logs in the EMR log bucket, so steps can be added, followed and cancelled by hand."""
    emr = client("emr", endpoint_url)
    cluster_id = emr.run_job_flow(
        Name=names.emr_cluster,
        ReleaseLabel="emr-7.5.0",
        LogUri=f"s3://{names.emr_logs_bucket}/",
        Applications=[{"Name": "Spark"}],
        Instances={
            "InstanceGroups": [
                {
                    "Name": "primary",
                    "InstanceRole": "MASTER",
                    "InstanceType": "m5.xlarge",
                    "InstanceCount": 1,
                },
                {
                    "Name": "core",
                    "InstanceRole": "CORE",
                    "InstanceType": "m5.xlarge",
                    "InstanceCount": 2,
                },
            ],
            "KeepJobFlowAliveWhenNoSteps": True,
        },
        ServiceRole=names.emr_service_role,
        JobFlowRole=names.emr_instance_profile,
        VisibleToAllUsers=True,
    )["JobFlowId"]
    note(f"emr: cluster {names.emr_cluster} ({cluster_id}), logs in s3://{names.emr_logs_bucket}/")


def seed_mwaa_log_groups(
    endpoint_url: str, names: PlatformNames, note: Callable[[str], None]
) -> None:
    """The log groups MWAA creates with the environment; the sandbox's Airflow writes its task
    logs to the Task group (CloudWatch remote logging, sandbox/airflow/settings.py)."""
    logs = client("logs", endpoint_url)
    for module in MWAA_LOG_MODULES:
        logs.create_log_group(logGroupName=names.mwaa_log_group(module))
    note(f"mwaa: log groups {names.mwaa_log_group('*')} ({', '.join(MWAA_LOG_MODULES)})")
