//! The S3 client against the sandbox's emulator over real HTTP.

mod support;

use std::path::{Path, PathBuf};

use aws_config::profile::ProfileFileCredentialsProvider;
use aws_credential_types::provider::SharedCredentialsProvider;
use aws_credential_types::Credentials;
use aws_sdk_s3::primitives::ByteStream;
use futures::{StreamExt, TryStreamExt};
use platform_tui::aws::s3::{Entry, IfExists, S3};
use platform_tui::aws::{sdk_config, AwsSettings, ErrorKind};
use platform_tui::gate::catalog;
use support::gate::approval;
use support::{Emulator, Options};

/// An emulator, the client under test, and a plain SDK client for setting up data.
struct Fixture {
    emulator: Emulator,
    s3: S3,
    sdk: aws_sdk_s3::Client,
}

impl Fixture {
    async fn new() -> Fixture {
        let emulator = Emulator::start();
        let config = sdk_config(&emulator.settings()).await;
        let sdk = aws_sdk_s3::Client::from_conf(
            aws_sdk_s3::config::Builder::from(&config)
                .force_path_style(true)
                .build(),
        );
        Fixture {
            s3: S3::new(&config),
            sdk,
            emulator,
        }
    }

    async fn bucket(&self, name: &str) {
        self.sdk.create_bucket().bucket(name).send().await.unwrap();
    }

    async fn put(&self, bucket: &str, key: &str, body: impl Into<Vec<u8>>) {
        self.sdk
            .put_object()
            .bucket(bucket)
            .key(key)
            .body(ByteStream::from(body.into()))
            .send()
            .await
            .unwrap();
    }

    async fn exists(&self, bucket: &str, key: &str) -> bool {
        self.sdk
            .head_object()
            .bucket(bucket)
            .key(key)
            .send()
            .await
            .is_ok()
    }
}

/// A fresh directory under the system temp dir, removed on drop.
struct ScratchDir(PathBuf);

impl ScratchDir {
    fn new(name: &str) -> ScratchDir {
        let dir =
            std::env::temp_dir().join(format!("platform-tui-s3-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        ScratchDir(dir)
    }

    fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }

    fn names(&self) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(&self.0)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }
}

impl Drop for ScratchDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn keys(entries: &[Entry]) -> Vec<&str> {
    entries.iter().map(Entry::key).collect()
}

#[tokio::test]
async fn list_buckets_gives_names_creation_dates_and_regions() {
    let f = Fixture::new().await;
    f.bucket("nyctaxi-datalake").await;
    f.sdk
        .create_bucket()
        .bucket("nyctaxi-archive")
        .create_bucket_configuration(
            aws_sdk_s3::types::CreateBucketConfiguration::builder()
                .location_constraint(aws_sdk_s3::types::BucketLocationConstraint::EuWest3)
                .build(),
        )
        .send()
        .await
        .unwrap();

    let buckets = f.s3.list_buckets().await.unwrap();
    let names: Vec<&str> = buckets.iter().map(|b| b.name.as_str()).collect();
    assert_eq!(names, ["nyctaxi-archive", "nyctaxi-datalake"]);
    assert!(buckets.iter().all(|b| b.created.is_some()), "{buckets:?}");

    assert_eq!(
        f.s3.bucket_region("nyctaxi-datalake").await.unwrap(),
        "us-east-1"
    );
    assert_eq!(
        f.s3.bucket_region("nyctaxi-archive").await.unwrap(),
        "eu-west-3"
    );
}

#[tokio::test]
async fn delimiter_listing_returns_prefixes_and_objects_in_key_order() {
    let f = Fixture::new().await;
    f.bucket("lake").await;
    for key in [
        "raw/2024/01.csv",
        "raw/2025/01.csv",
        "raw/b.csv",
        "raw/a.csv",
        "gold/x",
    ] {
        f.put("lake", key, "vendor,fare\n1,9.5\n").await;
    }

    let page =
        f.s3.list_page("lake", "raw/", Some("/"), None, None)
            .await
            .unwrap();
    assert_eq!(
        keys(&page.entries),
        ["raw/2024/", "raw/2025/", "raw/a.csv", "raw/b.csv"]
    );
    assert_eq!(page.next_token, None);
    match &page.entries[2] {
        Entry::Object {
            size,
            last_modified,
            storage_class,
            etag,
            ..
        } => {
            assert_eq!(*size, 18);
            assert!(last_modified.is_some());
            assert_eq!(storage_class.as_deref(), Some("STANDARD"));
            assert!(etag.as_deref().is_some_and(|e| !e.is_empty()));
        }
        other => panic!("expected an object, got {other:?}"),
    }

    let top =
        f.s3.list_page("lake", "", Some("/"), None, None)
            .await
            .unwrap();
    assert_eq!(keys(&top.entries), ["gold/", "raw/"]);
    let flat =
        f.s3.list_page("lake", "raw/", None, None, None)
            .await
            .unwrap();
    assert_eq!(flat.entries.len(), 4);
    assert!(flat
        .entries
        .iter()
        .all(|e| matches!(e, Entry::Object { .. })));
}

