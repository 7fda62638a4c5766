//! Archives: dated pages grouped by year and month, newest first, like the `date_hierarchy`
//! of Django's admin.
//!
//! Months are the author's calendar months (the date in the offset it was written with).
//! Undated pages have no place in an archive and are left out. This module renders nothing.

use std::cmp::Reverse;

use crate::site::{PageId, PagePlace};

/// Dated pages by year, newest year first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Archive {
    /// The years that have pages, newest first.
    pub years: Vec<ArchiveYear>,
}

/// One year of an archive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArchiveYear {
    /// `2024`.
    pub year: i16,
    /// The months that have pages, newest first.
    pub months: Vec<ArchiveMonth>,
}

/// One month of an archive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArchiveMonth {
    /// `1` for January.
    pub month: i8,
    /// Its pages, newest first.
    pub pages: Vec<PageId>,
}

/// English month names, for `name` in templates.
pub const MONTH_NAMES: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

impl Archive {
    /// Groups the dated pages among `ids` by year and month, newest first (ties by path).
    pub fn of<P: AsRef<PagePlace>>(ids: impl IntoIterator<Item = PageId>, list: &[P]) -> Archive {
        let pages = |id: PageId| list[id].as_ref();
        let mut dated: Vec<PageId> = ids.into_iter().filter(|&id| pages(id).date.is_some()).collect();
        // Months are calendar months in each page's own offset, so group by them before the
        // instant: a page from 00:30+02:00 on 1 February belongs to February.
        let month_of = |id: PageId| {
            let civil = pages(id).date.expect("undated pages were filtered out").civil();
            (civil.year(), civil.month())
        };
        // Newest month first, then newest first, then by path. Each page's key is worked
        // out once: a calendar date in every comparison cost most of the sort.
        dated.sort_by_cached_key(|&id| {
            let page = pages(id);
            (Reverse(month_of(id)), Reverse(page.date), page.content_path.as_str())
        });
        let mut years: Vec<ArchiveYear> = Vec::new();
        for id in dated {
            let (year, month) = month_of(id);
            if years.last().is_none_or(|y| y.year != year) {
                years.push(ArchiveYear { year, months: Vec::new() });
            }
            let months = &mut years.last_mut().expect("a year was just pushed").months;
            if months.last().is_none_or(|m| m.month != month) {
                months.push(ArchiveMonth { month, pages: Vec::new() });
            }
            months.last_mut().expect("a month was just pushed").pages.push(id);
        }
        Archive { years }
    }

    /// How many pages the archive lists.
    pub fn len(&self) -> usize {
        self.years.iter().flat_map(|y| &y.months).map(|m| m.pages.len()).sum()
    }

    /// Whether the archive lists no page.
    pub fn is_empty(&self) -> bool {
        self.years.is_empty()
    }
}

impl ArchiveMonth {
    /// `January` for month 1.
    pub fn name(&self) -> &'static str {
        MONTH_NAMES[usize::try_from(self.month - 1).expect("months are 1 to 12")]
    }
}
