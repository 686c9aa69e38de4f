//! Explicit metadata fields, shared by Markdown front matter and JSON Lines records: maps a
//! JSON object onto [`ArticleMeta`], with a warning (never an error) for a field of the wrong
//! type or an unreadable date, which is then left empty.

use serde_json::{Map, Value};

use super::extract::parse_date;
use super::{ArticleMeta, LangOrigin};

/// Applies the known fields of `obj` to `meta`; returns warnings for fields it had to drop.
pub fn apply(meta: &mut ArticleMeta, obj: &Map<String, Value>) -> Vec<String> {
    let mut warnings = Vec::new();
    let text = |keys: &[&str], warnings: &mut Vec<String>| -> Option<String> {
        let (key, value) = keys.iter().find_map(|k| obj.get(*k).map(|v| (*k, v)))?;
        match value {
            Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
            Value::Number(n) => Some(n.to_string()),
            Value::Null | Value::String(_) => None,
            other => {
                warnings.push(format!(
                    "field `{key}` should be a string, found {}; left empty",
                    kind(other)
                ));
                None
            }
        }
    };
    if let Some(id) = text(&["id", "_id"], &mut warnings) {
        meta.id = id;
    }
    if let Some(t) = text(&["title"], &mut warnings) {
        meta.title = t;
    }
    meta.teaser = text(&["teaser", "description", "summary"], &mut warnings).or(meta.teaser.take());
    if let Some(s) = text(&["source"], &mut warnings) {
        meta.source = Some(s);
    }
    if let Some(u) = text(&["url"], &mut warnings) {
        meta.url = Some(u);
    }
    if let Some(l) = text(&["lang", "language"], &mut warnings) {
        meta.lang = l.to_lowercase();
        meta.lang_origin = LangOrigin::Explicit;
    }
    if let Some(raw) = text(&["published", "date"], &mut warnings) {
        match parse_date(&raw) {
            Some(d) => meta.published = Some(d),
            None => warnings.push(format!(
                "field `published` is not a date ({raw:?}); left empty (use YYYY-MM-DD)"
            )),
        }
    }
    for (key, target) in [("author", &mut meta.authors), ("tags", &mut meta.tags)] {
        let keys: &[&str] = if key == "author" {
            &["author", "authors"]
        } else {
            &["tags", "keywords"]
        };
        let Some((k, v)) = keys.iter().find_map(|k| obj.get(*k).map(|v| (*k, v))) else {
            continue;
        };
        match v {
            Value::String(s) => {
                let sep = if key == "tags" { ',' } else { ';' };
                *target = s
                    .split(sep)
                    .map(|p| p.trim().to_string())
                    .filter(|p| !p.is_empty())
                    .collect();
            }
            Value::Array(items) => {
                *target = items
                    .iter()
                    .filter_map(|i| i.as_str().map(|s| s.trim().to_string()))
                    .filter(|s| !s.is_empty())
                    .collect();
                if target.len() != items.len() {
                    warnings.push(format!(
                        "field `{k}` has entries that are not strings; skipped"
                    ));
                }
            }
            Value::Null => {}
            other => warnings.push(format!(
                "field `{k}` should be a string or a list, found {}; left empty",
                kind(other)
            )),
        }
    }
    warnings
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn apply_json(v: Value) -> (ArticleMeta, Vec<String>) {
        let mut meta = ArticleMeta::default();
        let w = apply(&mut meta, v.as_object().unwrap());
        (meta, w)
    }

    #[test]
    fn explicit_fields_are_read() {
        let (m, w) = apply_json(json!({
            "_id": "a1", "title": "T", "published": "2024-05-01", "author": ["A B", "C D"],
            "tags": "x, y", "lang": "EN", "source": "Zeitung", "url": "https://e.org/a"
        }));
        assert!(w.is_empty());
        assert_eq!(m.id, "a1");
        assert_eq!(m.authors, ["A B", "C D"]);
        assert_eq!(m.tags, ["x", "y"]);
        assert_eq!(
            (m.lang.as_str(), m.lang_origin),
            ("en", LangOrigin::Explicit)
        );
        assert_eq!(m.published, Some("2024-05-01".parse().unwrap()));
    }

    #[test]
    fn wrong_types_warn_and_stay_empty() {
        let (m, w) = apply_json(json!({"published": "gestern", "title": {"x": 1}}));
        assert_eq!(m.published, None);
        assert_eq!(m.title, "");
        assert_eq!(w.len(), 2, "{w:?}");
        assert!(w.iter().any(|w| w.contains("`published`")));
    }
}
