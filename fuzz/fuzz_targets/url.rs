//! URL handling: slugs are always one safe segment; user paths never leave the site.
#![no_main]

use libfuzzer_sys::fuzz_target;
use quire::site::url;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let slug = url::slugify(text);
    assert!(!slug.contains(['/', '\\', '.', '%']) && !slug.chars().any(char::is_whitespace), "{slug:?}");
    assert!(!slug.starts_with('-') && !slug.ends_with('-'), "{slug:?}");
    if let Ok(url_path) = url::url_path_from_user_path(text) {
        assert!(url_path.starts_with('/'));
        for segment in url_path.split('/') {
            assert!(segment != "." && segment != "..", "{url_path:?}");
        }
        let output = url::output_path(&url_path);
        assert!(!output.starts_with('/') && !output.split('/').any(|s| s == ".."), "{output:?}");
    }
});