#[tokio::test]
async fn paging_over_2500_keys_returns_every_key_once_in_order() {
    let f = Fixture::new().await;
    f.bucket("big").await;
    let expected: Vec<String> = (0..2500)
        .map(|i| format!("trips/part-{i:05}.csv"))
        .collect();
    futures::stream::iter(expected.iter())
        .for_each_concurrent(16, |key| f.put("big", key, "x"))
        .await;

    let mut listed = Vec::new();
    let mut tokens = Vec::new();
    let mut token = None;
    loop {
        let page =
            f.s3.list_page("big", "trips/", Some("/"), token, None)
                .await
                .unwrap();
        listed.extend(page.entries.iter().map(|e| e.key().to_owned()));
        tokens.push(page.next_token.clone());
        token = page.next_token;
        if token.is_none() {
            break;
        }
    }
    assert_eq!(tokens.len(), 3, "1000 + 1000 + 500 keys");
    assert!(tokens[..2].iter().all(Option::is_some));
    assert_eq!(listed, expected);

    let streamed: Vec<_> =
        f.s3.list_stream("big", "trips/", Some("/".into()))
            .try_collect()
            .await
            .unwrap();
    let page_sizes: Vec<usize> = streamed.iter().map(|p| p.entries.len()).collect();
    assert_eq!(page_sizes, [1000, 1000, 500]);

    let small =
        f.s3.list_page("big", "trips/", None, None, Some(10))
            .await
            .unwrap();
    assert_eq!(keys(&small.entries), &expected[..10]);
    assert!(small.next_token.is_some());
}

#[tokio::test]
async fn object_detail_returns_metadata_and_tags() {
    let f = Fixture::new().await;
    f.bucket("lake").await;
    f.sdk
        .put_object()
        .bucket("lake")
        .key("raw/trips.csv")
        .body(ByteStream::from_static(b"a,b\n1,2\n"))
        .content_type("text/csv")
        .metadata("source", "nyc-tlc")
        .metadata("month", "2024-01")
        .tagging("layer=raw&team=data")
        .send()
        .await
        .unwrap();

    let detail = f.s3.object_detail("lake", "raw/trips.csv").await.unwrap();
    assert_eq!(detail.key, "raw/trips.csv");
    assert_eq!(detail.size, 8);
    assert_eq!(detail.content_type.as_deref(), Some("text/csv"));
    assert!(detail.last_modified.is_some());
    assert!(detail.etag.is_some());
    assert_eq!(detail.storage_class.as_deref(), Some("STANDARD"));
    let metadata: Vec<(&str, &str)> = detail
        .metadata
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    assert_eq!(metadata, [("month", "2024-01"), ("source", "nyc-tlc")]);
    let mut tags = detail.tags.clone();
    tags.sort();
    assert_eq!(
        tags,
        [
            ("layer".into(), "raw".into()),
            ("team".into(), "data".into())
        ]
    );

    let missing =
        f.s3.object_detail("lake", "raw/nope.csv")
            .await
            .unwrap_err();
    assert_eq!(missing.kind, ErrorKind::NotFound);
    assert!(
        missing.to_string().contains("s3://lake/raw/nope.csv"),
        "{missing}"
    );
}

