//! Amazon S3: buckets, delimiter listings streamed page by page, object detail, the first
//! bytes of an object for previews, download, upload and delete. Plain domain types only.
//!
//! Mutating operations ([`S3::upload`], [`S3::delete`]) take the gate's [`Approval`].

use std::collections::BTreeMap;
use std::path::Path;

use aws_config::SdkConfig;
use aws_sdk_s3::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{ChecksumAlgorithm, CompletedMultipartUpload, CompletedPart, EncodingType};
use aws_sdk_s3::Client;
use chrono::{DateTime, Utc};
use futures::{Stream, StreamExt, TryStreamExt};

use super::error::{AwsError, ErrorKind, ServiceEndpoint};
pub use super::local_file::IfExists;
use super::local_file::PartialFile;
use super::utc as to_chrono;
use crate::gate::Approval;

/// Files larger than this are uploaded in parts.
pub const MULTIPART_THRESHOLD: u64 = 16 * 1024 * 1024;
/// Size of each part of a multipart upload (S3's minimum is 5 MiB).
pub const PART_SIZE: u64 = 8 * 1024 * 1024;
/// Parts of one multipart upload in flight at once.
const PART_CONCURRENCY: usize = 4;
/// S3's largest page of a listing.
pub const MAX_KEYS_PER_PAGE: u32 = 1000;

#[derive(serde::Serialize, Debug, Clone, PartialEq, Eq)]
pub struct Bucket {
    pub name: String,
    /// Known when ListBuckets reports it; otherwise ask [`S3::bucket_region`].
    pub region: Option<String>,
    pub created: Option<DateTime<Utc>>,
}

/// One row of a delimiter listing: a common prefix ("folder") or an object.
#[derive(serde::Serialize, Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    Prefix {
        prefix: String,
    },
    Object {
        key: String,
        size: u64,
        last_modified: Option<DateTime<Utc>>,
        storage_class: Option<String>,
        etag: Option<String>,
    },
}

impl Entry {
    /// The full key of an object, or the prefix (ending in the delimiter) of a folder.
    pub fn key(&self) -> &str {
        match self {
            Entry::Prefix { prefix } => prefix,
            Entry::Object { key, .. } => key,
        }
    }
}

/// One page of a listing, in S3's key order; `next_token` continues it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ListPage {
    pub entries: Vec<Entry>,
    pub next_token: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectDetail {
    pub key: String,
    pub size: u64,
    pub content_type: Option<String>,
    pub last_modified: Option<DateTime<Utc>>,
    pub etag: Option<String>,
    pub storage_class: Option<String>,
    /// User metadata (`x-amz-meta-*`), names without the prefix.
    pub metadata: BTreeMap<String, String>,
    pub tags: Vec<(String, String)>,
    pub version_id: Option<String>,
    pub server_side_encryption: Option<String>,
}

/// The first bytes of an object and its whole size, for previews.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeadBytes {
    pub bytes: Vec<u8>,
    pub total_size: u64,
}

/// The S3 client of one context.
#[derive(Debug, Clone)]
pub struct S3 {
    client: Client,
    endpoint: ServiceEndpoint,
}

impl S3 {
    /// Path-style addressing is used whenever a custom endpoint is configured (emulators
    /// do not resolve `bucket.127.0.0.1`).
    pub fn new(config: &SdkConfig) -> Self {
        let s3_config = aws_sdk_s3::config::Builder::from(config)
            .force_path_style(config.endpoint_url().is_some())
            .build();
        S3 {
            client: Client::from_conf(s3_config),
            endpoint: ServiceEndpoint::new("S3", "s3", config),
        }
    }

    /// The same client for another region, e.g. for a bucket that [`S3::bucket_region`]
    /// places elsewhere (S3 answers PermanentRedirect to the wrong region's endpoint).
    pub fn for_region(&self, region: &str) -> S3 {
        let config = self
            .client
            .config()
            .to_builder()
            .region(aws_sdk_s3::config::Region::new(region.to_owned()))
            .build();
        S3 {
            endpoint: self.endpoint.for_region(region),
            client: Client::from_conf(config),
        }
    }

