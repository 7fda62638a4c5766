//! Pagination: which pages each pager of a list holds, and its URL.

use crate::site::url;

/// One page of a paginated list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pager {
    /// 1-based position.
    pub index: usize,
    /// `/blog/` for the first pager, `/blog/page/2/` after.
    pub url_path: String,
    /// The range of the list's items on this pager.
    pub items: std::ops::Range<usize>,
}

/// Splits `total` items into pagers of `per_page` under `base` (`/blog/`).
///
/// There is always at least one pager, so an empty list still gets its page.
pub fn paginate(base: &str, total: usize, per_page: usize) -> Vec<Pager> {
    let per_page = per_page.max(1);
    let count = total.div_ceil(per_page).max(1);
    (1..=count)
        .map(|index| Pager {
            index,
            url_path: pager_url_path(base, index),
            items: ((index - 1) * per_page)..(index * per_page).min(total),
        })
        .collect()
}

/// The URL path of pager `index` under `base`.
pub fn pager_url_path(base: &str, index: usize) -> String {
    if index == 1 {
        base.to_string()
    } else {
        url::join(&format!("{base}page/"), &index.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sizes(total: usize) -> Vec<usize> {
        paginate("/blog/", total, 10).iter().map(|p| p.items.len()).collect()
    }

    #[test]
    fn boundaries() {
        assert_eq!(sizes(0), vec![0]);
        assert_eq!(sizes(1), vec![1]);
        assert_eq!(sizes(10), vec![10]);
        assert_eq!(sizes(11), vec![10, 1]);
        assert_eq!(sizes(25), vec![10, 10, 5]);
    }

    #[test]
    fn urls() {
        let pagers = paginate("/blog/", 11, 10);
        assert_eq!(pagers[0].url_path, "/blog/");
        assert_eq!(pagers[1].url_path, "/blog/page/2/");
    }

    #[test]
    fn every_item_appears_exactly_once() {
        for total in 0..40 {
            for per_page in 1..12 {
                let covered: Vec<usize> =
                    paginate("/", total, per_page).into_iter().flat_map(|p| p.items).collect();
                assert_eq!(covered, (0..total).collect::<Vec<_>>());
            }
        }
    }
}