#[tokio::test]
async fn read_head_returns_only_the_first_bytes_and_the_total_size() {
    let f = Fixture::new().await;
    f.bucket("lake").await;
    let body: Vec<u8> = (0..10_000u32).map(|i| (i % 251) as u8).collect();
    f.put("lake", "big.bin", body.clone()).await;
    f.put("lake", "small.txt", "hello").await;
    f.put("lake", "empty", "").await;

    let head = f.s3.read_head("lake", "big.bin", 100).await.unwrap();
    assert_eq!(head.bytes, body[..100]);
    assert_eq!(head.total_size, 10_000);

    let small = f.s3.read_head("lake", "small.txt", 4096).await.unwrap();
    assert_eq!(
        (small.bytes.as_slice(), small.total_size),
        (&b"hello"[..], 5)
    );

    let empty = f.s3.read_head("lake", "empty", 4096).await.unwrap();
    assert_eq!((empty.bytes.len(), empty.total_size), (0, 0));
}

#[tokio::test]
async fn download_writes_the_exact_bytes_and_refuses_to_clobber() {
    let f = Fixture::new().await;
    f.bucket("lake").await;
    let body: Vec<u8> = (0..300_000u32).map(|i| (i * 7 % 256) as u8).collect();
    f.put("lake", "gold/agg.parquet", body.clone()).await;
    let dir = ScratchDir::new("download");
    let path = dir.path("agg.parquet");

    let size =
        f.s3.download("lake", "gold/agg.parquet", &path, IfExists::Refuse)
            .await
            .unwrap();
    assert_eq!(size, 300_000);
    assert_eq!(std::fs::read(&path).unwrap(), body);

    f.put("lake", "gold/agg.parquet", "newer").await;
    let err =
        f.s3.download("lake", "gold/agg.parquet", &path, IfExists::Refuse)
            .await
            .unwrap_err();
    assert_eq!(err.kind, ErrorKind::LocalFile);
    assert!(err.message.contains(&path.display().to_string()), "{err}");
    assert!(err.message.contains("already exists"), "{err}");
    assert_eq!(std::fs::read(&path).unwrap(), body, "the file was kept");

    f.s3.download("lake", "gold/agg.parquet", &path, IfExists::Replace)
        .await
        .unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), b"newer");

    let missing =
        f.s3.download("lake", "gold/none", &dir.path("none"), IfExists::Refuse)
            .await
            .unwrap_err();
    assert_eq!(missing.kind, ErrorKind::NotFound);
    assert_eq!(
        dir.names(),
        ["agg.parquet"],
        "no partial or temporary file is left"
    );
}

#[tokio::test]
async fn upload_of_a_missing_file_names_the_path_and_creates_nothing() {
    let upload = approval(&catalog::S3_UPLOAD).await;
    let f = Fixture::new().await;
    f.bucket("lake").await;
    let path = Path::new("/nonexistent/platform-tui/trips.csv");

    let err =
        f.s3.upload(&upload, path, "lake", "raw/trips.csv")
            .await
            .unwrap_err();
    assert_eq!(err.kind, ErrorKind::LocalFile);
    assert!(
        err.to_string()
            .contains("/nonexistent/platform-tui/trips.csv"),
        "{err}"
    );
    assert!(err.to_string().contains("no such file"), "{err}");
    assert!(!f.exists("lake", "raw/trips.csv").await);
    let dir = ScratchDir::new("upload-dir");
    let err =
        f.s3.upload(&upload, &dir.0, "lake", "raw/dir")
            .await
            .unwrap_err();
    assert!(err.to_string().contains("not a regular file"), "{err}");
    let listing = f.s3.list_page("lake", "", None, None, None).await.unwrap();
    assert!(listing.entries.is_empty(), "{listing:?}");
}

#[tokio::test]
async fn upload_then_delete_and_a_second_delete_says_already_gone() {
    let upload = approval(&catalog::S3_UPLOAD).await;
    let delete = approval(&catalog::S3_DELETE).await;
    let f = Fixture::new().await;
    f.bucket("lake").await;
    let dir = ScratchDir::new("upload");
    let path = dir.path("green_tripdata.csv");
    std::fs::write(&path, "VendorID,fare_amount\n2,12.5\n").unwrap();

    let size =
        f.s3.upload(&upload, &path, "lake", "raw/green_tripdata.csv")
            .await
            .unwrap();
    assert_eq!(size, 28);
    let head =
        f.s3.read_head("lake", "raw/green_tripdata.csv", 1024)
            .await
            .unwrap();
    assert_eq!(head.bytes, std::fs::read(&path).unwrap());

    f.s3.delete(&delete, "lake", "raw/green_tripdata.csv")
        .await
        .unwrap();
    assert!(!f.exists("lake", "raw/green_tripdata.csv").await);

    let err =
        f.s3.delete(&delete, "lake", "raw/green_tripdata.csv")
            .await
            .unwrap_err();
    assert_eq!(err.kind, ErrorKind::NotFound);
    assert_eq!(
        err.to_string(),
        "S3 DeleteObject on s3://lake/raw/green_tripdata.csv: the object is already gone; \
         nothing was deleted — refresh the listing"
    );
}

