-- Load gold/ (Parquet written by scripts/emr_aggregate_gold.py) into nyc.green_trips_daily_zone.
-- params: gold_s3_uri   S3 prefix of the gold Parquet, e.g. s3://<lake-bucket>/gold/daily_zone/
-- params: iam_role_arn  ARN of the role attached to the cluster for COPY (infra/ module redshift)
-- Parameters are Jinja placeholders ({{ params.<name> }}): Airflow renders them when the file is
-- passed as a templated `sql`; other runners substitute the same names before sending.
--
-- gold/daily_zone/ holds one folder per month (month=YYYY-MM/, each replaced whole by the EMR
-- step of that month's prepare_data_nyc run), so loading the whole prefix replaces the table's
-- content with every month (prepare_data_nyc reloads only its month). DELETE and COPY run in one
-- transaction: readers see the old rows until COMMIT, and a failed COPY leaves them in place
-- (TRUNCATE would commit at once and could leave the table empty).
-- COPY from Parquet: columns by position, no MAXERROR (any bad file fails the whole COPY; see
-- sql/030_load_history.sql for STL_LOAD_ERRORS), the bucket must be in the cluster's region.

BEGIN;

DELETE FROM nyc.green_trips_daily_zone;

COPY nyc.green_trips_daily_zone
FROM '{{ params.gold_s3_uri }}'
IAM_ROLE '{{ params.iam_role_arn }}'
FORMAT AS PARQUET;

COMMIT;
