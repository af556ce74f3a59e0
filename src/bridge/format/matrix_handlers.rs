//! htmd element handlers that write Discord markdown for the HTML Matrix clients send.
//!
//! htmd walks the parsed document and escapes text nodes for CommonMark; the markup the
//! handlers add is wrapped in [`MARKUP_OPEN`]/[`MARKUP_CLOSE`] so that the final pass
//! (`matrix.rs`) can tell it from text, undo htmd's escaping of the text and escape it for
//! Discord instead. The markers start with NUL, which an HTML parser never leaves in text
//! or attributes, so a message cannot forge them.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use htmd::element_handler::{ElementHandler, HandlerResult, Handlers};
use htmd::{Element, HtmlToMarkdown};

use super::discord_blocks::is_language;
use super::matrix::markup_runs;
use super::url::{addresses_in, encode_link_target, is_safe_link, percent_decode, same_address};

pub(super) const MARKUP_OPEN: &str = "\0(";
pub(super) const MARKUP_CLOSE: &str = "\0)";
const ZERO_WIDTH_SPACE: char = '\u{200B}';

/// Where the walk is: handlers of inner elements need to know what they are inside of.
#[derive(Default)]
struct Context {
    /// Inside `<code>`: everything is literal.
    code_depth: usize,
    /// Inside `<pre>`: the language its `<code>` names, and whether it has one.
    pre_depth: usize,
    pre_language: Option<String>,
    pre_has_code: bool,
    quote_depth: usize,
    /// Open lists, innermost last: ordered ones with their next number.
    lists: Vec<Option<usize>>,
    /// How many of each inline marker (`**`, `*`…) are open, so nesting the same
    /// formatting does not write `****`.
    open_markers: HashMap<&'static str, usize>,
}

type Shared = Arc<Mutex<Context>>;

fn lock(context: &Shared) -> MutexGuard<'_, Context> {
    context.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// How a handler renders its element.
