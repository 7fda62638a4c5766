//! The target: a bucket (S3, GCS, Azure) or a folder, through object_store. Lists what is
//! there, uploads with headers, deletes; several requests at once (`--workers`). The only
//! module that knows object_store, tokio or the network.

use std::sync::Arc;
use std::time::Duration;

use futures_util::{StreamExt as _, TryStreamExt as _};
use object_store::path::Path as ObjectPath;
use object_store::{
    Attribute, Attributes, BackoffConfig, ClientOptions, ObjectStore, ObjectStoreExt as _, PutOptions,
    PutPayload, RetryConfig,
};

use crate::config::DeployTarget;
use crate::deploy::local::{self, LocalFile};
use crate::deploy::plan::RemoteObject;
use crate::deploy::target::{Scheme, TargetUrl};
use crate::error::{Error, Result};

/// An open target.
pub struct Remote {
    store: Arc<dyn ObjectStore>,
    prefix: Vec<String>,
    scheme: Scheme,
    runtime: tokio::runtime::Runtime,
    name: String,
}

/// A request that failed: the key, and what went wrong.
#[derive(Debug, Clone)]
pub struct Failure {
    /// The key, relative to the target's prefix.
    pub key: String,
    /// The error, with its causes.
    pub detail: String,
}

impl Remote {
    /// Opens `target`: credentials from the environment and each cloud's usual files.
    ///
    /// # Errors
    /// `Error::Deploy` if the URL or the configuration is not usable.
    pub fn open(target: &DeployTarget, url: &TargetUrl) -> Result<Remote> {
        // reqwest is built without a bundled TLS provider; ring is the one Quire already has.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let error = |detail: String| Error::Deploy {
            target: target.name.clone(),
            hint: Some(
                match hint_for(&detail, url.scheme) {
                    hint if hint.starts_with("run `quire deploy` again") => crate::deploy::target::URL_HINT,
                    hint => hint,
                }
                .into(),
            ),
            detail,
        };
        let retry = RetryConfig {
            backoff: BackoffConfig {
                init_backoff: Duration::from_millis(100),
                max_backoff: Duration::from_secs(2),
                base: 2.0,
            },
            max_retries: 3,
            retry_timeout: Duration::from_secs(20),
        };
        let client = ClientOptions::new()
            .with_timeout(Duration::from_secs(60))
            .with_connect_timeout(Duration::from_secs(5))
            .with_allow_http(url.allows_http());
        let store: Arc<dyn ObjectStore> = match url.scheme {
            Scheme::File => {
                Arc::new(object_store::local::LocalFileSystem::new_with_prefix(&url.bucket).map_err(|e| {
                    Error::Deploy {
                        target: target.name.clone(),
                        detail: format!("the folder `{}` cannot be used: {}", url.bucket, chain(&e)),
                        hint: Some("create the folder first: a deploy never creates its target".into()),
                    }
                })?)
            }
            Scheme::S3 => {
                require_aws_credentials(target)?;
                let mut builder = object_store::aws::AmazonS3Builder::from_env()
                    .with_bucket_name(&url.bucket)
                    .with_retry(retry)
                    .with_client_options(client);
                for (key, value) in &url.options {
                    let key = key.parse().map_err(|_| error(format!("`{key}` is not an S3 option")))?;
                    builder = builder.with_config(key, value);
                }
                Arc::new(builder.build().map_err(|e| error(chain(&e)))?)
            }
            Scheme::Gcs => {
                let mut builder = object_store::gcp::GoogleCloudStorageBuilder::from_env()
                    .with_bucket_name(&url.bucket)
                    .with_retry(retry)
                    .with_client_options(client);
                for (key, value) in &url.options {
                    let key = key.parse().map_err(|_| error(format!("`{key}` is not a GCS option")))?;
                    builder = builder.with_config(key, value);
                }
                Arc::new(builder.build().map_err(|e| error(chain(&e)))?)
            }
            Scheme::Azure => {
                let mut builder = object_store::azure::MicrosoftAzureBuilder::from_env()
                    .with_container_name(&url.bucket)
                    .with_retry(retry)
                    .with_client_options(client);
                for (key, value) in &url.options {
                    let key = key.parse().map_err(|_| error(format!("`{key}` is not an Azure option")))?;
                    builder = builder.with_config(key, value);
                }
                Arc::new(builder.build().map_err(|e| error(chain(&e)))?)
            }
        };
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .map_err(|e| error(format!("could not start the I/O runtime: {e}")))?;
        Ok(Remote {
            store,
            prefix: url.prefix.clone(),
            scheme: url.scheme,
            runtime,
            name: target.name.clone(),
        })
    }

    /// Every object under the prefix, with its MD5 when the target's ETag is one. For an
    /// object listed without an MD5 ETag whose size equals the local file's, a HEAD request
    /// asks for its ETag, and failing that (a folder, Azure) it is read and hashed, so that
    /// it is not sent again for nothing.
    ///
    /// # Errors
    /// `Error::Deploy` if the listing fails (no such bucket, refused credentials, no server).
    pub fn list(&self, local: &[LocalFile], workers: usize) -> Result<Vec<RemoteObject>> {
        let prefix = self.object_path("");
        let prefix_len = prefix.as_ref().len();
        let listed: Vec<object_store::ObjectMeta> = self
            .runtime
            .block_on(self.store.list(Some(&prefix)).try_collect())
            .map_err(|e| self.request_error("could not list the objects", &e))?;
        let mut objects: Vec<RemoteObject> = listed
            .into_iter()
            .map(|meta| {
                let full = meta.location.as_ref();
                let key = full[prefix_len..].trim_start_matches('/');
                RemoteObject {
                    key: decode_key(key),
                    size: meta.size,
                    md5: meta.e_tag.as_deref().and_then(md5_from_etag),
                }
            })
            .collect();
        let sizes: std::collections::HashMap<&str, u64> =
            local.iter().map(|f| (f.key.as_str(), f.size)).collect();
        let to_read: Vec<usize> = objects
            .iter()
            .enumerate()
            .filter(|(_, o)| o.md5.is_none() && sizes.get(o.key.as_str()) == Some(&o.size))
            .map(|(i, _)| i)
            .collect();
        let hashes: Vec<(usize, Option<[u8; 16]>)> = self.runtime.block_on(
            futures_util::stream::iter(to_read)
                .map(|index| {
                    let path = self.object_path(&objects[index].key);
                    let store = Arc::clone(&self.store);
                    let ask_head = self.scheme != Scheme::File;
                    async move {
                        // Some S3-compatible servers leave ETags out of listings but give
                        // them to HEAD, which sends no body.
                        if ask_head {
                            let head = store.head(&path).await.ok();
                            if let Some(md5) =
                                head.and_then(|meta| meta.e_tag).as_deref().and_then(md5_from_etag)
                            {
                                return (index, Some(md5));
                            }
                        }
                        let bytes = match store.get(&path).await {
                            Ok(found) => found.bytes().await.ok(),
                            Err(_) => None,
                        };
                        (index, bytes.map(|b| local::md5(&b)))
                    }
                })
                .buffer_unordered(workers)
                .collect(),
        );
        for (index, md5) in hashes {
            objects[index].md5 = md5;
        }
        Ok(objects)
    }

    /// Uploads `files` (`workers` at a time); `sent` is told each file's size once it is there.
    /// Returns the failures, if any; the bytes sent are counted by the caller through `sent`.
    pub fn upload(
        &self,
        files: &[&LocalFile],
        workers: usize,
        sent: &(dyn Fn(&str, u64) + Sync),
    ) -> Vec<Failure> {
        let with_headers = self.scheme != Scheme::File;
        self.runtime.block_on(
            futures_util::stream::iter(files)
                .map(|file| {
                    let path = self.object_path(&file.key);
                    let store = Arc::clone(&self.store);
                    async move {
                        let result = async {
                            let body = local::upload_body(file).map_err(|e| e.to_string())?;
                            let size = body.len() as u64;
                            let mut options = PutOptions::default();
                            if with_headers {
                                options.attributes = attributes(file);
                            }
                            store
                                .put_opts(&path, PutPayload::from(body), options)
                                .await
                                .map_err(|e| chain(&e))?;
                            Ok::<u64, String>(size)
                        }
                        .await;
                        (file, result)
                    }
                })
                .buffer_unordered(workers)
                .filter_map(|(file, result)| async move {
                    match result {
                        Ok(size) => {
                            log::debug!("PUT {} ({size} bytes)", file.key);
                            sent(&file.key, size);
                            None
                        }
                        Err(detail) => Some(Failure { key: file.key.clone(), detail }),
                    }
                })
                .collect(),
        )
    }

    /// Deletes `keys` (`workers` at a time). Returns the failures, if any.
    pub fn delete(&self, keys: &[String], workers: usize, done: &(dyn Fn(&str) + Sync)) -> Vec<Failure> {
        self.runtime.block_on(
            futures_util::stream::iter(keys)
                .map(|key| {
                    let path = self.object_path(key);
                    let store = Arc::clone(&self.store);
                    async move { (key, store.delete(&path).await.map_err(|e| chain(&e))) }
                })
                .buffer_unordered(workers)
                .filter_map(|(key, result)| async move {
                    match result {
                        Ok(()) => {
                            log::debug!("DELETE {key}");
                            done(key);
                            None
                        }
                        Err(detail) => Some(Failure { key: key.clone(), detail }),
                    }
                })
                .collect(),
        )
    }

    /// The object path of `key` under the prefix.
    fn object_path(&self, key: &str) -> ObjectPath {
        ObjectPath::from_iter(
            self.prefix.iter().map(String::as_str).chain(key.split('/').filter(|s| !s.is_empty())),
        )
    }

    /// An error of a request that stops the deploy, with a hint from what went wrong.
    fn request_error(&self, what: &str, error: &object_store::Error) -> Error {
        let detail = format!("{what}: {}", chain(error));
        let hint = hint_for(&detail, self.scheme);
        Error::Deploy { target: self.name.clone(), detail, hint: Some(hint.into()) }
    }
}