    /// Every bucket of the account by name, without waiting for per-bucket region lookups.
    pub async fn list_buckets(&self) -> Result<Vec<Bucket>, AwsError> {
        let mut buckets = Vec::new();
        let mut token = None;
        loop {
            let out = self
                .client
                .list_buckets()
                .set_continuation_token(token)
                .send()
                .await
                .map_err(|e| self.endpoint.error("ListBuckets", None, e))?;
            buckets.extend(out.buckets().iter().map(|b| Bucket {
                name: b.name().unwrap_or_default().to_owned(),
                region: b.bucket_region().map(str::to_owned),
                created: b.creation_date().and_then(to_chrono),
            }));
            token = out.continuation_token().map(str::to_owned);
            if token.is_none() {
                buckets.sort_by(|a, b| a.name.cmp(&b.name));
                return Ok(buckets);
            }
        }
    }

    /// The region a bucket lives in (GetBucketLocation), for buckets listed without one.
    pub async fn bucket_region(&self, bucket: &str) -> Result<String, AwsError> {
        let out = self
            .client
            .get_bucket_location()
            .bucket(bucket)
            .send()
            .await
            .map_err(|e| self.endpoint.error("GetBucketLocation", Some(bucket), e))?;
        let region = match out.location_constraint().map(|c| c.as_str()) {
            None | Some("") => "us-east-1",
            Some("EU") => "eu-west-1",
            Some(other) => other,
        };
        Ok(region.to_owned())
    }

    /// One page of the listing of `prefix`. With a delimiter (usually `/`) keys below the
    /// next delimiter are rolled up into [`Entry::Prefix`]. `max_keys` defaults to S3's 1000.
    pub async fn list_page(
        &self,
        bucket: &str,
        prefix: &str,
        delimiter: Option<&str>,
        continuation: Option<String>,
        max_keys: Option<u32>,
    ) -> Result<ListPage, AwsError> {
        let max_keys = max_keys
            .unwrap_or(MAX_KEYS_PER_PAGE)
            .clamp(1, MAX_KEYS_PER_PAGE);
        let out = self
            .client
            .list_objects_v2()
            .bucket(bucket)
            .set_prefix((!prefix.is_empty()).then(|| prefix.to_owned()))
            .set_delimiter(delimiter.map(str::to_owned))
            .set_continuation_token(continuation)
            .max_keys(max_keys as i32)
            // Keys may hold bytes XML cannot carry (control characters): ask for them encoded.
            .encoding_type(EncodingType::Url)
            .send()
            .await
            .map_err(|e| self.endpoint.error("ListObjectsV2", Some(bucket), e))?;
        let encoded = out.encoding_type() == Some(&EncodingType::Url);
        let decode = |text: &str| {
            if encoded {
                url_decode(text)
            } else {
                text.to_owned()
            }
        };
        let prefixes = out.common_prefixes().iter().map(|p| Entry::Prefix {
            prefix: decode(p.prefix().unwrap_or_default()),
        });
        let objects = out.contents().iter().map(|o| Entry::Object {
            key: decode(o.key().unwrap_or_default()),
            size: o.size().unwrap_or_default().max(0) as u64,
            last_modified: o.last_modified().and_then(to_chrono),
            storage_class: o.storage_class().map(|c| c.as_str().to_owned()),
            etag: o.e_tag().map(str::to_owned),
        });
        let mut entries: Vec<Entry> = prefixes.chain(objects).collect();
        entries.sort_by(|a, b| a.key().cmp(b.key()));
        let next_token = match out.is_truncated() {
            Some(true) => out.next_continuation_token().map(str::to_owned),
            _ => None,
        };
        Ok(ListPage {
            entries,
            next_token,
        })
    }

