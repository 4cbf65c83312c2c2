-- Redshift schema and gold table for the NYC green-taxi pipeline.
-- Idempotent: safe to run before every load. No parameters.
--
-- nyc.green_trips_daily_zone holds one row per pickup day and pickup zone, as written by
-- scripts/emr_aggregate_gold.py to gold/. COPY from Parquet maps columns by position, so the
-- column order below must stay the order of GOLD_COLUMNS in that script.
--
-- Distribution: KEY on pu_location_id.
--   The gold queries aggregate per zone over a date range ("top zones last week", "one zone's
--   trend") and join zones to the taxi-zone dimension on the location id. Distributing on the
--   zone keeps every row of a zone on one slice, so per-zone aggregation and a join with a zone
--   table distributed on the same key (or ALL) need no redistribution. ~260 zones spread evenly
--   over the slices, and every zone has at most one row per day, so the key cannot skew much.
--   EVEN would force a redistribution for every per-zone query; ALL would copy every load to
--   every node and grows with the years of history.
-- Sort key: COMPOUND (pickup_date, pu_location_id).
--   Nearly every gold query filters on a date range, so pickup_date leads: zone maps skip the
--   blocks outside the range. The EMR job writes gold sorted the same way and new days arrive in
--   date order, so loads stay almost fully sorted and vacuum has little to do.
-- The primary key is informational (Redshift does not enforce it); the planner uses it, and
-- sql/020_verify_load.sql checks it.

CREATE SCHEMA IF NOT EXISTS nyc;

CREATE TABLE IF NOT EXISTS nyc.green_trips_daily_zone (
    pickup_date     DATE             NOT NULL,  -- day of lpep_pickup_datetime
    pu_location_id  INTEGER          NOT NULL,  -- TLC taxi zone of the pickup (PULocationID)
    trip_count      BIGINT           NOT NULL,  -- valid trips
    total_distance  DECIMAL(14, 2)   NOT NULL,  -- sum of trip_distance, miles
    total_fare      DECIMAL(14, 2)   NOT NULL,  -- sum of fare_amount, USD
    avg_tip_rate    DOUBLE PRECISION,           -- mean tip_amount / fare_amount over fare > 0;
                                                -- NULL when no trip of the group had a fare
    PRIMARY KEY (pickup_date, pu_location_id)
)
DISTSTYLE KEY
DISTKEY (pu_location_id)
COMPOUND SORTKEY (pickup_date, pu_location_id);
