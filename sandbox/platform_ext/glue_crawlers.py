"""Glue crawls that take time, can fail or be stopped, log, and report metrics.

moto 5.2.5 ends a crawl COMPLETED at once (state manager model glue::crawl), reports the last
crawl with crawl states instead of SUCCEEDED/CANCELLED/FAILED, and has no GetCrawlerMetrics.
Here a crawl is RUNNING for the glue-crawler run time, then COMPLETED (having written the
tables its S3 targets hold, see glue_catalog), or FAILED with an injected message;
StopCrawler moves it to STOPPING, then STOPPED (crawler READY again).
Log lines go to /aws-glue/crawlers, stream = crawler name, as on AWS.
"""

from __future__ import annotations

import statistics
import time
from typing import Any

from moto.core.responses import ActionResult
from moto.glue import models as glue_models
from moto.glue.responses import GlueResponse

from . import clock, control, glue_catalog, sinks

LOG_GROUP = "/aws-glue/crawlers"
STOP_SECONDS = 0.3
FINISHED = ("COMPLETED", "STOPPED", "FAILED")
# GetCrawler's LastCrawl.Status uses other words than the crawl's own state.
LAST_CRAWL_STATUS = {"COMPLETED": "SUCCEEDED", "STOPPED": "CANCELLED", "FAILED": "FAILED"}


class SimulatedCrawl(glue_models.FakeCrawl):
    def __init__(self, crawler: Any) -> None:
        self._state = "RUNNING"
        self._phase_started = time.time()
        super().__init__(crawler.name)
        self.crawler = crawler
        self.error_message: str | None = None
        self.tables = glue_catalog.CrawlResult()
        self._started = self._phase_started
        self._finished_at: float | None = None
        self._timing = control.timing("glue-crawler", crawler.name)
        self._failure = control.take_failure("glue-crawler", crawler.name)
        self._log(f"BENCHMARK : Running Start Crawl for Crawler {crawler.name}")

    @property
    def status(self) -> str:
        return self._state

    @status.setter
    def status(self, value: str) -> None:  # moto's stop_crawler sets "STOPPING"
        self._state = value
        self._phase_started = time.time()

    def _log(self, message: str) -> None:
        backend = self.crawler.backend
        line = f"[{self.crawl_id}] {message}"
        sinks.put_log_lines(
            backend.account_id, backend.region_name, LOG_GROUP, self.crawler.name, [line]
        )

    def tick(self, now: float) -> bool:
        elapsed = now - self._phase_started
        if self._state == "RUNNING" and elapsed >= self._timing.startup + self._timing.run:
            self._complete(now)
        elif self._state == "STOPPING" and elapsed >= STOP_SECONDS:
            self._finish("STOPPED", now)
        return self._state in FINISHED

    def _complete(self, now: float) -> None:
        if self._failure is None:
            try:
                self.tables = glue_catalog.write_tables(self.crawler)
            except Exception as error:  # e.g. the crawler's database does not exist
                self._failure = f"{type(error).__name__}: {error}"
        if self._failure is not None:
            self._log(f"ERROR : {self._failure}")
            self.error_message = self._failure
            self._finish("FAILED", now)
            return
        self._log(
            f"INFO : {self.tables.created} table(s) created, {self.tables.updated} updated"
            f" in database {self.crawler.database_name}"
        )
        self._finish("COMPLETED", now)

    def _finish(self, state: str, now: float) -> None:
        self._state = state
        self._finished_at = now
        self.end_time = clock.utc(now)
        self.crawler.crawl_elapsed_time = 0
        self._log(f"BENCHMARK : Crawler has finished running and is in state {state}")

    def runtime_seconds(self, now: float) -> float:
        return (self._finished_at or now) - self._started

    def as_dict(self) -> dict[str, Any]:
        data = super().as_dict()
        if self.error_message:
            data["ErrorMessage"] = self.error_message
        return data


_original_as_dict = glue_models.FakeCrawler.as_dict
_original_stop_crawler = glue_models.FakeCrawler.stop_crawler


def start_crawler(self: glue_models.FakeCrawler) -> None:
    with control.LOCK:
        if self.crawls and self.crawls[-1].status in ("RUNNING", "STOPPING"):
            raise glue_models.CrawlerRunningException(
                f"Crawler with name {self.name} has already started"
            )
        crawl = SimulatedCrawl(self)
        self.crawls.append(crawl)
        clock.schedule(crawl)


def stop_crawler(self: glue_models.FakeCrawler) -> None:
    with control.LOCK:
        _original_stop_crawler(self)


def crawler_as_dict(self: glue_models.FakeCrawler) -> dict[str, Any]:
    data = _original_as_dict(self)
    data.pop("LastCrawl", None)
    finished = [c for c in self.crawls if c.status in FINISHED]
    if self.crawls and self.crawls[-1].status not in FINISHED:
        data["CrawlElapsedTime"] = int(self.crawls[-1].runtime_seconds(time.time()) * 1000)
    if finished:
        last = finished[-1]
        data["LastCrawl"] = {
            "Status": LAST_CRAWL_STATUS[last.status],
            "LogGroup": last.log_group,
            "LogStream": last.log_stream,
            "MessagePrefix": last.message_prefix,
            "StartTime": last.start_time,
        }
        if last.error_message:
            data["LastCrawl"]["ErrorMessage"] = last.error_message
    return data


def crawler_metrics(crawler: glue_models.FakeCrawler, now: float) -> dict[str, Any]:
    finished = [c for c in crawler.crawls if c.status in FINISHED]
    runtimes = [c.runtime_seconds(now) for c in finished]
    current = crawler.crawls[-1] if crawler.crawls else None
    time_left = 0.0
    if current is not None and current.status not in FINISHED:
        planned = current._timing.startup + current._timing.run
        time_left = max(0.0, planned - current.runtime_seconds(now))
    return {
        "CrawlerName": crawler.name,
        "TimeLeftSeconds": time_left,
        "StillEstimating": False,
        "LastRuntimeSeconds": runtimes[-1] if runtimes else 0.0,
        "MedianRuntimeSeconds": statistics.median(runtimes) if runtimes else 0.0,
        "TablesCreated": finished[-1].tables.created if finished else 0,
        "TablesUpdated": finished[-1].tables.updated if finished else 0,
        "TablesDeleted": 0,
    }


def get_crawler_metrics(self: GlueResponse) -> ActionResult:
    names = self._get_param("CrawlerNameList") or []
    backend = self.glue_backend
    crawlers = [backend.get_crawler(n) for n in names] if names else backend.get_crawlers()
    now = time.time()
    with control.LOCK:
        metrics = [crawler_metrics(c, now) for c in crawlers]
    return ActionResult({"CrawlerMetricsList": metrics})


def install() -> None:
    glue_models.FakeCrawler.start_crawler = start_crawler
    glue_models.FakeCrawler.stop_crawler = stop_crawler
    glue_models.FakeCrawler.as_dict = crawler_as_dict
    GlueResponse.get_crawler_metrics = get_crawler_metrics
