//! GitHub's alerts (`> [!NOTE]`, `[!TIP]`, `[!IMPORTANT]`, `[!WARNING]`, `[!CAUTION]`) written as
//! GitHub writes them: a `div` with the kind's class and a title paragraph naming the kind,
//! in a `role="note"` region so a screen reader announces it.
//!
//! pulldown-cmark finds them (an unknown kind stays a plain quote); this module only writes
//! the quote's start and end events. The theme styles `.markdown-alert-*`.

use pulldown_cmark::{BlockQuoteKind, CowStr, Event, Tag, TagEnd};

/// The event as written: an alert's start and end as HTML, any other event as it is.
pub fn write(event: Event<'_>) -> Event<'_> {
    match event {
        Event::Start(Tag::BlockQuote(Some(kind))) => {
            let (class, title) = names(kind);
            Event::Html(CowStr::from(format!(
                "<div class=\"markdown-alert markdown-alert-{class}\" role=\"note\">\n\
                 <p class=\"markdown-alert-title\">{title}</p>\n"
            )))
        }
        Event::End(TagEnd::BlockQuote(Some(_))) => Event::Html(CowStr::Borrowed("</div>\n")),
        other => other,
    }
}

/// The class suffix and the title of a kind.
fn names(kind: BlockQuoteKind) -> (&'static str, &'static str) {
    match kind {
        BlockQuoteKind::Note => ("note", "Note"),
        BlockQuoteKind::Tip => ("tip", "Tip"),
        BlockQuoteKind::Important => ("important", "Important"),
        BlockQuoteKind::Warning => ("warning", "Warning"),
        BlockQuoteKind::Caution => ("caution", "Caution"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_alert_is_a_titled_note_region() {
        let start = write(Event::Start(Tag::BlockQuote(Some(BlockQuoteKind::Warning))));
        let Event::Html(html) = start else { panic!("an alert starts as HTML") };
        assert_eq!(
            &*html,
            "<div class=\"markdown-alert markdown-alert-warning\" role=\"note\">\n\
             <p class=\"markdown-alert-title\">Warning</p>\n"
        );
        assert_eq!(write(Event::End(TagEnd::BlockQuote(None))), Event::End(TagEnd::BlockQuote(None)));
    }
}