    /// The whole listing as a stream of pages, fetched one after the other as the stream is
    /// polled; it ends after the last page or after the first error.
    pub fn list_stream(
        &self,
        bucket: impl Into<String>,
        prefix: impl Into<String>,
        delimiter: Option<String>,
    ) -> impl Stream<Item = Result<ListPage, AwsError>> + Send + 'static {
        enum Cursor {
            Start,
            Next(String),
            Done,
        }
        let (s3, bucket, prefix) = (self.clone(), bucket.into(), prefix.into());
        futures::stream::unfold(Cursor::Start, move |cursor| {
            let (s3, bucket, prefix, delimiter) = (
                s3.clone(),
                bucket.clone(),
                prefix.clone(),
                delimiter.clone(),
            );
            async move {
                let token = match cursor {
                    Cursor::Start => None,
                    Cursor::Next(token) => Some(token),
                    Cursor::Done => return None,
                };
                let page = s3
                    .list_page(&bucket, &prefix, delimiter.as_deref(), token, None)
                    .await;
                let next = match &page {
                    Ok(ListPage {
                        next_token: Some(token),
                        ..
                    }) => Cursor::Next(token.clone()),
                    _ => Cursor::Done,
                };
                Some((page, next))
            }
        })
    }

    /// HeadObject of `key`, its error in the object's words.
    async fn head(
        &self,
        bucket: &str,
        key: &str,
        target: &str,
    ) -> Result<aws_sdk_s3::operation::head_object::HeadObjectOutput, AwsError> {
        self.client
            .head_object()
            .bucket(bucket)
            .key(key)
            .send()
            .await
            .map_err(|e| self.object_error("HeadObject", target, e))
    }

    /// The size and last change of the object at `key`, or None when there is none (an
    /// upload onto it would create it rather than replace it).
    pub async fn existing(
        &self,
        bucket: &str,
        key: &str,
    ) -> Result<Option<(u64, Option<DateTime<Utc>>)>, AwsError> {
        match self.head(bucket, key, &s3_url(bucket, key)).await {
            Ok(head) => Ok(Some((
                head.content_length().unwrap_or_default().max(0) as u64,
                head.last_modified().and_then(to_chrono),
            ))),
            Err(error) if error.kind == ErrorKind::NotFound => Ok(None),
            Err(error) => Err(error),
        }
    }

    /// Metadata and tags of one object (HeadObject and GetObjectTagging, concurrently).
    pub async fn object_detail(&self, bucket: &str, key: &str) -> Result<ObjectDetail, AwsError> {
        let target = s3_url(bucket, key);
        let head = self.head(bucket, key, &target);
        let tagging = async {
            self.client
                .get_object_tagging()
                .bucket(bucket)
                .key(key)
                .send()
                .await
                .map_err(|e| self.object_error("GetObjectTagging", &target, e))
        };
        let (head, tagging) = futures::try_join!(head, tagging)?;
        Ok(ObjectDetail {
            key: key.to_owned(),
            size: head.content_length().unwrap_or_default().max(0) as u64,
            content_type: head.content_type().map(str::to_owned),
            last_modified: head.last_modified().and_then(to_chrono),
            etag: head.e_tag().map(str::to_owned),
            storage_class: Some(
                head.storage_class()
                    .map_or("STANDARD", |c| c.as_str())
                    .to_owned(),
            ),
            metadata: head
                .metadata()
                .map(|m| m.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
                .unwrap_or_default(),
            tags: tagging
                .tag_set()
                .iter()
                .map(|t| (t.key().to_owned(), t.value().to_owned()))
                .collect(),
            version_id: head.version_id().map(str::to_owned),
            server_side_encryption: head.server_side_encryption().map(|s| s.as_str().to_owned()),
        })
    }

    /// At most `max_bytes` from the start of an object (a ranged GET) and its total size.
    pub async fn read_head(
        &self,
        bucket: &str,
        key: &str,
        max_bytes: u64,
    ) -> Result<HeadBytes, AwsError> {
        let target = s3_url(bucket, key);
        if max_bytes == 0 {
            let head = self.head(bucket, key, &target).await?;
            return Ok(HeadBytes {
                bytes: Vec::new(),
                total_size: head.content_length().unwrap_or_default().max(0) as u64,
            });
        }
        let result = self
            .client
            .get_object()
            .bucket(bucket)
            .key(key)
            .range(format!("bytes=0-{}", max_bytes - 1))
            .send()
            .await;
        let out = match result {
            Ok(out) => out,
            // A range cannot start inside an empty object: S3 answers 416 InvalidRange.
            Err(e) if e.raw_response().map(|r| r.status().as_u16()) == Some(416) => {
                return Ok(HeadBytes {
                    bytes: Vec::new(),
                    total_size: 0,
                });
            }
            Err(e) => return Err(self.object_error("GetObject", &target, e)),
        };
        let total_size = out
            .content_range()
            .and_then(|range| range.rsplit('/').next())
            .and_then(|total| total.parse().ok())
            .unwrap_or(out.content_length().unwrap_or_default().max(0) as u64);
        let mut body = out.body;
        let mut bytes = Vec::new();
        while (bytes.len() as u64) < max_bytes {
            match body.try_next().await {
                Ok(Some(chunk)) => bytes.extend_from_slice(&chunk),
                Ok(None) => break,
                Err(e) => return Err(self.body_error("GetObject", &target, e)),
            }
        }
        bytes.truncate(max_bytes as usize);
        Ok(HeadBytes { bytes, total_size })
    }

    /// Downloads an object to `local_path` through a temporary file in the same directory,
    /// so the path holds either the complete object or nothing new. Returns the size.
    pub async fn download(
        &self,
        bucket: &str,
        key: &str,
        local_path: &Path,
        if_exists: IfExists,
    ) -> Result<u64, AwsError> {
        const OP: &str = "GetObject";
        let target = s3_url(bucket, key);
        let local_error = |kind: std::io::ErrorKind, what: &str| {
            let message = match kind {
                std::io::ErrorKind::AlreadyExists => format!(
                    "{} already exists; choose another path or allow overwriting",
                    local_path.display()
                ),
                _ => format!("cannot write {}: {what}", local_path.display()),
            };
            self.endpoint
                .failure(OP, ErrorKind::LocalFile, message)
                .on(&target)
        };
        if if_exists == IfExists::Refuse && tokio::fs::symlink_metadata(local_path).await.is_ok() {
            return Err(local_error(std::io::ErrorKind::AlreadyExists, ""));
        }
        let mut partial = PartialFile::create(local_path)
            .await
            .map_err(|e| local_error(e.kind(), &e.to_string()))?;
        let out = self
            .client
            .get_object()
            .bucket(bucket)
            .key(key)
            .send()
            .await
            .map_err(|e| self.object_error(OP, &target, e))?;
        let expected = out.content_length().map(|n| n.max(0) as u64);
        let mut body = out.body;
        let mut written = 0u64;
        while let Some(chunk) = body
            .try_next()
            .await
            .map_err(|e| self.body_error(OP, &target, e))?
        {
            partial
                .write(&chunk)
                .await
                .map_err(|e| local_error(e.kind(), &e.to_string()))?;
            written += chunk.len() as u64;
        }
        if let Some(expected) = expected.filter(|&n| n != written) {
            return Err(self
                .endpoint
                .failure(
                    OP,
                    ErrorKind::Other,
                    format!("download ended after {written} of {expected} bytes"),
                )
                .on(&target)
                .with_hint("nothing was written; try again"));
        }
        partial
            .persist(if_exists)
            .await
            .map_err(|e| local_error(e.kind(), &e.to_string()))?;
        Ok(written)
    }

    /// Uploads a local file to `bucket`/`key`; files over [`MULTIPART_THRESHOLD`] go in
    /// parts. A missing or unreadable file fails before anything is sent. Returns the size.
    pub async fn upload(
        &self,
        _approval: &Approval,
        local_path: &Path,
        bucket: &str,
        key: &str,
    ) -> Result<u64, AwsError> {
        let target = s3_url(bucket, key);
        let size = self.readable_file_size(local_path, &target).await?;
        if size > MULTIPART_THRESHOLD {
            self.upload_multipart(local_path, size, bucket, key, &target)
                .await?;
        } else {
            let body = self
                .file_part(local_path, 0, size, "PutObject", &target)
                .await?;
            self.client
                .put_object()
                .bucket(bucket)
                .key(key)
                .body(body)
                .send()
                .await
                .map_err(|e| self.object_error("PutObject", &target, e))?;
        }
        Ok(size)
    }

    /// Deletes one object. S3 reports success for a key that does not exist, so the object
    /// is looked up first: a vanished object gives [`ErrorKind::NotFound`], not silence.
    pub async fn delete(
        &self,
        _approval: &Approval,
        bucket: &str,
        key: &str,
    ) -> Result<(), AwsError> {
        let target = s3_url(bucket, key);
        self.client
            .head_object()
            .bucket(bucket)
            .key(key)
            .send()
            .await
            .map_err(|e| {
                self.endpoint
                    .error("DeleteObject", Some(&target), e)
                    .reword(
                        ErrorKind::NotFound,
                        "the object is already gone; nothing was deleted",
                        Some("refresh the listing"),
                    )
            })?;
        self.client
            .delete_object()
            .bucket(bucket)
            .key(key)
            .send()
            .await
            .map_err(|e| self.object_error("DeleteObject", &target, e))?;
        Ok(())
    }

    async fn upload_multipart(
        &self,
        local_path: &Path,
        size: u64,
        bucket: &str,
        key: &str,
        target: &str,
    ) -> Result<(), AwsError> {
        let created = self
            .client
            .create_multipart_upload()
            .bucket(bucket)
            .key(key)
            .checksum_algorithm(ChecksumAlgorithm::Crc32)
            .send()
            .await
            .map_err(|e| self.object_error("CreateMultipartUpload", target, e))?;
        let upload_id = created.upload_id().unwrap_or_default().to_owned();
        let parts = futures::stream::iter((0..size.div_ceil(PART_SIZE)).map(|index| {
            let upload_id = upload_id.clone();
            async move {
                let offset = index * PART_SIZE;
                let length = PART_SIZE.min(size - offset);
                let body = self
                    .file_part(local_path, offset, length, "UploadPart", target)
                    .await?;
                let part_number = index as i32 + 1;
                let out = self
                    .client
                    .upload_part()
                    .bucket(bucket)
                    .key(key)
                    .upload_id(upload_id)
                    .part_number(part_number)
                    .checksum_algorithm(ChecksumAlgorithm::Crc32)
                    .body(body)
                    .send()
                    .await
                    .map_err(|e| self.object_error("UploadPart", target, e))?;
                Ok::<_, AwsError>(
                    CompletedPart::builder()
                        .part_number(part_number)
                        .set_e_tag(out.e_tag().map(str::to_owned))
                        .set_checksum_crc32(out.checksum_crc32().map(str::to_owned))
                        .build(),
                )
            }
        }))
        .buffered(PART_CONCURRENCY)
        .try_collect::<Vec<_>>()
        .await;
        let completed = match parts {
            Ok(parts) => self
                .client
                .complete_multipart_upload()
                .bucket(bucket)
                .key(key)
                .upload_id(&upload_id)
                .multipart_upload(
                    CompletedMultipartUpload::builder()
                        .set_parts(Some(parts))
                        .build(),
                )
                .send()
                .await
                .map_err(|e| self.object_error("CompleteMultipartUpload", target, e)),
            Err(e) => Err(e),
        };
        if completed.is_err() {
            // Best effort: an upload left open costs storage until a lifecycle rule clears it.
            let _ = self
                .client
                .abort_multipart_upload()
                .bucket(bucket)
                .key(key)
                .upload_id(&upload_id)
                .send()
                .await;
        }
        completed.map(|_| ())
    }

    /// Size of a regular, readable local file, or an error naming the path.
    async fn readable_file_size(&self, path: &Path, target: &str) -> Result<u64, AwsError> {
        let fail = |what: String| {
            self.endpoint
                .failure(
                    "PutObject",
                    ErrorKind::LocalFile,
                    format!("cannot upload {}: {what}", path.display()),
                )
                .on(target)
        };
        let meta = tokio::fs::metadata(path)
            .await
            .map_err(|e| match e.kind() {
                std::io::ErrorKind::NotFound => fail("no such file".into()),
                std::io::ErrorKind::PermissionDenied => fail("permission denied".into()),
                _ => fail(e.to_string()),
            })?;
        if !meta.is_file() {
            return Err(fail("not a regular file".into()));
        }
        tokio::fs::File::open(path)
            .await
            .map_err(|e| match e.kind() {
                std::io::ErrorKind::PermissionDenied => fail("permission denied".into()),
                _ => fail(e.to_string()),
            })?;
        Ok(meta.len())
    }

    async fn file_part(
        &self,
        path: &Path,
        offset: u64,
        length: u64,
        operation: &'static str,
        target: &str,
    ) -> Result<ByteStream, AwsError> {
        ByteStream::read_from()
            .path(path)
            .offset(offset)
            .length(aws_sdk_s3::primitives::Length::Exact(length))
            .build()
            .await
            .map_err(|e| {
                self.endpoint
                    .failure(
                        operation,
                        ErrorKind::LocalFile,
                        format!("cannot read {}: {e}", path.display()),
                    )
                    .on(target)
            })
    }

    /// Errors of operations on one object; a bare 404 becomes "no such object".
    fn object_error<E>(
        &self,
        operation: &'static str,
        target: &str,
        err: SdkError<E, aws_sdk_s3::config::http::HttpResponse>,
    ) -> AwsError
    where
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    {
        let no_bucket = err.code() == Some("NoSuchBucket");
        let err = self.endpoint.error(operation, Some(target), err);
        if no_bucket {
            err
        } else {
            err.reword(
                ErrorKind::NotFound,
                "no such object",
                Some("refresh the listing"),
            )
        }
    }

    fn body_error(
        &self,
        operation: &'static str,
        target: &str,
        err: aws_sdk_s3::primitives::ByteStreamError,
    ) -> AwsError {
        self.endpoint
            .failure(
                operation,
                ErrorKind::Unreachable,
                format!("the transfer broke off: {}", super::error::causes(&err)),
            )
            .on(target)
            .with_hint("try again; nothing partial was kept")
    }
}

fn s3_url(bucket: &str, key: &str) -> String {
    format!("s3://{bucket}/{key}")
}

/// Decodes S3's `encoding-type=url` text: `%XX` escapes, and `+` for a space (S3 encodes
/// a literal `+` as `%2B`). Invalid escapes are kept as they are.
fn url_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => match text
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
            {
                Some(byte) => {
                    out.push(byte);
                    i += 2;
                }
                None => out.push(b'%'),
            },
            other => out.push(other),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_decoding_undoes_s3_key_encoding() {
        assert_eq!(url_decode("raw/a%20b%2Bc.csv"), "raw/a b+c.csv");
        assert_eq!(url_decode("a+b"), "a b");
        assert_eq!(url_decode("%1B%5B31mred%07"), "\u{1b}[31mred\u{7}");
        assert_eq!(url_decode("caf%C3%A9"), "café");
        assert_eq!(url_decode("100%"), "100%");
        assert_eq!(url_decode("%zz"), "%zz");
    }
}
