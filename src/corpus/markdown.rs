//! Markdown articles (`.md`): optional YAML (`---`) or TOML (`+++`) front matter with explicit
//! metadata, `#` headings as section headings (a leading `# Title` is the title when the front
//! matter has none), paragraphs separated by blank lines, list items as their own passages.

use serde_json::{Map, Value};

use super::read::{ReadContext, Reader, read_document};
use super::text::AUTHOR_HEADINGS;
use super::{Block, Draft, FileRead, PassageKind, ReadError, SourceFile, fields};

/// The reader of Markdown files.
pub struct MarkdownReader;

impl Reader for MarkdownReader {
    fn read_bytes(&self, source: &SourceFile, bytes: &[u8], cx: ReadContext<'_>) -> FileRead {
        read_document(source, bytes, cx.splitter, |text, warnings| {
            let (draft, w) = parse(text)?;
            warnings.extend(w);
            Ok(draft)
        })
    }
}

/// Parses a Markdown file (already decoded and normalized).
pub fn parse(text: &str) -> Result<(Draft, Vec<String>), ReadError> {
    let mut draft = Draft::default();
    let (front, body_start) = split_front_matter(text)?;
    let warnings = match front {
        Some(obj) => fields::apply(&mut draft.meta, &obj),
        None => Vec::new(),
    };

    let mut section: Option<String> = None;
    let mut in_author_box = false;
    let mut para: Option<(usize, String)> = None;
    let mut offset = text[..body_start].chars().count();
    let mut in_fence = false;
    let mut notes: Vec<String> = Vec::new();
    let flush = |para: &mut Option<(usize, String)>,
                 draft: &mut Draft,
                 section: &Option<String>,
                 author_box: bool,
                 notes: &mut Vec<String>| {
        if let Some((start, t)) = para.take() {
            let trimmed = t.trim_end();
            if trimmed.trim().is_empty() {
                return;
            }
            let kind = super::text::classify(draft, trimmed, author_box, notes);
            draft.blocks.push(Block {
                kind,
                section: section.clone(),
                text: trimmed.to_string(),
                start,
            });
        }
    };
    for line in text[body_start..].split('\n') {
        let line_chars = line.chars().count();
        let trimmed = line.trim();
        if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            in_fence = !in_fence;
            flush(&mut para, &mut draft, &section, in_author_box, &mut notes);
        } else if in_fence {
            push_line(&mut para, offset, line);
        } else if trimmed.is_empty() {
            flush(&mut para, &mut draft, &section, in_author_box, &mut notes);
        } else if let Some(heading) = heading(trimmed) {
            flush(&mut para, &mut draft, &section, in_author_box, &mut notes);
            let first_h1 = trimmed.starts_with("# ") && draft.blocks.is_empty();
            if first_h1 && (draft.meta.title.is_empty() || draft.meta.title == heading) {
                draft.meta.title = heading.to_string();
                let lead =
                    line.len() - line.trim_start().len() + trimmed.find(heading).unwrap_or(0);
                draft.blocks.push(Block {
                    kind: PassageKind::Title,
                    section: None,
                    text: heading.to_string(),
                    start: offset + line[..lead].chars().count(),
                });
            } else {
                in_author_box = AUTHOR_HEADINGS
                    .iter()
                    .any(|h| h.eq_ignore_ascii_case(heading));
                section = Some(heading.to_string());
            }
        } else {
            if is_list_item(trimmed) {
                flush(&mut para, &mut draft, &section, in_author_box, &mut notes);
            }
            push_line(&mut para, offset, line);
        }
        offset += line_chars + 1;
    }
    flush(&mut para, &mut draft, &section, in_author_box, &mut notes);
    if draft.meta.translation.is_none() {
        draft.meta.translation =
            super::extract::translation_facts(notes.iter().map(String::as_str));
    }
    if draft.meta.title.is_empty() && draft.blocks.is_empty() {
        return Err(ReadError::Empty);
    }
    Ok((draft, warnings))
}

/// Appends a line to the open paragraph; a newline inside a paragraph reads as a space, so
/// character offsets stay exact.
fn push_line(para: &mut Option<(usize, String)>, offset: usize, line: &str) {
    match para {
        Some((_, t)) => {
            t.push(' ');
            t.push_str(line);
        }
        None => {
            let lead = line.len() - line.trim_start().len();
            *para = Some((
                offset + line[..lead].chars().count(),
                line.trim_start().to_string(),
            ));
        }
    }
}

fn heading(line: &str) -> Option<&str> {
    let hashes = line.chars().take_while(|&c| c == '#').count();
    if !(1..=6).contains(&hashes) || !line[hashes..].starts_with(' ') {
        return None;
    }
    let h = line[hashes..].trim().trim_end_matches('#').trim();
    (!h.is_empty()).then_some(h)
}

fn is_list_item(line: &str) -> bool {
    line.starts_with("- ")
        || line.starts_with("* ")
        || line.starts_with("+ ")
        || line.split_once(". ").is_some_and(|(n, _)| {
            !n.is_empty() && n.len() <= 3 && n.bytes().all(|b| b.is_ascii_digit())
        })
}

