//! S3: buckets and objects (preview, download, upload, delete).

pub mod buckets;
pub mod objects;
