//! Bytes to clean text: detects BOMs (UTF-8, UTF-16), rejects binary files, reads legacy
//! Windows-1252 text with a warning, and normalizes (NFC, line endings, soft hyphens) so that
//! every later stage sees one canonical form of the same words.

use std::borrow::Cow;

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::{IsNormalized, is_nfc_quick};

use super::ReadError;

/// Decoded, normalized text and an optional warning about how it was decoded.
#[derive(Debug)]
pub struct Decoded {
    pub text: String,
    pub warning: Option<String>,
}

/// Bytes undefined in Windows-1252: text containing them is not Windows-1252 either.
const CP1252_UNDEFINED: [u8; 5] = [0x81, 0x8D, 0x8F, 0x90, 0x9D];

/// Decodes a file's bytes into normalized text.
pub fn decode(bytes: &[u8]) -> Result<Decoded, ReadError> {
    decode_part(bytes, true)
}

/// True when the bytes start with a UTF-16 byte order mark.
pub fn is_utf16(bytes: &[u8]) -> bool {
    bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF")
}

/// Decodes a piece of a UTF-8 or Windows-1252 file; a byte order mark is looked for only at
/// the `start` of the file.
pub fn decode_part(bytes: &[u8], start: bool) -> Result<Decoded, ReadError> {
    let mut warning = None;
    let text: Cow<str> = if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF").filter(|_| start) {
        utf8_or_legacy(rest, &mut warning)?
    } else if start && is_utf16(bytes) {
        let (text, _, malformed) = encoding_rs::UTF_16LE.decode(bytes);
        if malformed {
            return Err(ReadError::Encoding("malformed UTF-16".into()));
        }
        Cow::Owned(text.into_owned())
    } else {
        if looks_binary(bytes) {
            return Err(ReadError::Binary);
        }
        utf8_or_legacy(bytes, &mut warning)?
    };
    let mut text = text.into_owned();
    if text.contains('\0') {
        text.retain(|c| c != '\0');
        warning = Some("removed NUL bytes from the text".into());
    }
    Ok(Decoded {
        text: normalize_text(&text).into_owned(),
        warning,
    })
}

fn utf8_or_legacy<'a>(
    bytes: &'a [u8],
    warning: &mut Option<String>,
) -> Result<Cow<'a, str>, ReadError> {
    match std::str::from_utf8(bytes) {
        Ok(s) => Ok(Cow::Borrowed(s)),
        Err(e) => {
            let at = e.valid_up_to();
            if let Some(pos) = bytes.iter().position(|b| CP1252_UNDEFINED.contains(b)) {
                return Err(ReadError::Encoding(format!(
                    "not valid UTF-8 (invalid byte 0x{:02X} at offset {at}) nor Windows-1252 \
                     (byte 0x{:02X} at offset {pos})",
                    bytes[at], bytes[pos]
                )));
            }
            let (text, _, _) = encoding_rs::WINDOWS_1252.decode(bytes);
            *warning = Some(format!(
                "not valid UTF-8 (invalid byte 0x{:02X} at offset {at}); read as Windows-1252",
                bytes[at]
            ));
            Ok(Cow::Owned(text.into_owned()))
        }
    }
}

/// A file is binary when its first 8 KiB hold NUL bytes or many control characters.
pub(crate) fn looks_binary(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(8192)];
    if head.is_empty() {
        return false;
    }
    let nul = head.iter().filter(|&&b| b == 0).count();
    let control = head
        .iter()
        .filter(|&&b| b < 0x20 && !matches!(b, b'\n' | b'\r' | b'\t' | 0x0C))
        .count();
    nul * 100 > head.len() || control * 10 > head.len()
}

/// The canonical form of text for korpus: LF line endings, no soft hyphens, NFC.
pub fn normalize_text(s: &str) -> Cow<'_, str> {
    let needs_lines = s.contains('\r');
    let needs_shy = s.contains('\u{AD}');
    let needs_nfc = is_nfc_quick(s.chars()) != IsNormalized::Yes;
    if !needs_lines && !needs_shy && !needs_nfc {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                out.push('\n');
            }
            '\u{AD}' => {}
            c => out.push(c),
        }
    }
    if needs_nfc {
        out = out.nfc().collect();
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_windows_1252_with_a_warning() {
        let d = decode(b"Stra\xdfe").unwrap();
        assert_eq!(d.text, "Straße");
        assert!(d.warning.unwrap().contains("Windows-1252"));
    }

    #[test]
    fn rejects_bytes_that_are_neither_utf8_nor_cp1252() {
        let err = decode(b"abc \x81\x8d def").unwrap_err();
        assert!(err.to_string().contains("not valid UTF-8"), "{err}");
    }

    #[test]
    fn strips_bom_and_decodes_utf16() {
        assert_eq!(decode(b"\xEF\xBB\xBFHallo").unwrap().text, "Hallo");
        let utf16: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain("Grüße".encode_utf16().flat_map(|u| u.to_le_bytes()))
            .collect();
        assert_eq!(decode(&utf16).unwrap().text, "Grüße");
    }

    #[test]
    fn binary_is_not_text() {
        assert_eq!(
            decode(&[0u8, 1, 2, 3, 0, 0, 7, 8]).unwrap_err(),
            ReadError::Binary
        );
    }

    #[test]
    fn normalizes_line_endings_soft_hyphens_and_nfd() {
        assert_eq!(normalize_text("a\r\nb\rc"), "a\nb\nc");
        assert_eq!(normalize_text("Atom\u{AD}waffen"), "Atomwaffen");
        assert_eq!(normalize_text("Su\u{308}dkorea"), "Südkorea");
    }
}
