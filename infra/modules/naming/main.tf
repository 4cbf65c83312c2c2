# The platform's naming convention, `<project>-<env>-<purpose>`, in one place. The sandbox, the
# DAG's Airflow Variables and the console's default context use the same names.
# This module creates nothing: it only computes names.

locals {
  prefix = "${var.project}-${var.env}"
}
