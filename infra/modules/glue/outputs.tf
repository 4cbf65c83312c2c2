output "database_name" {
  description = "Glue catalog database."
  value       = aws_glue_catalog_database.this.name
}

output "crawler_name" {
  description = "Crawler over raw/."
  value       = aws_glue_crawler.raw.name
}

output "job_name" {
  description = "Glue job raw/ -> staging/."
  value       = aws_glue_job.process_to_staging.name
}

output "script_uri" {
  description = "S3 location of the Glue job's script."
  value       = aws_glue_job.process_to_staging.command[0].script_location
}
