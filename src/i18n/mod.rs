//! Every word the bot says, in the language of the room it says it in: English or
//! Turkish. The texts are Fluent message catalogues (`locales/<lang>/*.ftl`, compiled into
//! the binary); [`text`] (or the [`t!`](crate::t) macro) gives one message with its
//! variables. Numbers inside messages, and dates and times ([`format`]), take the
//! language's form from the C library's locale data (`pure-rust-locales`, through chrono's
//! `unstable-locales` for dates): no hand-written tables.
//!
//! What people wrote (messages, names, meeting titles) is passed in as a variable and
//! never translated. Isolation marks are off: the bridge strips direction marks as
//! hostile, and the bot's texts are left-to-right in both languages.

pub mod format;

use std::collections::HashMap;
use std::sync::OnceLock;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};

/// The arguments of a message: `args.set("name", value)`.
pub type Args<'a> = FluentArgs<'a>;

/// A language the bot speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Lang {
    #[default]
    En,
    Tr,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::En, Lang::Tr];

    /// The language's tag, as the config writes it.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Tr => "tr",
        }
    }

    /// The language of a BCP 47 tag (`tr`, `tr-TR`, `en-US`), if the bot has it.
    pub fn from_tag(tag: &str) -> Option<Lang> {
        let primary = tag.split(['-', '_']).next().unwrap_or_default().to_ascii_lowercase();
        Lang::ALL.into_iter().find(|lang| lang.tag() == primary)
    }

    /// The language of the command line's user, from the POSIX variables in their order
    /// (`LC_ALL`, then `LC_MESSAGES`, then `LANG`; `tr_TR.UTF-8` is Turkish), English when
    /// unset, `C` or a language the bot does not have.
    pub fn from_environment() -> Lang {
        Lang::from_locale_variables(|name| std::env::var(name).ok())
    }

    fn from_locale_variables(var: impl Fn(&str) -> Option<String>) -> Lang {
        ["LC_ALL", "LC_MESSAGES", "LANG"]
            .into_iter()
            .filter_map(var)
            .find(|value| !value.is_empty())
            .and_then(|value| Lang::from_tag(value.split(['.', '@']).next().unwrap_or_default()))
            .unwrap_or_default()
    }

    /// The tags the bot has catalogues for, for error messages.
    pub fn known_tags() -> String {
        Lang::ALL.map(Lang::tag).join(", ")
    }

    /// The C library's locale whose data the language's numbers and dates follow.
    fn locale(self) -> chrono::Locale {
        match self {
            Lang::En => chrono::Locale::en_GB,
            Lang::Tr => chrono::Locale::tr_TR,
        }
    }
}

/// The catalogue files of each language, compiled in. Every language has the same files
/// and, in them, the same messages (a test holds them to it).
const CATALOGUES: [(Lang, &[(&str, &str)]); 2] = [
    (
        Lang::En,
        &[
            ("common.ftl", include_str!("../../locales/en/common.ftl")),
            ("meetings.ftl", include_str!("../../locales/en/meetings.ftl")),
            ("bridge.ftl", include_str!("../../locales/en/bridge.ftl")),
            ("commands.ftl", include_str!("../../locales/en/commands.ftl")),
            ("help.ftl", include_str!("../../locales/en/help.ftl")),
            ("config.ftl", include_str!("../../locales/en/config.ftl")),
            ("cli.ftl", include_str!("../../locales/en/cli.ftl")),
            ("surveys.ftl", include_str!("../../locales/en/surveys.ftl")),
            ("summaries.ftl", include_str!("../../locales/en/summaries.ftl")),
            ("reports.ftl", include_str!("../../locales/en/reports.ftl")),
        ],
    ),
    (
        Lang::Tr,
        &[
            ("common.ftl", include_str!("../../locales/tr/common.ftl")),
            ("meetings.ftl", include_str!("../../locales/tr/meetings.ftl")),
            ("bridge.ftl", include_str!("../../locales/tr/bridge.ftl")),
            ("commands.ftl", include_str!("../../locales/tr/commands.ftl")),
            ("help.ftl", include_str!("../../locales/tr/help.ftl")),
            ("config.ftl", include_str!("../../locales/tr/config.ftl")),
            ("cli.ftl", include_str!("../../locales/tr/cli.ftl")),
            ("surveys.ftl", include_str!("../../locales/tr/surveys.ftl")),
            ("summaries.ftl", include_str!("../../locales/tr/summaries.ftl")),
            ("reports.ftl", include_str!("../../locales/tr/reports.ftl")),
        ],
    ),
];

