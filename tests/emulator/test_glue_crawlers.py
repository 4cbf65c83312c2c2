"""Glue crawls: time, stop, injected failure, last crawl status, metrics, log lines."""

from __future__ import annotations

import pytest
from polling import wait_for

CRAWLER = "nyc-raw-crawler"


def create_crawler(glue, path: str = "s3://lake/raw/green_tripdata/", **settings) -> None:
    settings = {"DatabaseName": "nyc_raw", **settings}
    glue.create_crawler(
        Name=CRAWLER,
        Role="arn:aws:iam::123456789012:role/glue",
        Targets={"S3Targets": [{"Path": path}]},
        **settings,
    )


@pytest.fixture
def glue(sandbox):
    glue = sandbox.client("glue")
    glue.create_database(DatabaseInput={"Name": "nyc_raw"})
    return glue


def crawler(glue) -> dict:
    return glue.get_crawler(Name=CRAWLER)["Crawler"]


def test_crawl_runs_for_its_time_then_reports_succeeded(sandbox, glue):
    sandbox.timing("glue-crawler", seconds=1.5, startup=0)
    create_crawler(glue)
    glue.start_crawler(Name=CRAWLER)

    running = crawler(glue)
    assert running["State"] == "RUNNING"
    assert "LastCrawl" not in running
    with pytest.raises(glue.exceptions.CrawlerRunningException):
        glue.start_crawler(Name=CRAWLER)
    metrics = glue.get_crawler_metrics(CrawlerNameList=[CRAWLER])["CrawlerMetricsList"][0]
    assert 0 < metrics["TimeLeftSeconds"] <= 1.5

    done = wait_for(lambda: (c := crawler(glue))["State"] == "READY" and c, timeout=5)
    assert done["LastCrawl"]["Status"] == "SUCCEEDED"
    assert "ErrorMessage" not in done["LastCrawl"]
    assert glue.list_crawls(CrawlerName=CRAWLER)["Crawls"][0]["State"] == "COMPLETED"
    metrics = glue.get_crawler_metrics()["CrawlerMetricsList"]
    assert [m["CrawlerName"] for m in metrics] == [CRAWLER]
    assert metrics[0]["TimeLeftSeconds"] == 0
    assert 0.5 <= metrics[0]["LastRuntimeSeconds"] < 5
    assert metrics[0]["MedianRuntimeSeconds"] == metrics[0]["LastRuntimeSeconds"]
    events = sandbox.client("logs").get_log_events(
        logGroupName="/aws-glue/crawlers", logStreamName=CRAWLER
    )["events"]
    assert "Running Start Crawl" in events[0]["message"]
    assert events[-1]["message"].endswith("is in state COMPLETED")


def test_stop_crawler_goes_stopping_then_ready_with_cancelled_last_crawl(sandbox, glue):
    sandbox.timing("glue-crawler", seconds=30, startup=0)
    create_crawler(glue)
    glue.start_crawler(Name=CRAWLER)

    glue.stop_crawler(Name=CRAWLER)

    assert crawler(glue)["State"] == "STOPPING"
    done = wait_for(lambda: (c := crawler(glue))["State"] == "READY" and c, timeout=3)
    assert done["LastCrawl"]["Status"] == "CANCELLED"
    assert glue.list_crawls(CrawlerName=CRAWLER)["Crawls"][0]["State"] == "STOPPED"
    with pytest.raises(glue.exceptions.CrawlerNotRunningException):
        glue.stop_crawler(Name=CRAWLER)


def test_injected_failure_gives_failed_last_crawl_with_error_message(sandbox, glue):
    sandbox.timing("glue-crawler", seconds=0.2, startup=0)
    message = "Internal Service Exception: insufficient Lake Formation permission(s)"
    sandbox.inject("glue-crawler", message, name=CRAWLER)
    create_crawler(glue)

    glue.start_crawler(Name=CRAWLER)
    done = wait_for(lambda: (c := crawler(glue)).get("LastCrawl") and c, timeout=3)

    assert done["LastCrawl"]["Status"] == "FAILED"
    assert done["LastCrawl"]["ErrorMessage"] == message
    crawl = glue.list_crawls(CrawlerName=CRAWLER)["Crawls"][0]
    assert (crawl["State"], crawl["ErrorMessage"]) == ("FAILED", message)


def test_successful_crawl_creates_then_updates_tables_from_the_s3_target(sandbox, glue):
    sandbox.timing("glue-crawler", seconds=0.1, startup=0)
    s3 = sandbox.client("s3")
    s3.create_bucket(Bucket="lake")
    header = b"VendorID,lpep_pickup_datetime,trip_distance,store_and_fwd_flag\n"
    s3.put_object(
        Bucket="lake",
        Key="raw/green_tripdata/green_tripdata_2024-01.csv",
        Body=header + b"2,2024-01-01 00:10:00,1.5,N\n",
    )
    s3.put_object(Bucket="lake", Key="raw/zones/zones.parquet", Body=b"PAR1")
    s3.put_object(Bucket="lake", Key="raw/notes/readme.txt", Body=b"not data")
    create_crawler(glue, "s3://lake/raw/", TablePrefix="raw_")

    glue.start_crawler(Name=CRAWLER)
    wait_for(lambda: crawler(glue).get("LastCrawl"), timeout=3)

    tables = {t["Name"]: t for t in glue.get_tables(DatabaseName="nyc_raw")["TableList"]}
    assert sorted(tables) == ["raw_green_tripdata", "raw_zones"]
    trips = tables["raw_green_tripdata"]
    assert trips["Parameters"]["classification"] == "csv"
    assert trips["StorageDescriptor"]["Location"] == "s3://lake/raw/green_tripdata/"
    assert [(c["Name"], c["Type"]) for c in trips["StorageDescriptor"]["Columns"]] == [
        ("vendorid", "bigint"),
        ("lpep_pickup_datetime", "string"),
        ("trip_distance", "double"),
        ("store_and_fwd_flag", "string"),
    ]
    assert tables["raw_zones"]["Parameters"]["classification"] == "parquet"
    metrics = glue.get_crawler_metrics()["CrawlerMetricsList"][0]
    assert (metrics["TablesCreated"], metrics["TablesUpdated"]) == (2, 0)

    glue.start_crawler(Name=CRAWLER)
    wait_for(lambda: glue.list_crawls(CrawlerName=CRAWLER)["Crawls"][-1]["State"] == "COMPLETED")
    metrics = glue.get_crawler_metrics()["CrawlerMetricsList"][0]
    assert (metrics["TablesCreated"], metrics["TablesUpdated"]) == (0, 2)


def test_crawl_into_a_missing_database_fails_with_the_reason(sandbox, glue):
    sandbox.timing("glue-crawler", seconds=0.1, startup=0)
    sandbox.client("s3").create_bucket(Bucket="lake")
    sandbox.client("s3").put_object(Bucket="lake", Key="raw/a/x.csv", Body=b"a\n1\n")
    create_crawler(glue, "s3://lake/raw/", DatabaseName="gone")
    glue.start_crawler(Name=CRAWLER)
    last = wait_for(lambda: crawler(glue).get("LastCrawl"), timeout=3)
    assert last["Status"] == "FAILED"
    assert "gone" in last["ErrorMessage"]