#[tokio::test]
async fn a_large_upload_goes_in_parts_and_round_trips() {
    let upload = approval(&catalog::S3_UPLOAD).await;
    let f = Fixture::new().await;
    f.bucket("lake").await;
    let dir = ScratchDir::new("multipart");
    let path = dir.path("big.csv");
    let size = platform_tui::aws::s3::MULTIPART_THRESHOLD + 1_234_567;
    let body: Vec<u8> = (0..size)
        .map(|i| b"0123456789,\n"[(i % 12) as usize])
        .collect();
    std::fs::write(&path, &body).unwrap();

    assert_eq!(
        f.s3.upload(&upload, &path, "lake", "raw/big.csv")
            .await
            .unwrap(),
        size
    );
    let back = dir.path("back.csv");
    f.s3.download("lake", "raw/big.csv", &back, IfExists::Refuse)
        .await
        .unwrap();
    assert!(
        std::fs::read(&back).unwrap() == body,
        "downloaded bytes differ"
    );
    let log = f.emulator.stderr();
    assert!(
        log.contains("uploadId="),
        "expected a multipart upload in the log"
    );
}

#[tokio::test]
async fn a_key_with_escape_sequences_round_trips() {
    let upload = approval(&catalog::S3_UPLOAD).await;
    let delete = approval(&catalog::S3_DELETE).await;
    let f = Fixture::new().await;
    f.bucket("lake").await;
    let key = "odd/\u{1b}[31mred\u{1b}[0m \u{7}bell+plus%25 caf\u{e9}.csv";
    let dir = ScratchDir::new("escape");
    let path = dir.path("odd.csv");
    std::fs::write(&path, "x\n").unwrap();
    f.s3.upload(&upload, &path, "lake", key).await.unwrap();

    let page =
        f.s3.list_page("lake", "odd/", Some("/"), None, None)
            .await
            .unwrap();
    assert_eq!(keys(&page.entries), [key]);
    let detail = f.s3.object_detail("lake", key).await.unwrap();
    assert_eq!(detail.size, 2);
    f.s3.delete(&delete, "lake", key).await.unwrap();
    assert!(!f.exists("lake", key).await);
}

#[tokio::test]
async fn a_missing_bucket_is_not_found_and_names_the_bucket() {
    let f = Fixture::new().await;
    let err =
        f.s3.list_page("no-such-bucket", "", Some("/"), None, None)
            .await
            .unwrap_err();
    assert_eq!(err.kind, ErrorKind::NotFound);
    assert!(
        err.to_string()
            .starts_with("S3 ListObjectsV2 on no-such-bucket: NoSuchBucket"),
        "{err}"
    );
}

#[tokio::test]
async fn an_unreachable_endpoint_says_so_and_what_to_check() {
    let endpoint = format!("http://127.0.0.1:{}", support::free_port());
    let config = sdk_config(&AwsSettings {
        endpoint_url: Some(endpoint.clone()),
        static_test_credentials: true,
        max_attempts: Some(1),
        ..AwsSettings::default()
    })
    .await;

    let err = S3::new(&config).list_buckets().await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::Unreachable, "{err}");
    assert_eq!(
        err.to_string(),
        format!(
            "S3 ListBuckets: cannot reach {endpoint} (connection refused) — \
             is the endpoint up? (`platform-tui sandbox status`)"
        )
    );
}

#[tokio::test]
// aws-config offers profile files only through a deprecated alias of an aws-runtime type.
#[allow(deprecated)]
async fn missing_credentials_are_reported_as_such() {
    use aws_config::profile::profile_file::{ProfileFileKind, ProfileFiles};

    let f = Fixture::new().await;
    // The default chain's profile provider, asked for a profile the config file lacks.
    let dir = ScratchDir::new("aws-config");
    let config_file = dir.path("config");
    std::fs::write(&config_file, "[profile other]\nregion = eu-west-1\n").unwrap();
    let no_credentials = ProfileFileCredentialsProvider::builder()
        .profile_files(
            ProfileFiles::builder()
                .with_file(ProfileFileKind::Config, &config_file)
                .build(),
        )
        .profile_name("platform-tui-no-such-profile")
        .build();
    let config = sdk_config(&f.emulator.settings())
        .await
        .to_builder()
        .credentials_provider(SharedCredentialsProvider::new(no_credentials))
        .build();

    let err = S3::new(&config).list_buckets().await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::Credentials, "{err}");
    assert_eq!(
        err.to_string(),
        "S3 ListBuckets: no AWS credentials found — set AWS_PROFILE, run `aws sso login`, \
         or pick a context with a profile"
    );
}

