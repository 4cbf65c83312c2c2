//! The Glue Data Catalog: databases, their tables (schema, location, classification) and the
//! partitions of a table.

use chrono::{DateTime, Utc};

use super::{text, time, Glue};
use crate::aws::AwsError;

#[derive(serde::Serialize, Debug, Clone, PartialEq, Eq)]
pub struct Database {
    pub name: String,
    pub description: Option<String>,
    pub location: Option<String>,
    pub created: Option<DateTime<Utc>>,
}

/// A column of a table's schema or one of its partition keys.
#[derive(serde::Serialize, Debug, Clone, PartialEq, Eq)]
pub struct Column {
    pub name: String,
    pub data_type: String,
    pub comment: Option<String>,
}

#[derive(serde::Serialize, Debug, Clone, PartialEq, Eq)]
pub struct Table {
    pub database: String,
    pub name: String,
    pub location: Option<String>,
    /// The `classification` table parameter a crawler sets (`csv`, `parquet`, …).
    pub classification: Option<String>,
    pub table_type: Option<String>,
    pub created: Option<DateTime<Utc>>,
    pub updated: Option<DateTime<Utc>>,
    pub columns: Vec<Column>,
    pub partition_keys: Vec<Column>,
}

#[derive(serde::Serialize, Debug, Clone, PartialEq, Eq)]
pub struct Partition {
    /// One value per partition key, in key order.
    pub values: Vec<String>,
    pub location: Option<String>,
    pub created: Option<DateTime<Utc>>,
}

impl Glue {
    pub async fn databases(&self) -> Result<Vec<Database>, AwsError> {
        let mut out = Vec::new();
        let mut token = None;
        loop {
            let page = self
                .client
                .get_databases()
                .set_next_token(token)
                .send()
                .await
                .map_err(|e| self.endpoint.error("GetDatabases", None, e))?;
            out.extend(page.database_list().iter().map(|d| Database {
                name: d.name().to_owned(),
                description: text(d.description()),
                location: text(d.location_uri()),
                created: time(d.create_time()),
            }));
            token = page.next_token().map(str::to_owned);
            if token.is_none() {
                return Ok(out);
            }
        }
    }

    pub async fn tables(&self, database: &str) -> Result<Vec<Table>, AwsError> {
        let mut out = Vec::new();
        let mut token = None;
        loop {
            let page = self
                .client
                .get_tables()
                .database_name(database)
                .set_next_token(token)
                .send()
                .await
                .map_err(|e| self.endpoint.error("GetTables", Some(database), e))?;
            out.extend(page.table_list().iter().map(|t| table(database, t)));
            token = page.next_token().map(str::to_owned);
            if token.is_none() {
                return Ok(out);
            }
        }
    }

    pub async fn table(&self, database: &str, name: &str) -> Result<Table, AwsError> {
        let target = format!("{database}.{name}");
        let out = self
            .client
            .get_table()
            .database_name(database)
            .name(name)
            .send()
            .await
            .map_err(|e| self.endpoint.error("GetTable", Some(&target), e))?;
        out.table().map(|t| table(database, t)).ok_or_else(|| {
            self.endpoint.failure(
                "GetTable",
                crate::aws::ErrorKind::NotFound,
                format!("no table {target} in the answer"),
            )
        })
    }

    pub async fn partitions(
        &self,
        database: &str,
        table: &str,
    ) -> Result<Vec<Partition>, AwsError> {
        let target = format!("{database}.{table}");
        let mut out = Vec::new();
        let mut token = None;
        loop {
            let page = self
                .client
                .get_partitions()
                .database_name(database)
                .table_name(table)
                .set_next_token(token)
                .send()
                .await
                .map_err(|e| self.endpoint.error("GetPartitions", Some(&target), e))?;
            out.extend(page.partitions().iter().map(|p| Partition {
                values: p.values().to_vec(),
                location: p.storage_descriptor().and_then(|s| text(s.location())),
                created: time(p.creation_time()),
            }));
            token = page.next_token().map(str::to_owned);
            if token.is_none() {
                return Ok(out);
            }
        }
    }
}

fn columns(cols: &[aws_sdk_glue::types::Column]) -> Vec<Column> {
    cols.iter()
        .map(|c| Column {
            name: c.name().to_owned(),
            data_type: c.r#type().unwrap_or_default().to_owned(),
            comment: text(c.comment()),
        })
        .collect()
}

fn table(database: &str, t: &aws_sdk_glue::types::Table) -> Table {
    let storage = t.storage_descriptor();
    let parameter = |name: &str| t.parameters().and_then(|p| p.get(name)).cloned();
    Table {
        database: t.database_name().unwrap_or(database).to_owned(),
        name: t.name().to_owned(),
        location: storage.and_then(|s| text(s.location())),
        classification: parameter("classification")
            .or_else(|| storage.and_then(|s| s.parameters()?.get("classification").cloned())),
        table_type: text(t.table_type()),
        created: time(t.create_time()),
        updated: time(t.update_time()),
        columns: storage.map(|s| columns(s.columns())).unwrap_or_default(),
        partition_keys: columns(t.partition_keys()),
    }
}
