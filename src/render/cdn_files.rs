//! `_redirects` and `_headers`, the files Netlify and Cloudflare Pages read from the folder
//! they deploy: aliases as real 301s, and the `[[deploy.matchers]]` Cache-Control rules.
//! Written only when `[deploy] redirects_file` / `headers_file` ask for them.

use crate::config::DeployMatcher;
use crate::site::Redirect;

/// `_redirects`: one `FROM TO 301` line per alias, paths under the site's base path.
pub fn redirects<'a>(base_url: &str, redirects: impl Iterator<Item = &'a Redirect>) -> String {
    let base = base_path(base_url);
    let mut text = String::from("# Written by quire build ([deploy] redirects_file): aliases as 301s.\n");
    for redirect in redirects {
        text.push_str(&format!("{base}{} {base}{} 301\n", redirect.url_path, redirect.target));
    }
    text
}

/// `_headers`: the matchers that set headers, their globs written as the hosts' splats
/// (`**/*.css` → `/*.css`; `{a,b}` becomes one rule per choice).
pub fn headers(base_url: &str, matchers: &[DeployMatcher]) -> String {
    let base = base_path(base_url);
    let mut text =
        String::from("# Written by quire build ([deploy] headers_file) from [[deploy.matchers]].\n");
    for matcher in matchers {
        let mut lines = Vec::new();
        if let Some(cache_control) = &matcher.cache_control {
            lines.push(format!("  Cache-Control: {cache_control}\n"));
        }
        if let Some(content_type) = &matcher.content_type {
            lines.push(format!("  Content-Type: {content_type}\n"));
        }
        if lines.is_empty() {
            continue;
        }
        for pattern in expand_braces(&matcher.pattern) {
            let splat = pattern.trim_start_matches('/').replace("**/", "*").replace("**", "*");
            text.push_str(&format!("{base}/{splat}\n"));
            lines.iter().for_each(|line| text.push_str(line));
        }
    }
    text
}

/// The path of `base_url` without its trailing slash: `` or `/blog`.
fn base_path(base_url: &str) -> String {
    let path = match base_url.split_once("://") {
        Some((_, rest)) => rest.find('/').map_or("", |at| &rest[at..]),
        None => base_url,
    };
    path.trim_end_matches('/').to_string()
}

/// `*.{css,js}` → `*.css`, `*.js` (the first brace group; the hosts have no alternation).
fn expand_braces(pattern: &str) -> Vec<String> {
    let (Some(open), Some(close)) = (pattern.find('{'), pattern.find('}')) else {
        return vec![pattern.to_string()];
    };
    if close < open {
        return vec![pattern.to_string()];
    }
    pattern[open + 1..close]
        .split(',')
        .flat_map(|choice| expand_braces(&format!("{}{choice}{}", &pattern[..open], &pattern[close + 1..])))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    #[test]
    fn aliases_are_301s_under_the_base_path() {
        let alias =
            Redirect { url_path: "/old/".into(), target: "/posts/new/".into(), display_path: PathBuf::new() };
        let text = redirects("https://example.com/blog/", [&alias].into_iter());
        assert!(text.ends_with("/blog/old/ /blog/posts/new/ 301\n"), "{text}");
        assert!(redirects("https://example.com/", [&alias].into_iter()).ends_with("/old/ /posts/new/ 301\n"));
    }

    #[test]
    fn matchers_become_splat_rules() {
        let matcher = DeployMatcher {
            pattern: "**/*.{css,js}".into(),
            cache_control: Some("public, max-age=600".into()),
            content_type: None,
            content_encoding: None,
            gzip: false,
        };
        let silent =
            DeployMatcher { pattern: "**".into(), cache_control: None, gzip: true, ..matcher.clone() };
        let text = headers("https://example.com/", &[matcher, silent]);
        assert!(text.contains("\n/*.css\n  Cache-Control: public, max-age=600\n/*.js\n  Cache-Control: public, max-age=600\n"), "{text}");
        assert!(!text.contains("\n/*\n"), "{text}");
    }
}
