//! Property tests of the pure rules every URL and list depends on: slugs are always safe path
//! segments, user paths never leave the site, and pagination shows every item exactly once.

use proptest::prelude::*;
use quire::site::pagination::paginate;
use quire::site::url::{output_path, slugify, url_path_from_user_path};

proptest! {
    #[test]
    fn slugs_are_always_one_safe_segment(text in "\\PC{0,40}") {
        let slug = slugify(&text);
        prop_assert!(!slug.contains(['/', '\\', '.', '%', '?', '#']), "{slug:?}");
        prop_assert!(!slug.chars().any(|c| c.is_whitespace() || c.is_control()), "{slug:?}");
        prop_assert!(!slug.starts_with('-') && !slug.ends_with('-') && !slug.contains("--"), "{slug:?}");
        prop_assert_eq!(slugify(&slug), slug.clone(), "slugify is idempotent");
    }

    #[test]
    fn user_paths_never_leave_the_output(segments in prop::collection::vec("(\\.\\.|\\.|%2e%2e|%2E%2e|[a-z0-9é]{1,6}|)", 0..6)) {
        let path = segments.join("/");
        if let Ok(url_path) = url_path_from_user_path(&path) {
            let output = output_path(&url_path);
            prop_assert!(!output.starts_with('/'), "{output:?}");
            for segment in output.split('/') {
                prop_assert!(segment != ".." && segment != ".", "{output:?} from {path:?}");
                prop_assert!(!segment.eq_ignore_ascii_case("%2e%2e"), "{output:?} from {path:?}");
            }
        }
    }

    #[test]
    fn distinct_slugs_give_distinct_outputs(a in "[a-z0-9-]{1,12}", b in "[a-z0-9-]{1,12}") {
        let (sa, sb) = (slugify(&a), slugify(&b));
        prop_assume!(!sa.is_empty() && !sb.is_empty() && sa != sb);
        prop_assert_ne!(output_path(&format!("/blog/{sa}/")), output_path(&format!("/blog/{sb}/")));
    }

    #[test]
    fn pagination_shows_every_item_exactly_once(total in 0usize..500, per_page in 1usize..40) {
        let pagers = paginate("/blog/", total, per_page);
        let shown: Vec<usize> = pagers.iter().flat_map(|p| p.items.clone()).collect();
        prop_assert_eq!(shown, (0..total).collect::<Vec<_>>());
        prop_assert!(!pagers.is_empty());
        prop_assert!(pagers.iter().all(|p| p.items.len() <= per_page));
        let urls: std::collections::HashSet<_> = pagers.iter().map(|p| p.url_path.clone()).collect();
        prop_assert_eq!(urls.len(), pagers.len(), "every pager has its own URL");
    }
}
