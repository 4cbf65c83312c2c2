-- Load history of nyc.green_trips_daily_zone on a provisioned cluster, newest first. No
-- parameters. STL views keep about seven days and show only the main cluster (use SYS_LOAD_HISTORY
-- and SYS_LOAD_ERROR_DETAIL on Serverless or for concurrency-scaling loads).
-- STL_LOAD_COMMITS has no table column: its loads are found through the COPY text in STL_QUERY
-- (the NOT ILIKE keeps these history queries, which contain the same text, out of the list).

-- 1. Recent COPY commands into the table: when, how long, whether aborted, files and lines.
SELECT q.query,
       q.starttime,
       DATEDIFF(second, q.starttime, q.endtime)  AS seconds,
       q.aborted,
       COUNT(c.filename)                          AS files_committed,
       SUM(c.lines_scanned)                       AS lines_scanned
FROM stl_query AS q
LEFT JOIN stl_load_commits AS c ON c.query = q.query
WHERE q.querytxt ILIKE '%copy nyc.green_trips_daily_zone%'
  AND q.querytxt NOT ILIKE '%stl_load_commits%'
GROUP BY q.query, q.starttime, q.endtime, q.aborted
ORDER BY q.starttime DESC
LIMIT 20;

-- 2. Files committed by those loads: one row per file (or file split) of gold/.
SELECT c.query,
       TRIM(c.filename)     AS file,
       TRIM(c.file_format)  AS format,
       c.lines_scanned,
       c.curtime            AS committed_at
FROM stl_load_commits AS c
JOIN stl_query AS q ON q.query = c.query
WHERE q.querytxt ILIKE '%copy nyc.green_trips_daily_zone%'
  AND q.querytxt NOT ILIKE '%stl_load_commits%'
ORDER BY c.curtime DESC
LIMIT 100;

-- 3. Load errors on the table: no rows expected. err_reason is the text to act on (e.g. a column
--    count or type mismatch between gold/ and sql/001_schema.sql). STL_LOAD_ERRORS.tbl is the
--    table id; STV_TBL_PERM names it (one row per slice, hence DISTINCT). A Parquet COPY can also
--    fail before any row is read (access, region, missing prefix): its error is then only in
--    the COPY's own result and in stl_error, and query 1 shows it as aborted.
SELECT e.query,
       e.starttime,
       TRIM(e.filename)         AS file,
       e.line_number,
       TRIM(e.colname)          AS column_name,
       TRIM(e.type)             AS column_type,
       TRIM(e.raw_field_value)  AS raw_value,
       e.err_code,
       TRIM(e.err_reason)       AS err_reason
FROM stl_load_errors AS e
JOIN (SELECT DISTINCT id, TRIM(name) AS name FROM stv_tbl_perm) AS t ON t.id = e.tbl
WHERE t.name = 'green_trips_daily_zone'
ORDER BY e.starttime DESC
LIMIT 100;
