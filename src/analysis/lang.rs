//! Language detection with `whatlang`: an explicit `lang` wins; otherwise the article's text is
//! detected, and an unreliable detection falls back to German (recorded as such).

use crate::corpus::{Article, ArticleMeta, LangOrigin};

/// How much text detection looks at.
const SAMPLE_CHARS: usize = 4000;

/// Sets `article.meta.lang` and `lang_origin` unless the article named its language.
pub fn detect_language(article: &mut Article) {
    detect_language_of(
        &mut article.meta,
        article.passages.iter().map(|p| p.text.as_str()),
    );
}

/// Sets `meta.lang` and `lang_origin` from the article's passage texts, in order.
pub fn detect_language_of<'a>(meta: &mut ArticleMeta, texts: impl IntoIterator<Item = &'a str>) {
    if meta.lang_origin == LangOrigin::Explicit && !meta.lang.is_empty() {
        return;
    }
    let mut sample = String::with_capacity(SAMPLE_CHARS + 200);
    for text in texts {
        if sample.len() >= SAMPLE_CHARS {
            break;
        }
        sample.push_str(text);
        sample.push('\n');
    }
    let (lang, origin) = match whatlang::detect(&sample) {
        Some(info) if info.is_reliable() => match info.lang().code() {
            "deu" => ("de", LangOrigin::Detected),
            "eng" => ("en", LangOrigin::Detected),
            other => (iso639_1(other), LangOrigin::Detected),
        },
        _ => ("de", LangOrigin::Fallback),
    };
    meta.lang = lang.to_string();
    meta.lang_origin = origin;
}

/// Two-letter codes for the languages news archives hold; others keep whatlang's code.
fn iso639_1(code: &str) -> &str {
    match code {
        "fra" => "fr",
        "spa" => "es",
        "ita" => "it",
        "nld" => "nl",
        "por" => "pt",
        "pol" => "pl",
        "rus" => "ru",
        "ukr" => "uk",
        "tur" => "tr",
        "swe" => "sv",
        "dan" => "da",
        "nob" => "no",
        "fin" => "fi",
        "ces" => "cs",
        "hun" => "hu",
        other => other,
    }
}