/// Creates, with boto3 from the sandbox venv, the bucket `lake` and an IAM user allowed
/// only s3:GetObject; prints its access key. Exactly [`IAM_SETUP_REQUESTS`] requests.
const CREATE_RESTRICTED_USER: &str = r#"
import json, sys, boto3
kw = dict(endpoint_url=sys.argv[1], region_name="us-east-1",
          aws_access_key_id="test", aws_secret_access_key="test")
boto3.client("s3", **kw).create_bucket(Bucket="lake")
iam = boto3.client("iam", **kw)
iam.create_user(UserName="reader")
policy = {"Version": "2012-10-17",
          "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}
iam.put_user_policy(UserName="reader", PolicyName="get-only", PolicyDocument=json.dumps(policy))
key = iam.create_access_key(UserName="reader")["AccessKey"]
print(key["AccessKeyId"], key["SecretAccessKey"])
"#;
/// moto enforces IAM on every request after this many (`INITIAL_NO_AUTH_ACTION_COUNT`).
const IAM_SETUP_REQUESTS: usize = 4;

/// The emulator's configuration with `id`/`secret` as the credentials.
async fn config_with_key(emulator: &Emulator, id: &str, secret: &str) -> aws_config::SdkConfig {
    let credentials = Credentials::new(id, secret, None, None, "s3_client test");
    sdk_config(&emulator.settings())
        .await
        .to_builder()
        .credentials_provider(SharedCredentialsProvider::new(credentials))
        .build()
}

#[tokio::test]
async fn access_denied_and_rejected_keys_say_what_to_check() {
    let emulator = Emulator::start_with(&Options {
        env: vec![(
            "INITIAL_NO_AUTH_ACTION_COUNT".into(),
            IAM_SETUP_REQUESTS.to_string(),
        )],
        ..Options::default()
    });
    let setup = std::process::Command::new(support::sandbox_python())
        .args(["-c", CREATE_RESTRICTED_USER, &emulator.endpoint()])
        .output()
        .unwrap();
    assert!(
        setup.status.success(),
        "{}",
        String::from_utf8_lossy(&setup.stderr)
    );
    let stdout = String::from_utf8(setup.stdout).unwrap();
    let (id, secret) = stdout.trim().split_once(' ').unwrap();

    let reader = S3::new(&config_with_key(&emulator, id, secret).await);
    let err = reader
        .list_page("lake", "", Some("/"), None, None)
        .await
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::AccessDenied, "{err}");
    assert_eq!(
        err.to_string(),
        "S3 ListObjectsV2 on lake: AccessDenied: Access Denied — check the IAM policy of the \
         profile's role"
    );

    let stranger = S3::new(&config_with_key(&emulator, "AKIAUNKNOWN000000000", "nope").await);
    let err = stranger.list_buckets().await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::Credentials, "{err}");
    assert!(
        err.to_string()
            .starts_with("S3 ListBuckets: InvalidAccessKeyId: "),
        "{err}"
    );
    assert!(
        err.to_string().ends_with(
            " — the credentials were rejected: refresh them (`aws sso login`) or check the profile"
        ),
        "{err}"
    );
}

#[tokio::test]
async fn existing_names_the_object_an_upload_would_replace() {
    let upload = approval(&catalog::S3_UPLOAD).await;
    let f = Fixture::new().await;
    f.bucket("lake").await;
    assert_eq!(f.s3.existing("lake", "raw/new.csv").await.unwrap(), None);
    let dir = ScratchDir::new("existing");
    let path = dir.path("new.csv");
    std::fs::write(&path, "a,b\n1,2\n").unwrap();
    f.s3.upload(&upload, &path, "lake", "raw/new.csv")
        .await
        .unwrap();
    let (size, modified) = f.s3.existing("lake", "raw/new.csv").await.unwrap().unwrap();
    assert_eq!(size, 8);
    assert!(modified.is_some());
}