type Bundle = FluentBundle<FluentResource>;

fn bundles() -> &'static HashMap<Lang, Bundle> {
    static BUNDLES: OnceLock<HashMap<Lang, Bundle>> = OnceLock::new();
    BUNDLES.get_or_init(|| {
        CATALOGUES
            .iter()
            .map(|(lang, files)| {
                let id = lang.tag().parse().expect("a valid language tag");
                let mut bundle = FluentBundle::new_concurrent(vec![id]);
                bundle.set_use_isolating(false);
                let locale = lang.locale();
                bundle.set_formatter(Some(match locale {
                    chrono::Locale::tr_TR => format_number_tr,
                    _ => format_number_en,
                }));
                for (name, source) in *files {
                    // A catalogue that does not parse is a build mistake; the test
                    // `every_catalogue_parses` names it. Here what parsed is kept.
                    let resource = FluentResource::try_new(source.to_string()).unwrap_or_else(|(partial, errors)| {
                        tracing::error!(
                            lang = lang.tag(),
                            file = name,
                            ?errors,
                            "i18n: a catalogue has mistakes"
                        );
                        partial
                    });
                    if let Err(errors) = bundle.add_resource(resource) {
                        tracing::error!(
                            lang = lang.tag(),
                            file = name,
                            ?errors,
                            "i18n: a message is defined twice"
                        );
                    }
                }
                (*lang, bundle)
            })
            .collect()
    })
}

fn format_number_en(value: &FluentValue<'_>, _: &intl_memoizer::concurrent::IntlLangMemoizer) -> Option<String> {
    format::number_value(value, Lang::En)
}

fn format_number_tr(value: &FluentValue<'_>, _: &intl_memoizer::concurrent::IntlLangMemoizer) -> Option<String> {
    format::number_value(value, Lang::Tr)
}

/// Message `key` in `lang`, its variables from `args`. A message missing from the
/// catalogue, or one that names a variable it was not given, is a mistake the tests catch;
/// in a running bot it is logged and the text shows the key (or `{$name}`) instead.
pub fn text(lang: Lang, key: &str, args: Option<&Args<'_>>) -> String {
    let bundle = &bundles()[&lang];
    let Some(pattern) = bundle.get_message(key).and_then(|message| message.value()) else {
        tracing::error!(lang = lang.tag(), key, "i18n: no such message");
        debug_assert!(false, "no message `{key}` in {}", lang.tag());
        return key.to_string();
    };
    let mut errors = Vec::new();
    let text = bundle.format_pattern(pattern, args, &mut errors).into_owned();
    if !errors.is_empty() {
        tracing::error!(
            lang = lang.tag(),
            key,
            ?errors,
            "i18n: a message could not be filled in"
        );
        debug_assert!(false, "message `{key}` in {}: {errors:?}", lang.tag());
    }
    text
}

/// The adapters' own words in every language, falling back to `fallback`'s for a client in
/// a language the bot does not have.
pub fn phrasebook(fallback: Lang) -> magnet_chat::Phrasebook {
    let words = |lang: Lang| magnet_chat::AdapterWords {
        answer_field: crate::t!(lang, "adapter-answer-field"),
        not_bridged: crate::t!(lang, "adapter-not-bridged"),
        form_expired: crate::t!(lang, "adapter-form-expired"),
    };
    Lang::ALL
        .iter()
        .fold(magnet_chat::Phrasebook::new(words(fallback)), |book, lang| {
            book.with(lang.tag(), words(*lang))
        })
}

/// Whether `lang` has message `key` (for keys made from names, such as `arg-<id>`).
pub fn has_message(lang: Lang, key: &str) -> bool {
    bundles()[&lang].has_message(key)
}

/// One message with named variables: `t!(lang, "notice-meeting-added", id = 3, title = title.as_str())`.
#[macro_export]
macro_rules! t {
    ($lang:expr, $key:literal) => {
        $crate::i18n::text($lang, $key, None)
    };
    ($lang:expr, $key:literal, $($name:ident = $value:expr),+ $(,)?) => {{
        let mut args = $crate::i18n::Args::new();
        $( args.set(stringify!($name), $value); )+
        $crate::i18n::text($lang, $key, Some(&args))
    }};
}

#[cfg(test)]
mod tests;
