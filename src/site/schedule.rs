//! Scheduled and expired pages: whether a page is published at the moment of the build.
//!
//! The moment is an input (`Schedule::now`), never read from the clock here, so the model
//! stays a pure function of its input. It does not decide about drafts: that is a front
//! matter flag, not a date.

use jiff::Timestamp;

use crate::parse::date::PageDate;
use crate::project::{Expired, Future};

/// The moment of the build and what to do with pages outside their publication window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Schedule {
    /// The moment the build publishes at.
    pub now: Timestamp,
    /// Whether pages dated after `now` are built.
    pub future: Future,
    /// Whether pages that expired at or before `now` are built.
    pub expired: Expired,
}

/// Where a page stands at the moment of the build.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Built.
    Published,
    /// Dated after the build: held back until then.
    Scheduled,
    /// Past its `expires` date.
    Expired,
}

/// How many pages a build held back or left out, for the summary line.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct HeldBack {
    /// Pages dated in the future.
    pub scheduled: usize,
    /// Pages past their expiry date.
    pub expired: usize,
    /// Drafts, when they are not built.
    pub drafts: usize,
    /// The first moment after the build at which some page would be published or expire: until
    /// then, a build of the same files gives the same site.
    pub next_change: Option<Timestamp>,
}

/// The dates of a page that decide whether it is published.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PageDates {
    /// `date` (or the file name's date).
    pub date: Option<PageDate>,
    /// `updated`.
    pub updated: Option<PageDate>,
    /// `expires`.
    pub expires: Option<PageDate>,
}

impl Schedule {
    /// A schedule at `now` that builds every page whatever its dates.
    pub fn everything(now: Timestamp) -> Schedule {
        Schedule { now, future: Future::Include, expired: Expired::Include }
    }

    /// Whether a page with `dates` is built, and if not, why.
    ///
    /// A page is scheduled while its `date` is after `now`; a page without `date` is
    /// scheduled by a future `updated` instead. It expires once `expires` is at or before
    /// `now`.
    pub fn status(&self, dates: PageDates) -> Status {
        let publish = dates.date.or(dates.updated);
        if self.future == Future::Exclude && publish.is_some_and(|d| d.timestamp() > self.now) {
            return Status::Scheduled;
        }
        if self.expired == Expired::Exclude && dates.expires.is_some_and(|d| d.timestamp() <= self.now) {
            return Status::Expired;
        }
        Status::Published
    }
}

impl Schedule {
    /// When a page with `dates` would next change status (be published, or expire), if ever.
    pub fn next_change(&self, dates: PageDates) -> Option<Timestamp> {
        let publish = dates.date.or(dates.updated).map(|d| d.timestamp()).filter(|t| *t > self.now);
        let publish = publish.filter(|_| self.future == Future::Exclude);
        let expires = dates.expires.map(|d| d.timestamp()).filter(|t| *t > self.now);
        let expires = expires.filter(|_| self.expired == Expired::Exclude);
        publish.into_iter().chain(expires).min()
    }
}

impl HeldBack {
    /// Keeps the earliest moment at which a page changes status.
    pub fn note_change(&mut self, at: Option<Timestamp>) {
        self.next_change = self.next_change.into_iter().chain(at).min();
    }

    /// Counts one page that was not published.
    pub fn count(&mut self, status: Status) {
        match status {
            Status::Published => {}
            Status::Scheduled => self.scheduled += 1,
            Status::Expired => self.expired += 1,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> Option<PageDate> {
        Some(PageDate::parse(text).unwrap())
    }

    fn normal() -> Schedule {
        let now = "2024-06-01T12:00:00Z".parse().unwrap();
        Schedule { now, future: Future::Exclude, expired: Expired::Exclude }
    }

    #[test]
    fn past_and_undated_pages_are_published() {
        assert_eq!(normal().status(PageDates::default()), Status::Published);
        assert_eq!(
            normal().status(PageDates { date: date("2024-06-01"), ..Default::default() }),
            Status::Published
        );
    }

    #[test]
    fn a_page_dated_after_now_is_scheduled_unless_future_is_included() {
        let dates = PageDates { date: date("2024-06-01 12:00:01"), ..Default::default() };
        assert_eq!(normal().status(dates), Status::Scheduled);
        let future = Schedule { future: Future::Include, ..normal() };
        assert_eq!(future.status(dates), Status::Published);
    }

    #[test]
    fn updated_schedules_only_a_page_without_date() {
        let later = date("2999-01-01");
        assert_eq!(normal().status(PageDates { updated: later, ..Default::default() }), Status::Scheduled);
        let dates = PageDates { date: date("2000-01-01"), updated: later, expires: None };
        assert_eq!(normal().status(dates), Status::Published);
    }

    #[test]
    fn the_next_change_is_the_first_publication_or_expiry_after_now() {
        let soon = date("2024-06-02");
        let later = date("2024-07-01");
        let both = PageDates { date: later, expires: soon, ..Default::default() };
        assert_eq!(normal().next_change(both), soon.map(|d| d.timestamp()));
        let past = PageDates { date: date("2024-01-01"), expires: date("2024-02-01"), ..Default::default() };
        assert_eq!(normal().next_change(past), None);
        let future = Schedule { future: Future::Include, ..normal() };
        assert_eq!(future.next_change(PageDates { date: later, ..Default::default() }), None);
        let mut held_back = HeldBack::default();
        held_back.note_change(later.map(|d| d.timestamp()));
        held_back.note_change(None);
        held_back.note_change(soon.map(|d| d.timestamp()));
        assert_eq!(held_back.next_change, soon.map(|d| d.timestamp()));
    }

    #[test]
    fn a_page_expires_at_its_expiry_moment() {
        let at_now = PageDates { expires: date("2024-06-01T12:00:00Z"), ..Default::default() };
        assert_eq!(normal().status(at_now), Status::Expired);
        let later = PageDates { expires: date("2999-01-01"), ..Default::default() };
        assert_eq!(normal().status(later), Status::Published);
        let expired = Schedule { expired: Expired::Include, ..normal() };
        assert_eq!(expired.status(at_now), Status::Published);
        assert_eq!(Schedule::everything(normal().now).status(at_now), Status::Published);
    }
}
