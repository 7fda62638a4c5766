//! `SharedText`: a page's HTML, held once and shared by the model and the template views.
//!
//! A template view must hold its page's HTML as a Tera value, and Tera copies any string it
//! is given into a value of its own. A page's HTML kept as a `String` was therefore held
//! twice through rendering (a quarter of a build's peak memory; at 100,000 highlighted posts,
//! 2.7 GB). Kept as the Tera value itself, the view takes a reference to the same bytes.

use std::fmt;
use std::ops::Deref;

use tera::Value;

/// Immutable text, cheap to clone (a reference count), that a template view can show without
/// copying it. Always holds a Tera string value.
#[derive(Clone)]
pub struct SharedText(Value);

impl SharedText {
    /// Takes `text` (copied once into the shared value).
    pub fn new(text: &str) -> SharedText {
        SharedText(Value::from(text))
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        self.0.as_str().unwrap_or_default()
    }

    /// The text as a template value, sharing its bytes.
    pub fn to_value(&self) -> Value {
        self.0.clone()
    }

    /// Where the text's bytes are: the same for every clone of a long text, so a cache can
    /// look a text up by it (a short text lives inside the value and moves with it).
    pub fn address(&self) -> usize {
        self.as_str().as_ptr() as usize
    }

    /// Whether `other` is this very text, or a clone of it, without comparing the bytes:
    /// two live texts at the same address with the same length are one allocation.
    pub fn is_same(&self, other: &SharedText) -> bool {
        self.address() == other.address() && self.len() == other.len()
    }
}

impl Default for SharedText {
    fn default() -> SharedText {
        SharedText::new("")
    }
}

impl From<String> for SharedText {
    fn from(text: String) -> SharedText {
        SharedText::new(&text)
    }
}

impl Deref for SharedText {
    type Target = str;

    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl std::hash::Hash for SharedText {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.as_str().hash(state);
    }
}

impl PartialEq for SharedText {
    fn eq(&self, other: &SharedText) -> bool {
        self.is_same(other) || self.as_str() == other.as_str()
    }
}

impl Eq for SharedText {}

impl fmt::Debug for SharedText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for SharedText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clones_share_long_texts_and_views_show_the_same_bytes() {
        let long = SharedText::new(&"<p>a paragraph</p>".repeat(10));
        let clone = long.clone();
        assert!(long.is_same(&clone));
        assert_eq!(long.to_value().as_str().map(str::as_ptr), Some(long.as_str().as_ptr()));
        let equal = SharedText::new(long.as_str());
        assert!(!long.is_same(&equal), "another allocation");
        assert_eq!(long, equal);
    }

    #[test]
    fn short_texts_compare_by_their_bytes() {
        let short = SharedText::new("<p>hi</p>");
        assert_eq!(short, short.clone());
        assert_ne!(short, SharedText::new("<p>ho</p>"));
        assert_eq!(SharedText::default().as_str(), "");
    }
}