/// Without keys in the environment, object_store would ask the EC2 instance metadata service
/// (169.254.169.254) for some: off an EC2 machine that is a request to an address nobody
/// meant, and a slow, confusing failure. A deploy from EC2 names the role's credentials
/// through the container or web-identity variables, which are accepted here.
fn require_aws_credentials(target: &DeployTarget) -> Result<()> {
    let set = |name: &str| std::env::var_os(name).is_some_and(|v| !v.is_empty());
    let from_keys = set("AWS_ACCESS_KEY_ID") && set("AWS_SECRET_ACCESS_KEY");
    let from_role = set("AWS_WEB_IDENTITY_TOKEN_FILE")
        || set("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI")
        || set("AWS_CONTAINER_CREDENTIALS_FULL_URI");
    if from_keys || from_role {
        return Ok(());
    }
    Err(Error::Deploy {
        target: target.name.clone(),
        detail: "no S3 credentials in the environment".into(),
        hint: Some(
            "set `AWS_ACCESS_KEY_ID` and `AWS_SECRET_ACCESS_KEY` (and `AWS_SESSION_TOKEN` for temporary keys) \
             before `quire deploy`"
                .into(),
        ),
    })
}

/// The hint for a failed request, from its message. Status codes are matched with their
/// reason (`403 Forbidden`): a bare `403` may be part of the port in the request's URL.
pub fn hint_for(detail: &str, scheme: Scheme) -> &'static str {
    let lower = detail.to_ascii_lowercase();
    let credentials = match scheme {
        Scheme::S3 => "check `AWS_ACCESS_KEY_ID` and `AWS_SECRET_ACCESS_KEY`",
        Scheme::Gcs => "check `GOOGLE_APPLICATION_CREDENTIALS` or `GOOGLE_SERVICE_ACCOUNT`",
        Scheme::Azure => "check `AZURE_STORAGE_ACCOUNT_NAME` and `AZURE_STORAGE_ACCOUNT_KEY`",
        Scheme::File => "check that the folder is readable and writable",
    };
    if lower.contains("nosuchbucket")
        || lower.contains("bucket does not exist")
        || lower.contains("containernotfound")
    {
        "the bucket does not exist: create it (a deploy never creates buckets), or fix the target's `url`"
    } else if lower.contains("invalidbucketname") {
        "a bucket name is 3 to 63 lowercase letters, digits, dots and hyphens: fix the target's `url`"
    } else if lower.contains("signaturedoesnotmatch")
        || lower.contains("invalidaccesskeyid")
        || lower.contains("accessdenied")
        || lower.contains("403 forbidden")
        || lower.contains("401 unauthorized")
        || lower.contains("credential")
    {
        credentials
    } else if lower.contains("connect") || lower.contains("sending request") || lower.contains("timed out") {
        "the server could not be reached: check the target's `endpoint` and the network, then run `quire deploy` again"
    } else {
        "run `quire deploy` again: what is already there is not sent twice"
    }
}