#[derive(Clone, Copy)]
enum Render {
    /// Inline formatting between two copies of a marker (`**`, `*`, `__`, `~~`).
    Inline(&'static str),
    Element(fn(&dyn Handlers, Element<'_>, &Shared) -> Option<HandlerResult>),
}

/// One of our handlers, with the walk context of the message being converted.
struct ContextHandler {
    context: Shared,
    render: Render,
}

impl ElementHandler for ContextHandler {
    fn handle(&self, handlers: &dyn Handlers, element: Element<'_>) -> Option<HandlerResult> {
        match self.render {
            Render::Inline(marker) => inline_markup(handlers, element, &self.context, marker),
            Render::Element(render) => render(handlers, element, &self.context),
        }
    }
}

/// A converter for one message (the handlers share that message's walk context).
pub(super) fn discord_converter() -> HtmlToMarkdown {
    let context: Shared = Arc::default();
    let handler = |render: Render| ContextHandler {
        context: context.clone(),
        render,
    };
    HtmlToMarkdown::builder()
        .skip_tags(vec![
            "mx-reply", "script", "style", "head", "title", "template", "noscript",
        ])
        .add_handler(vec!["strong", "b"], handler(Render::Inline("**")))
        .add_handler(vec!["em", "i"], handler(Render::Inline("*")))
        .add_handler(vec!["u"], handler(Render::Inline("__")))
        .add_handler(vec!["del", "s", "strike"], handler(Render::Inline("~~")))
        .add_handler(vec!["span"], handler(Render::Element(span)))
        .add_handler(vec!["code"], handler(Render::Element(code)))
        .add_handler(vec!["pre"], handler(Render::Element(pre)))
        .add_handler(vec!["blockquote"], handler(Render::Element(blockquote)))
        .add_handler(vec!["ul", "ol"], handler(Render::Element(list)))
        .add_handler(vec!["li"], handler(Render::Element(list_item)))
        .add_handler(
            vec!["h1", "h2", "h3", "h4", "h5", "h6"],
            handler(Render::Element(heading)),
        )
        .add_handler(vec!["a"], handler(Render::Element(link)))
        .add_handler(vec!["img"], handler(Render::Element(image)))
        .add_handler(vec!["br"], handler(Render::Element(line_break)))
        .add_handler(vec!["hr"], handler(Render::Element(rule)))
        .build()
}

fn markup(text: &str) -> String {
    format!("{MARKUP_OPEN}{text}{MARKUP_CLOSE}")
}

/// Text we write ourselves into the text stream, escaped the way htmd escapes text so the
/// final pass's unescaping gives it back.
fn as_text(text: &str) -> String {
    text.replace('\\', "\\\\")
}

fn attribute<'e>(element: &'e Element<'_>, name: &str) -> Option<&'e str> {
    element
        .attrs
        .iter()
        .find(|attribute| &*attribute.name.local == name)
        .map(|attribute| &*attribute.value)
}

fn in_code(context: &Shared) -> bool {
    lock(context).code_depth > 0
}

fn children(handlers: &dyn Handlers, element: &Element<'_>) -> String {
    handlers.walk_children(element.node).content
}

/// `content` between two markers, with surrounding whitespace kept outside (Discord does
/// not format `** x**`). Empty content gets no markers.
fn wrap(content: &str, marker: &str) -> String {
    let trimmed = content.trim();
    if trimmed.is_empty() {
        return content.to_string();
    }
    let leading = &content[..content.len() - content.trim_start().len()];
    let trailing = &content[content.trim_end().len()..];
    format!("{leading}{}{trimmed}{}{trailing}", markup(marker), markup(marker))
}

fn inline_markup(
    handlers: &dyn Handlers,
    element: Element<'_>,
    context: &Shared,
    marker: &'static str,
) -> Option<HandlerResult> {
    let nested = {
        let mut context = lock(context);
        let open = context.open_markers.entry(marker).or_default();
        *open += 1;
        *open > 1 || context.code_depth > 0
    };
    let content = children(handlers, &element);
    if let Some(open) = lock(context).open_markers.get_mut(marker) {
        *open -= 1;
    }
    Some(if nested { content } else { wrap(&content, marker) }.into())
}

fn span(handlers: &dyn Handlers, element: Element<'_>, context: &Shared) -> Option<HandlerResult> {
    if attribute(&element, "data-mx-spoiler").is_some() {
        inline_markup(handlers, element, context, "||")
    } else {
        Some(children(handlers, &element).into())
    }
}

fn code(handlers: &dyn Handlers, element: Element<'_>, context: &Shared) -> Option<HandlerResult> {
    let in_pre = {
        let mut context = lock(context);
        context.code_depth += 1;
        if context.pre_depth > 0 {
            context.pre_has_code = true;
            if context.pre_language.is_none() {
                context.pre_language = language_of(&element);
            }
        }
        context.pre_depth > 0
    };
    let content = children(handlers, &element);
    lock(context).code_depth -= 1;
    if in_pre || in_code(context) {
        return Some(content.into());
    }
    let content = content.replace(['\n', '\r'], " ");
    let content = content.trim();
    if content.is_empty() {
        return Some(String::new().into());
    }
    Some(markup(&inline_code(content)).into())
}

/// Inline code for Discord, which knows `` `x` `` and ``` ``x`` ```: runs of backticks
/// in the code are broken up so they cannot end it early.
fn inline_code(code: &str) -> String {
    if !code.contains('`') {
        return format!("`{code}`");
    }
    format!("`` {} ``", break_backtick_runs(code, 1))
}

/// `text` with a zero-width space after every `longest` backticks in a row.
fn break_backtick_runs(text: &str, longest: usize) -> String {
    let mut out = String::with_capacity(text.len());
    let mut run = 0;
    for c in text.chars() {
        if c == '`' {
            if run == longest {
                out.push(ZERO_WIDTH_SPACE);
                run = 0;
            }
            run += 1;
        } else {
            run = 0;
        }
        out.push(c);
    }
    out
}

fn language_of(element: &Element<'_>) -> Option<String> {
    attribute(element, "class")?
        .split_whitespace()
        .filter_map(|class| class.strip_prefix("language-"))
        .find(|language| !language.is_empty() && is_language(language))
        .map(str::to_string)
}

fn pre(handlers: &dyn Handlers, element: Element<'_>, context: &Shared) -> Option<HandlerResult> {
    {
        let mut context = lock(context);
        context.pre_depth += 1;
        context.pre_language = None;
        context.pre_has_code = false;
    }
    let content = children(handlers, &element);
    let (language, has_code) = {
        let mut context = lock(context);
        context.pre_depth -= 1;
        (context.pre_language.take(), context.pre_has_code)
    };
    let language = language.or_else(|| language_of(&element)).unwrap_or_default();
    // htmd puts a backslash before text directly in <pre> that starts like a fence.
    let content = match content.strip_prefix('\\') {
        Some(unescaped) if !has_code && unescaped.starts_with(['`', '~']) => unescaped,
        _ => &content,
    };
    let content = content.strip_suffix('\n').unwrap_or(content);
    if content.trim().is_empty() {
        return Some(String::new().into());
    }
    let fenced = format!("```{language}\n{}\n```", break_backtick_runs(content, 2));
    Some(format!("\n\n{}\n\n", markup(&fenced)).into())
}

fn blockquote(handlers: &dyn Handlers, element: Element<'_>, context: &Shared) -> Option<HandlerResult> {
    let nested = {
        let mut context = lock(context);
        context.quote_depth += 1;
        context.quote_depth > 1
    };
    let content = children(handlers, &element);
    lock(context).quote_depth -= 1;
    let content = content.trim_matches('\n');
    // Discord has one level of quote: inner quotes are part of the outer one.
    if nested || content.trim().is_empty() {
        return Some(format!("\n\n{content}\n\n").into());
    }
    let prefix = markup("> ");
    let quoted: Vec<String> = content.lines().map(|line| format!("{prefix}{line}")).collect();
    Some(format!("\n\n{}\n\n", quoted.join("\n")).into())
}

fn list(handlers: &dyn Handlers, element: Element<'_>, context: &Shared) -> Option<HandlerResult> {
    let ordered = element.tag == "ol";
    let start = attribute(&element, "start")
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(1);
    lock(context).lists.push(ordered.then_some(start));
    let content = children(handlers, &element);
    let nested = {
        let mut context = lock(context);
        context.lists.pop();
        !context.lists.is_empty()
    };
    let items: Vec<&str> = content.lines().filter(|line| !line.trim().is_empty()).collect();
    if items.is_empty() {
        return None;
    }
    let items = items.join("\n");
    Some(
        if nested {
            format!("\n{items}\n")
        } else {
            format!("\n\n{items}\n\n")
        }
        .into(),
    )
}

fn list_item(handlers: &dyn Handlers, element: Element<'_>, context: &Shared) -> Option<HandlerResult> {
    let marker = match lock(context).lists.last_mut() {
        Some(Some(number)) => {
            *number += 1;
            format!("{}. ", *number - 1)
        }
        _ => "- ".to_string(),
    };
    let content = children(handlers, &element);
    let content = content.trim();
    let indent = " ".repeat(marker.len());
    let mut lines = content.lines();
    let mut item = format!("{}{}", markup(&marker), lines.next().unwrap_or_default());
    for line in lines.filter(|line| !line.trim().is_empty()) {
        item.push('\n');
        item.push_str(&indent);
        item.push_str(line);
    }
    Some(format!("\n{item}\n").into())
}

fn heading(handlers: &dyn Handlers, element: Element<'_>, _: &Shared) -> Option<HandlerResult> {
    let level = element.tag[1..].parse::<usize>().unwrap_or(6);
    let content = children(handlers, &element).replace('\n', " ");
    let content = content.trim();
    if content.is_empty() {
        return None;
    }
    // Discord has three heading sizes; smaller headings are bold lines.
    let line = if level <= 3 {
        format!("{}{content}", markup(&format!("{} ", "#".repeat(level))))
    } else {
        wrap(content, "**")
    };
    Some(format!("\n\n{line}\n\n").into())
}

fn link(handlers: &dyn Handlers, element: Element<'_>, context: &Shared) -> Option<HandlerResult> {
    let content = children(handlers, &element);
    let href = attribute(&element, "href").unwrap_or_default().trim();
    if in_code(context) {
        return Some(content.into());
    }
    if let Some(pill) = pill(href, &content) {
        return Some(pill.into());
    }
    if !is_safe_link(href) {
        return Some(content.into());
    }
    let trimmed = content.trim();
    let shown = (!trimmed.contains('\0')).then(|| unescape_commonmark(trimmed));
    let email = href
        .get(..7)
        .filter(|scheme| scheme.eq_ignore_ascii_case("mailto:"))
        .map(|_| &href[7..]);
    if let Some(address) = email
        && (trimmed.is_empty() || shown.as_deref() == Some(address))
    {
        return Some(as_text(address).into());
    }
    let target = encode_link_target(href);
    if trimmed.is_empty() || shown.as_deref() == Some(href) {
        return Some(markup(&target).into());
    }
    let leading = &content[..content.len() - content.trim_start().len()];
    let trailing = &content[content.trim_end().len()..];
    // Text that reads as another address (`https://safe.example` on a link to
    // evil.example) would hide the real target behind a masked link: the text stays as
    // written (it links where it says, if at all) and the real target follows, in plain
    // view.
    let visible = visible_text(trimmed);
    if addresses_in(&visible).any(|address| !same_address(address, href)) {
        let real = email.map_or_else(|| markup(&target), as_text);
        return Some(format!("{leading}{trimmed} ({real}){trailing}").into());
    }
    Some(
        format!(
            "{leading}{}{trimmed}{}{trailing}",
            markup("["),
            markup(&format!("]({target})"))
        )
        .into(),
    )
}

/// What a reader sees of converted content: its text without our markup, unescaped.
fn visible_text(content: &str) -> String {
    markup_runs(content)
        .into_iter()
        .filter(|(is_markup, _)| !is_markup)
        .map(|(_, run)| unescape_commonmark(&run))
        .collect()
}

/// A Matrix pill (a matrix.to or `matrix:` link to a user or room) as `@Name` or `#alias`.
fn pill(href: &str, content: &str) -> Option<String> {
    let target = if let Some(fragment) = href.strip_prefix("https://matrix.to/#/") {
        let fragment = fragment.split('?').next().unwrap_or_default();
        percent_decode(fragment)
    } else if let Some(user) = href.strip_prefix("matrix:u/") {
        format!("@{}", percent_decode(user.split('?').next().unwrap_or_default()))
    } else if let Some(room) = href.strip_prefix("matrix:r/") {
        format!("#{}", percent_decode(room.split('?').next().unwrap_or_default()))
    } else {
        return None;
    };
    let name = content.trim();
    if let Some(user) = target.strip_prefix('@') {
        let name = if name.is_empty() {
            as_text(user)
        } else {
            name.to_string()
        };
        let name = name.strip_prefix('@').map(str::to_string).unwrap_or(name);
        return Some(format!("@{name}"));
    }
    if target.starts_with('#') && !target.contains('/') {
        return Some(as_text(&target));
    }
    None
}

fn image(_: &dyn Handlers, element: Element<'_>, _: &Shared) -> Option<HandlerResult> {
    let alt = attribute(&element, "alt")
        .or_else(|| attribute(&element, "title"))
        .map(|alt| alt.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|alt| !alt.is_empty())
        .unwrap_or_else(|| "[image]".to_string());
    Some(as_text(&alt).into())
}

fn line_break(_: &dyn Handlers, _: Element<'_>, _: &Shared) -> Option<HandlerResult> {
    Some("\n".into())
}

fn rule(_: &dyn Handlers, _: Element<'_>, _: &Shared) -> Option<HandlerResult> {
    Some(format!("\n\n{}\n\n", markup("---")).into())
}

/// Undoes htmd's CommonMark escaping of text: every backslash it writes escapes the next
/// character (it doubles the backslashes that were in the text).
pub(super) fn unescape_commonmark(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.extend(chars.next().or(Some('\\'))),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backtick_runs_are_broken() {
        assert_eq!(break_backtick_runs("a```b", 2), "a``\u{200B}`b");
        assert_eq!(break_backtick_runs("``````", 2), "``\u{200B}``\u{200B}``");
        assert_eq!(break_backtick_runs("a`b``c", 1), "a`b`\u{200B}`c");
    }

    #[test]
    fn inline_code_chooses_its_delimiter() {
        assert_eq!(inline_code("x"), "`x`");
        assert_eq!(inline_code("a`b"), "`` a`b ``");
    }

    #[test]
    fn commonmark_escapes_are_undone() {
        assert_eq!(unescape_commonmark(r"\*a\* \\ \# b\"), r"*a* \ # b\");
    }
}
