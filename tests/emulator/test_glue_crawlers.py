"""Glue crawls: time, stop, injected failure, last crawl status, metrics, log lines."""

from __future__ import annotations

import pytest
from polling import wait_for

CRAWLER = "nyc-raw-crawler"


@pytest.fixture
def glue(sandbox):
    glue = sandbox.client("glue")
    glue.create_database(DatabaseInput={"Name": "nyc_raw"})
    glue.create_crawler(
        Name=CRAWLER,
        Role="arn:aws:iam::123456789012:role/glue",
        DatabaseName="nyc_raw",
        Targets={"S3Targets": [{"Path": "s3://lake/raw/green_tripdata/"}]},
    )
    return glue


def crawler(glue) -> dict:
    return glue.get_crawler(Name=CRAWLER)["Crawler"]


def test_crawl_runs_for_its_time_then_reports_succeeded(sandbox, glue):
    sandbox.timing("glue-crawler", seconds=0.6, startup=0)
    glue.start_crawler(Name=CRAWLER)

    running = crawler(glue)
    assert running["State"] == "RUNNING"
    assert "LastCrawl" not in running
    with pytest.raises(glue.exceptions.CrawlerRunningException):
        glue.start_crawler(Name=CRAWLER)
    metrics = glue.get_crawler_metrics(CrawlerNameList=[CRAWLER])["CrawlerMetricsList"][0]
    assert 0 < metrics["TimeLeftSeconds"] <= 0.6

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

    glue.start_crawler(Name=CRAWLER)
    done = wait_for(lambda: (c := crawler(glue)).get("LastCrawl") and c, timeout=3)

    assert done["LastCrawl"]["Status"] == "FAILED"
    assert done["LastCrawl"]["ErrorMessage"] == message
    crawl = glue.list_crawls(CrawlerName=CRAWLER)["Crawls"][0]
    assert (crawl["State"], crawl["ErrorMessage"]) == ("FAILED", message)