/// The object's headers.
fn attributes(file: &LocalFile) -> Attributes {
    let mut attributes = Attributes::new();
    attributes.insert(Attribute::ContentType, file.headers.content_type.clone().into());
    attributes.insert(Attribute::CacheControl, file.headers.cache_control.clone().into());
    if let Some(encoding) = &file.headers.content_encoding {
        attributes.insert(Attribute::ContentEncoding, encoding.clone().into());
    }
    attributes
}

/// An S3 or GCS ETag of a single-part upload is the hex MD5 of the bytes, in quotes; anything
/// else (a multipart upload's `…-3`, a folder's inode and time, Azure's) is not.
fn md5_from_etag(etag: &str) -> Option<[u8; 16]> {
    let hex = etag.trim_matches('"');
    if hex.len() != 32 {
        return None;
    }
    let mut md5 = [0u8; 16];
    for (index, byte) in md5.iter_mut().enumerate() {
        *byte = u8::from_str_radix(hex.get(index * 2..index * 2 + 2)?, 16).ok()?;
    }
    Some(md5)
}

/// A listed key back in the form of a path under `public/` (object_store percent-encodes a
/// few characters in path segments).
fn decode_key(key: &str) -> String {
    percent_encoding::percent_decode_str(key).decode_utf8_lossy().into_owned()
}

/// An error and its causes, on one line.
pub fn chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_port_in_the_url_is_not_taken_for_a_status() {
        let refused = "Error performing GET http://127.0.0.1:40312/site?list-type=2: error sending request";
        assert!(hint_for(refused, Scheme::S3).contains("could not be reached"));
        let forbidden = "Server returned non-2xx status code: 403 Forbidden: SignatureDoesNotMatch";
        assert!(hint_for(forbidden, Scheme::S3).contains("AWS_SECRET_ACCESS_KEY"));
    }

    #[test]
    fn only_a_plain_md5_etag_is_a_hash() {
        assert_eq!(md5_from_etag("\"d41d8cd98f00b204e9800998ecf8427e\"").unwrap()[0], 0xd4);
        assert!(md5_from_etag("\"d41d8cd98f00b204e9800998ecf8427e-2\"").is_none());
        assert!(md5_from_etag("0x8DBF0A1B2C3D4E5").is_none());
        assert!(md5_from_etag("zz1d8cd98f00b204e9800998ecf8427e").is_none());
    }
}
