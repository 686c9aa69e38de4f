//! Language detection with `whatlang`: an explicit `lang` wins; otherwise the article's text is
//! detected, and an unreliable detection falls back to German (recorded as such).

use crate::corpus::{Article, LangOrigin};

/// How much text detection looks at.
const SAMPLE_CHARS: usize = 4000;

/// Sets `article.meta.lang` and `lang_origin` unless the article named its language.
pub fn detect_language(article: &mut Article) {
    if article.meta.lang_origin == LangOrigin::Explicit && !article.meta.lang.is_empty() {
        return;
    }
    let mut sample = String::with_capacity(SAMPLE_CHARS + 200);
    for p in &article.passages {
        if sample.len() >= SAMPLE_CHARS {
            break;
        }
        sample.push_str(&p.text);
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
    article.meta.lang = lang.to_string();
    article.meta.lang_origin = origin;
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
