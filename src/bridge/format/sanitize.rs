//! The HTML we send to Matrix, cleaned by ammonia down to what Matrix clients are asked to
//! support (the `org.matrix.custom.html` tag list), with links only to the web and e-mail.
//! Our own renderer never emits anything else; this is the guarantee if it ever did.

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use ammonia::{Builder, UrlRelative};

/// Tags from the Matrix spec's list, without `img`: Matrix images must be `mxc://`
/// uploads, and Discord markdown has no images to give.
const TAGS: &[&str] = &[
    "font",
    "del",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "blockquote",
    "p",
    "a",
    "ul",
    "ol",
    "sup",
    "sub",
    "li",
    "b",
    "i",
    "u",
    "strong",
    "em",
    "s",
    "strike",
    "code",
    "hr",
    "br",
    "div",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "caption",
    "pre",
    "span",
    "details",
    "summary",
];

static POLICY: LazyLock<Builder<'static>> = LazyLock::new(|| {
    let attributes = HashMap::from([
        ("font", HashSet::from(["data-mx-bg-color", "data-mx-color", "color"])),
        (
            "span",
            HashSet::from(["data-mx-bg-color", "data-mx-color", "data-mx-spoiler"]),
        ),
        ("a", HashSet::from(["href"])),
        ("ol", HashSet::from(["start"])),
        ("code", HashSet::from(["class"])),
    ]);
    let mut builder = Builder::empty();
    builder
        .tags(TAGS.iter().copied().collect())
        .clean_content_tags(HashSet::from(["script", "style"]))
        .tag_attributes(attributes)
        .url_schemes(HashSet::from(["http", "https", "mailto"]))
        .url_relative(UrlRelative::Deny)
        .link_rel(None)
        .attribute_filter(|element, attribute, value| match (element, attribute) {
            ("code", "class") => is_language_class(value).then(|| value.into()),
            _ => Some(value.into()),
        });
    builder
});

fn is_language_class(class: &str) -> bool {
    class
        .strip_prefix("language-")
        .is_some_and(|language| !language.is_empty() && super::discord_blocks::is_language(language))
}

/// `html` reduced to the Matrix tag set, with the line breaks between tags that the
/// markdown renderer adds taken out (clients may show them), except inside `<pre>`.
pub(super) fn sanitise_matrix_html(html: &str) -> String {
    let clean = POLICY.clean(html).to_string();
    let tidy = drop_newlines_outside_pre(&clean);
    unwrap_single_paragraph(&tidy).to_string()
}

fn drop_newlines_outside_pre(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut pre_depth = 0usize;
    let mut rest = html;
    while let Some(c) = rest.chars().next() {
        if rest.starts_with("<pre>") || rest.starts_with("<pre ") {
            pre_depth += 1;
        } else if rest.starts_with("</pre>") {
            pre_depth = pre_depth.saturating_sub(1);
        }
        if c != '\n' || pre_depth > 0 {
            out.push(c);
        }
        rest = &rest[c.len_utf8()..];
    }
    out
}

/// A message that is one paragraph is sent without the `<p>`, as Matrix clients send it.
fn unwrap_single_paragraph(html: &str) -> &str {
    match html.strip_prefix("<p>").and_then(|inner| inner.strip_suffix("</p>")) {
        Some(inner) if !inner.contains("<p>") => inner,
        _ => html,
    }
}

#[cfg(test)]
mod tests {
    use super::sanitise_matrix_html;

    #[test]
    fn scripts_handlers_and_dangerous_links_are_removed() {
        let html = concat!(
            r#"<p onclick="x()">a<script>alert(1)</script><a href="javascript:alert(1)">b</a></p>"#,
            r#"<img src=x onerror=alert(1)>"#
        );
        assert_eq!(sanitise_matrix_html(html), "a<a>b</a>");
    }

    #[test]
    fn matrix_attributes_are_kept() {
        let html = r#"<span data-mx-spoiler="">s</span><pre><code class="language-rust">fn x()
</code></pre><ol start="3"><li>c</li></ol>"#;
        assert_eq!(sanitise_matrix_html(html), html);
    }

    #[test]
    fn foreign_classes_and_styles_are_removed() {
        assert_eq!(
            sanitise_matrix_html(r#"<code class="evil" style="x">c</code>"#),
            "<code>c</code>"
        );
    }

    #[test]
    fn newlines_between_tags_go_but_code_keeps_them() {
        assert_eq!(sanitise_matrix_html("<p>a</p>\n<p>b</p>\n"), "<p>a</p><p>b</p>");
        assert_eq!(
            sanitise_matrix_html("<pre><code>a\nb\n</code></pre>\n"),
            "<pre><code>a\nb\n</code></pre>"
        );
    }
}
