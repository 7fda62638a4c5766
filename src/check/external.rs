//! `quire check --external`: asks every external link's server whether it is there.
//!
//! A HEAD request per URL (GET when the server refuses HEAD), with a timeout, a bounded number
//! in flight, and domains from `[link_checker] skip_domains` left alone. Only `quire check`
//! calls this; builds and tests never touch the network.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use crate::check::ExternalLink;
use crate::config::LinkCheckerConfig;

/// An external link that did not answer well.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailedLink {
    /// The link and where it is written.
    pub link: ExternalLink,
    /// What went wrong: `404 Not Found`, `timed out`, ...
    pub reason: String,
}

/// What `check_external` did.
#[derive(Debug, Default)]
pub struct ExternalReport {
    /// URLs requested.
    pub checked: usize,
    /// URLs not requested because their domain is skipped.
    pub skipped: usize,
    /// URLs that failed.
    pub failed: Vec<FailedLink>,
}

/// Requests every link, `config.concurrency` at a time.
pub fn check_external(links: &[ExternalLink], config: &LinkCheckerConfig) -> ExternalReport {
    let (skipped, wanted): (Vec<&ExternalLink>, Vec<&ExternalLink>) =
        links.iter().partition(|link| is_skipped(&link.url, &config.skip_domains));
    let next = AtomicUsize::new(0);
    let failed = Mutex::new(Vec::new());
    let timeout = Duration::from_secs(config.timeout.max(1));
    std::thread::scope(|scope| {
        for _ in 0..config.concurrency.clamp(1, wanted.len().max(1)) {
            scope.spawn(|| loop {
                let index = next.fetch_add(1, Ordering::Relaxed);
                let Some(link) = wanted.get(index) else { break };
                if let Err(reason) = request(&link.url, timeout) {
                    failed
                        .lock()
                        .unwrap_or_else(std::sync::PoisonError::into_inner)
                        .push(FailedLink { link: (*link).clone(), reason });
                }
            });
        }
    });
    let mut failed = failed.into_inner().unwrap_or_else(std::sync::PoisonError::into_inner);
    failed.sort_by(|a, b| {
        (&a.link.file, a.link.line, &a.link.url).cmp(&(&b.link.file, b.link.line, &b.link.url))
    });
    ExternalReport { checked: wanted.len(), skipped: skipped.len(), failed }
}

/// Whether the URL's host is a skipped domain or one of its subdomains.
pub fn is_skipped(url: &str, skip_domains: &[String]) -> bool {
    let host = url.split_once("//").map_or(url, |(_, rest)| rest);
    let host = host.split(['/', '?', '#']).next().unwrap_or(host);
    let host = host.rsplit_once('@').map_or(host, |(_, h)| h);
    let host = host.split(':').next().unwrap_or(host).to_ascii_lowercase();
    skip_domains.iter().any(|domain| {
        let domain = domain.trim().trim_start_matches("*.").to_ascii_lowercase();
        host == domain || host.ends_with(&format!(".{domain}"))
    })
}

#[cfg(feature = "external-links")]
fn request(url: &str, timeout: Duration) -> Result<(), String> {
    let url = if url.starts_with("//") { format!("https:{url}") } else { url.to_string() };
    if !(url.starts_with("http://") || url.starts_with("https://")) {
        return Ok(());
    }
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(timeout))
        .http_status_as_error(false)
        .user_agent(concat!("quire-link-checker/", env!("CARGO_PKG_VERSION")))
        .build()
        .into();
    let status = |response: Result<ureq::http::Response<ureq::Body>, ureq::Error>| {
        response.map(|r| r.status()).map_err(|error| error.to_string())
    };
    let mut code = status(agent.head(&url).call())?;
    // Some servers answer HEAD with 405 (or 403/404) yet serve GET.
    if matches!(code.as_u16(), 403 | 404 | 405 | 501) {
        code = status(agent.get(&url).call())?;
    }
    if code.is_success() || code.is_redirection() {
        Ok(())
    } else {
        Err(code.to_string())
    }
}

#[cfg(not(feature = "external-links"))]
fn request(_url: &str, _timeout: Duration) -> Result<(), String> {
    Err("this quire was built without the `external-links` feature".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skip_domains_cover_subdomains() {
        let skip = vec!["example.com".to_string()];
        assert!(is_skipped("https://example.com/a", &skip));
        assert!(is_skipped("https://www.Example.com:8080/a", &skip));
        assert!(!is_skipped("https://notexample.com/", &skip));
        assert!(!is_skipped("https://example.org/", &skip));
    }
}
