//! Emoji shortcodes (`:smile:` → 😄), from the table of the `emojis` crate (GitHub's and
//! gemoji's names). A `:word:` that names no emoji stays as written.
//!
//! This module replaces shortcodes in one text; `markdown` decides which texts (never code).

use std::borrow::Cow;

/// `text` with each `:name:` that names an emoji replaced by it.
pub fn replace(text: &str) -> Cow<'_, str> {
    let Some(first) = memchr::memchr(b':', text.as_bytes()) else {
        return Cow::Borrowed(text);
    };
    let mut out = String::new();
    let mut copied = 0;
    let mut open = first;
    while let Some(length) = memchr::memchr(b':', &text.as_bytes()[open + 1..]) {
        let close = open + 1 + length;
        let name = &text[open + 1..close];
        match shortcode(name) {
            Some(emoji) => {
                out.push_str(&text[copied..open]);
                out.push_str(emoji);
                copied = close + 1;
                match memchr::memchr(b':', &text.as_bytes()[copied..]) {
                    Some(next) => open = copied + next,
                    None => break,
                }
            }
            // The closing colon may open the next shortcode (`12::smile:`, `v1:x9:smile:`).
            None => open = close,
        }
    }
    if copied == 0 {
        return Cow::Borrowed(text);
    }
    out.push_str(&text[copied..]);
    Cow::Owned(out)
}

/// The emoji a shortcode's name stands for, when it is one: lowercase letters, digits, `_`,
/// `+` and `-` only, so that times (`12:30:45`) and URLs are never looked up.
fn shortcode(name: &str) -> Option<&'static str> {
    let plausible = !name.is_empty()
        && name.len() <= 64
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'_' | b'+' | b'-'));
    plausible.then(|| emojis::get_by_shortcode(name)).flatten().map(emojis::Emoji::as_str)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shortcodes_become_emoji_and_other_colons_stay() {
        assert_eq!(replace("I :heart: Rust :smile:"), "I ❤️ Rust 😄");
        assert_eq!(replace(":+1::tada:"), "👍🎉");
        assert_eq!(
            replace("at 12:30:45, v1:x9:smile: and :not_an_emoji:"),
            "at 12:30:45, v1:x9😄 and :not_an_emoji:"
        );
        assert!(matches!(replace("no colons here"), Cow::Borrowed(_)));
        assert!(matches!(replace("key: value"), Cow::Borrowed(_)));
    }
}
