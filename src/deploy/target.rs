//! A target's `url`, read: which store, which bucket (or folder), the prefix inside it, and
//! the options in the query (`region`, `endpoint`, …). Credentials are refused here: they
//! come from the environment, never from `config.toml`, and are never printed.

/// What a target `url` should look like.
pub const URL_HINT: &str =
    "write the target's `url` as `s3://BUCKET/PREFIX?region=REGION`, `gs://BUCKET/PREFIX`, \
     `azblob://CONTAINER/PREFIX` or `file:///ABSOLUTE/FOLDER`; credentials come from the environment";

/// The kinds of target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    /// `s3://`: Amazon S3 or an S3-compatible server (`endpoint=`).
    S3,
    /// `gs://`: Google Cloud Storage.
    Gcs,
    /// `azblob://`: Azure Blob Storage.
    Azure,
    /// `file://`: a folder.
    File,
}

/// A target's `url`, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetUrl {
    /// The store.
    pub scheme: Scheme,
    /// The bucket or container; for `file://`, the folder.
    pub bucket: String,
    /// The folders inside the bucket that the site goes under (none: the bucket's root).
    pub prefix: Vec<String>,
    /// The query's options, such as `("region", "eu-west-1")`.
    pub options: Vec<(String, String)>,
}

impl TargetUrl {
    /// Parses `url`.
    ///
    /// # Errors
    /// What is wrong with it: an unknown scheme, no bucket, a relative folder, or a credential
    /// in the query.
    pub fn parse(url: &str) -> Result<TargetUrl, String> {
        let (scheme_text, rest) = url
            .split_once("://")
            .ok_or_else(|| format!("`{}` has no scheme such as `s3://`", redact(url)))?;
        let scheme = match scheme_text.to_ascii_lowercase().as_str() {
            "s3" => Scheme::S3,
            "gs" => Scheme::Gcs,
            "azblob" | "az" => Scheme::Azure,
            "file" => Scheme::File,
            other => return Err(format!("`{other}://` is not a deploy target; use s3, gs, azblob or file")),
        };
        let (location, query) = rest.split_once('?').unwrap_or((rest, ""));
        let decode = |text: &str| percent_encoding::percent_decode_str(text).decode_utf8_lossy().into_owned();
        let mut options = Vec::new();
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            let key = decode(key);
            if is_credential(&key) {
                return Err(format!(
                    "the option `{key}` is a credential: it does not belong in config.toml (set it in the environment instead)"
                ));
            }
            options.push((key, decode(value)));
        }
        if scheme == Scheme::File {
            if !options.is_empty() {
                return Err("a `file://` target takes no options".into());
            }
            let folder = decode(location);
            if !folder.starts_with('/') {
                return Err(format!(
                    "`{}` is not an absolute folder: write `file:///path/to/folder`",
                    redact(url)
                ));
            }
            return Ok(TargetUrl { scheme, bucket: folder, prefix: Vec::new(), options });
        }
        let mut parts = location.split('/').filter(|p| !p.is_empty()).map(decode);
        let bucket = parts.next().ok_or_else(|| format!("`{}` names no bucket", redact(url)))?;
        Ok(TargetUrl { scheme, bucket, prefix: parts.collect(), options })
    }

    /// Whether the endpoint is plain HTTP (a local S3-compatible server, as in the tests).
    pub fn allows_http(&self) -> bool {
        self.options.iter().any(|(key, value)| key.contains("endpoint") && value.starts_with("http://"))
    }

    /// The URL as it may be shown: scheme, bucket and prefix, no query.
    pub fn display(&self) -> String {
        let scheme = match self.scheme {
            Scheme::S3 => "s3",
            Scheme::Gcs => "gs",
            Scheme::Azure => "azblob",
            Scheme::File => "file",
        };
        let mut shown = format!("{scheme}://{}", self.bucket);
        for part in &self.prefix {
            shown.push('/');
            shown.push_str(part);
        }
        shown
    }
}

/// Whether a query key names a secret (object_store accepts keys and tokens as options).
fn is_credential(key: &str) -> bool {
    let key = key.to_ascii_lowercase();
    ["secret", "token", "access_key", "account_key", "service_account", "password", "sas", "credential"]
        .iter()
        .any(|word| key.contains(word))
}

/// `url` without its query, which may hold anything.
fn redact(url: &str) -> &str {
    url.split_once('?').map_or(url, |(before, _)| before)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_s3_url_has_a_bucket_a_prefix_and_options() {
        let url =
            TargetUrl::parse("s3://site/blog/www?region=eu-west-1&endpoint=http://127.0.0.1:9000").unwrap();
        assert_eq!(url.scheme, Scheme::S3);
        assert_eq!(url.bucket, "site");
        assert_eq!(url.prefix, vec!["blog".to_string(), "www".to_string()]);
        assert_eq!(url.options[0], ("region".into(), "eu-west-1".into()));
        assert!(url.allows_http());
        assert_eq!(url.display(), "s3://site/blog/www");
    }

    #[test]
    fn credentials_in_the_url_are_refused_without_echoing_them() {
        let error = TargetUrl::parse("s3://site?aws_secret_access_key=hunter2").unwrap_err();
        assert!(error.contains("credential"));
        assert!(!error.contains("hunter2"));
    }

    #[test]
    fn file_targets_are_absolute_folders_and_unknown_schemes_are_refused() {
        assert_eq!(TargetUrl::parse("file:///srv/www").unwrap().bucket, "/srv/www");
        assert!(TargetUrl::parse("file://relative").is_err());
        assert!(TargetUrl::parse("ftp://host/x").unwrap_err().contains("ftp"));
        assert!(TargetUrl::parse("s3://").is_err());
        assert_eq!(TargetUrl::parse("azblob://c/p").unwrap().scheme, Scheme::Azure);
    }
}
