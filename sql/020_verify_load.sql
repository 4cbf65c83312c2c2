-- Checks after a load of nyc.green_trips_daily_zone. No parameters. Each statement is one check;
-- the comment above it says what a healthy load returns.
-- On the committed sample (data/green_tripdata_2024-01.csv) the load holds 55 rows, 1200 trips,
-- 2024-01-01 to 2024-01-05 and 11 pickup zones.

-- 1. Size of the load: gold rows, trips, date range, zones. Non-zero rows and trips expected.
SELECT COUNT(*)                        AS gold_rows,
       SUM(trip_count)                 AS trips,
       MIN(pickup_date)                AS first_day,
       MAX(pickup_date)                AS last_day,
       COUNT(DISTINCT pu_location_id)  AS zones
FROM nyc.green_trips_daily_zone;

-- 2. Per day: zones, trips, distance and fare. Every day between first_day and last_day should
--    appear; a missing or tiny day points at a partition the Glue job did not write.
SELECT pickup_date,
       COUNT(*)             AS zones,
       SUM(trip_count)      AS trips,
       SUM(total_distance)  AS distance,
       SUM(total_fare)      AS fare
FROM nyc.green_trips_daily_zone
GROUP BY pickup_date
ORDER BY pickup_date;

-- 3. Duplicate keys (the primary key is not enforced): no rows expected. Rows here mean two
--    loads were appended instead of replaced.
SELECT pickup_date, pu_location_id, COUNT(*) AS copies
FROM nyc.green_trips_daily_zone
GROUP BY pickup_date, pu_location_id
HAVING COUNT(*) > 1
ORDER BY pickup_date, pu_location_id;

-- 4. Values the jobs never produce: 0 expected.
SELECT COUNT(*) AS impossible_rows
FROM nyc.green_trips_daily_zone
WHERE trip_count <= 0
   OR total_distance < 0
   OR avg_tip_rate < 0;