/// Front matter as a JSON object, and the byte offset where the body starts.
fn split_front_matter(text: &str) -> Result<(Option<Map<String, Value>>, usize), ReadError> {
    for (fence, is_yaml) in [("---", true), ("+++", false)] {
        let Some(rest) = text.strip_prefix(fence).and_then(|r| r.strip_prefix('\n')) else {
            continue;
        };
        let offset = text.len() - rest.len();
        // The front matter ends at the first line that is the fence alone.
        let mut line_start = 0;
        let mut close = None;
        for line in rest.split_inclusive('\n') {
            if line.trim_end() == fence {
                close = Some((line_start, line_start + line.len()));
                break;
            }
            line_start += line.len();
        }
        let Some((raw_end, body)) = close else {
            return Err(ReadError::Record(format!(
                "front matter opened with `{fence}` is never closed"
            )));
        };
        let raw = &rest[..raw_end];
        let obj = if is_yaml {
            yaml_object(raw)?
        } else {
            toml_object(raw)?
        };
        return Ok((Some(obj), offset + body));
    }
    Ok((None, 0))
}

fn yaml_object(raw: &str) -> Result<Map<String, Value>, ReadError> {
    let docs = yaml_rust2::YamlLoader::load_from_str(raw)
        .map_err(|e| ReadError::Record(format!("invalid YAML front matter: {e}")))?;
    match docs.into_iter().next().map(yaml_to_json) {
        Some(Value::Object(m)) => Ok(m),
        None | Some(Value::Null) => Ok(Map::new()),
        Some(_) => Err(ReadError::Record(
            "YAML front matter is not a mapping of fields".into(),
        )),
    }
}

fn yaml_to_json(y: yaml_rust2::Yaml) -> Value {
    use yaml_rust2::Yaml;
    match y {
        Yaml::Real(s) | Yaml::String(s) => Value::String(s),
        Yaml::Integer(i) => Value::from(i),
        Yaml::Boolean(b) => Value::Bool(b),
        Yaml::Array(a) => Value::Array(a.into_iter().map(yaml_to_json).collect()),
        Yaml::Hash(h) => Value::Object(
            h.into_iter()
                .filter_map(|(k, v)| Some((k.into_string()?, yaml_to_json(v))))
                .collect(),
        ),
        _ => Value::Null,
    }
}

fn toml_object(raw: &str) -> Result<Map<String, Value>, ReadError> {
    let table: toml::Table = raw.parse().map_err(|e: toml::de::Error| {
        ReadError::Record(format!("invalid TOML front matter: {}", e.message()))
    })?;
    Ok(table
        .into_iter()
        .map(|(k, v)| (k, toml_to_json(v)))
        .collect())
}

fn toml_to_json(v: toml::Value) -> Value {
    match v {
        toml::Value::String(s) => Value::String(s),
        toml::Value::Integer(i) => Value::from(i),
        toml::Value::Float(f) => Value::from(f),
        toml::Value::Boolean(b) => Value::Bool(b),
        toml::Value::Datetime(d) => Value::String(d.to_string()),
        toml::Value::Array(a) => Value::Array(a.into_iter().map(toml_to_json).collect()),
        toml::Value::Table(t) => {
            Value::Object(t.into_iter().map(|(k, v)| (k, toml_to_json(v))).collect())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_front_matter_and_headings() {
        let md = "---\ntitle: Ein Titel\ndate: 2024-03-01\nauthor: [Anna Muster]\ntags:\n  - a\n  - b\n---\n# Ein Titel\n\nErster Absatz\nzweite Zeile.\n\n## Abschnitt\n\n- Punkt eins\n- Punkt zwei\n";
        let (d, w) = parse(md).unwrap();
        assert!(w.is_empty(), "{w:?}");
        assert_eq!(d.meta.title, "Ein Titel");
        assert_eq!(d.meta.authors, ["Anna Muster"]);
        assert_eq!(d.meta.tags, ["a", "b"]);
        assert_eq!(d.meta.published, Some("2024-03-01".parse().unwrap()));
        let texts: Vec<(&str, Option<&str>)> = d
            .blocks
            .iter()
            .map(|b| (b.text.as_str(), b.section.as_deref()))
            .collect();
        assert_eq!(
            texts,
            [
                ("Ein Titel", None),
                ("Erster Absatz zweite Zeile.", None),
                ("- Punkt eins", Some("Abschnitt")),
                ("- Punkt zwei", Some("Abschnitt")),
            ]
        );
        let chars: Vec<char> = md.chars().collect();
        for b in &d.blocks {
            let at: String = chars[b.start..b.start + b.text.chars().count()]
                .iter()
                .collect();
            assert_eq!(at.replace('\n', " "), b.text);
        }
    }

    #[test]
    fn toml_front_matter_and_title_from_heading() {
        let (d, _) =
            parse("+++\nlang = \"en\"\npublished = 2024-01-02\n+++\n# Heading Title\n\nText.\n")
                .unwrap();
        assert_eq!(d.meta.title, "Heading Title");
        assert_eq!(d.meta.lang, "en");
        assert_eq!(d.meta.published, Some("2024-01-02".parse().unwrap()));
        assert_eq!(d.blocks[0].kind, PassageKind::Title);
    }

    #[test]
    fn unclosed_front_matter_is_an_error() {
        assert!(parse("---\ntitle: x\n").is_err());
        assert!(parse("---\n---oops\nText.\n").is_err());
    }

    #[test]
    fn empty_front_matter() {
        let (d, _) = parse("---\n---\n# Titel\n\nText.\n").unwrap();
        assert_eq!(d.meta.title, "Titel");
    }

    /// Found by fuzzing: an empty front matter followed by a multi-byte character.
    #[test]
    fn fuzz_regression_empty_front_matter() {
        let bytes = include_bytes!("../../tests/fixtures/fuzz-markdown-empty-front-matter.bin");
        let text = crate::corpus::decode::decode(bytes)
            .map(|d| d.text)
            .unwrap_or_default();
        let _ = parse(&text);
    }
}
