//! Reading engine bodies with typed visitors, never into a `serde_json::Value` tree: strings
//! stay borrowed from the body where they have no escapes, everything not needed is skipped with
//! serde's `IgnoredAny`, and a body that does not fit says where, as a JSON path.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Unexpected, Visitor};
use serde::Deserialize;

use crate::error::ParseError;

/// A JSON string, borrowed from the body when it has no escapes.
pub(crate) struct Text<'a>(pub(crate) Cow<'a, str>);

impl<'de: 'a, 'a> Deserialize<'de> for Text<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<'a>(PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = Text<'a>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: de::Error>(self, s: &'de str) -> Result<Text<'a>, E> {
                Ok(Text(Cow::Borrowed(s)))
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Text<'a>, E> {
                Ok(Text(Cow::Owned(s.to_owned())))
            }
            fn visit_string<E: de::Error>(self, s: String) -> Result<Text<'a>, E> {
                Ok(Text(Cow::Owned(s)))
            }
        }
        d.deserialize_str(V(PhantomData))
    }
}

/// A boolean the engine may also write as the string `"true"`/`"false"`; `null` or absent → `None`.
#[derive(Default)]
pub(crate) struct FlexBool(pub(crate) Option<bool>);

impl<'de> Deserialize<'de> for FlexBool {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = FlexBool;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a boolean, \"true\", \"false\" or null")
            }
            fn visit_bool<E: de::Error>(self, b: bool) -> Result<FlexBool, E> {
                Ok(FlexBool(Some(b)))
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<FlexBool, E> {
                match flex_bool_str(s) {
                    Some(b) => Ok(FlexBool(b)),
                    None => Err(E::invalid_value(Unexpected::Str(s), &self)),
                }
            }
            fn visit_unit<E: de::Error>(self) -> Result<FlexBool, E> {
                Ok(FlexBool(None))
            }
            fn visit_none<E: de::Error>(self) -> Result<FlexBool, E> {
                Ok(FlexBool(None))
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<FlexBool, D::Error> {
                FlexBool::deserialize(d)
            }
        }
        d.deserialize_any(V)
    }
}

/// `"true"`/`"false"` (any case) → `Some(Some(b))`, `"none"`/`"null"` → `Some(None)`, else `None`.
pub(crate) fn flex_bool_str(s: &str) -> Option<Option<bool>> {
    if s.eq_ignore_ascii_case("true") {
        Some(Some(true))
    } else if s.eq_ignore_ascii_case("false") {
        Some(Some(false))
    } else if s.eq_ignore_ascii_case("none") || s.eq_ignore_ascii_case("null") {
        Some(None)
    } else {
        None
    }
}

/// The first element of a JSON array (`None` when empty); the rest is skipped unread.
pub(crate) struct FirstOf<T>(pub(crate) Option<T>);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for FirstOf<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<T>(PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for V<T> {
            type Value = FirstOf<T>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an array")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<FirstOf<T>, A::Error> {
                let first = seq.next_element::<T>()?;
                if first.is_some() {
                    while seq.next_element::<IgnoredAny>()?.is_some() {}
                }
                Ok(FirstOf(first))
            }
        }
        d.deserialize_seq(V(PhantomData))
    }
}

/// A struct that must come as a JSON object (serde would also read it from an array, by
/// position, and then report a confusing type error deep inside).
pub(crate) struct Object<T>(pub(crate) T);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Object<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<T>(PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for V<T> {
            type Value = Object<T>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Object<T>, A::Error> {
                T::deserialize(de::value::MapAccessDeserializer::new(map)).map(Object)
            }
        }
        d.deserialize_map(V(PhantomData))
    }
}

/// A JSON object's entries in body order.
pub(crate) struct Entries<'a, V>(pub(crate) Vec<(Text<'a>, V)>);

impl<'de: 'a, 'a, V: Deserialize<'de>> Deserialize<'de> for Entries<'a, V> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Vis<'a, V>(PhantomData<(&'a (), V)>);
        impl<'de: 'a, 'a, V: Deserialize<'de>> Visitor<'de> for Vis<'a, V> {
            type Value = Entries<'a, V>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut out = Vec::new();
                while let Some(k) = map.next_key::<Text<'a>>()? {
                    out.push((k, map.next_value::<V>()?));
                }
                Ok(Entries(out))
            }
        }
        d.deserialize_map(Vis(PhantomData))
    }
}

/// A JSON object's first entry (`None` when empty); the other entries are skipped unread.
pub(crate) struct FirstEntry<'a, V>(pub(crate) Option<(Text<'a>, V)>);

impl<'de: 'a, 'a, V: Deserialize<'de>> Deserialize<'de> for FirstEntry<'a, V> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Vis<'a, V>(PhantomData<(&'a (), V)>);
        impl<'de: 'a, 'a, V: Deserialize<'de>> Visitor<'de> for Vis<'a, V> {
            type Value = FirstEntry<'a, V>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let first = map.next_entry::<Text<'a>, V>()?;
                if first.is_some() {
                    while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                }
                Ok(FirstEntry(first))
            }
        }
        d.deserialize_map(Vis(PhantomData))
    }
}

/// A ParseError from a serde_json error. serde_json only knows the line and column, so the JSON
/// path is recovered by re-scanning the body up to that point (only on this cold path).
pub(crate) fn json_error(what: &'static str, body: &str, err: serde_json::Error) -> ParseError {
    let message = err.to_string();
    let path = if err.line() == 0 {
        String::new()
    } else {
        let offset = line_col_offset(body, err.line(), err.column());
        // "missing field" is reported at the closing brace: it is about the object, not its last key.
        let p = json_path_at(body, offset, message.starts_with("missing field"));
        // A top-level key reads `evaluations[0]`, not `.evaluations[0]`.
        p.strip_prefix('.').map(str::to_owned).unwrap_or(p)
    };
    let message = if err.is_syntax() || err.is_eof() {
        format!("not valid JSON: {message}")
    } else {
        message
    };
    ParseError::new(what, path, message)
}

/// Byte offset of serde_json's 1-based line and byte column.
pub(crate) fn line_col_offset(body: &str, line: usize, column: usize) -> usize {
    let bytes = body.as_bytes();
    let mut start = 0;
    for _ in 1..line {
        match bytes[start..].iter().position(|&b| b == b'\n') {
            Some(p) => start += p + 1,
            None => break,
        }
    }
    (start + column).min(bytes.len())
}

/// The JSON path (`[0].key["odd key"][3]`) of the innermost value open at byte `end`.
pub(crate) fn json_path_at(body: &str, end: usize, object_itself: bool) -> String {
    enum Frame {
        Obj { key: Option<String>, want_key: bool },
        Arr { index: usize, started: bool },
    }
    fn value_starts(stack: &mut [Frame]) {
        if let Some(Frame::Arr { started, .. }) = stack.last_mut() {
            *started = true;
        }
    }
    let bytes = &body.as_bytes()[..end];
    let mut stack: Vec<Frame> = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'{' => {
                value_starts(&mut stack);
                stack.push(Frame::Obj {
                    key: None,
                    want_key: true,
                });
            }
            b'[' => {
                value_starts(&mut stack);
                stack.push(Frame::Arr {
                    index: 0,
                    started: false,
                });
            }
            b'}' | b']' => {
                stack.pop();
            }
            b',' => match stack.last_mut() {
                Some(Frame::Obj { key, want_key }) => {
                    *key = None;
                    *want_key = true;
                }
                Some(Frame::Arr { index, started }) => {
                    *index += 1;
                    *started = false;
                }
                None => {}
            },
            b'"' => {
                let (s, next) = scan_string(bytes, i + 1);
                match stack.last_mut() {
                    Some(Frame::Obj { key, want_key }) if *want_key => {
                        *key = Some(s);
                        *want_key = false;
                    }
                    _ => value_starts(&mut stack),
                }
                i = next;
                continue;
            }
            b' ' | b'\t' | b'\n' | b'\r' | b':' => {}
            _ => value_starts(&mut stack),
        }
        i += 1;
    }
    let last = stack.len().saturating_sub(1);
    let mut path = String::new();
    for (n, frame) in stack.iter().enumerate() {
        match frame {
            Frame::Obj { key: Some(k), .. } if !(object_itself && n == last) => {
                push_key(&mut path, k)
            }
            Frame::Arr {
                index,
                started: true,
            } => push_index(&mut path, *index),
            _ => {}
        }
    }
    path
}

/// Reads a JSON string's content from `start` (after the quote); returns it and the index after
/// the closing quote (or the end of `bytes`).
pub(crate) fn scan_string(bytes: &[u8], start: usize) -> (String, usize) {
    let mut out = Vec::new();
    let mut i = start;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => return (String::from_utf8_lossy(&out).into_owned(), i + 1),
            b'\\' if i + 1 < bytes.len() => {
                let esc = bytes[i + 1];
                i += 2;
                match esc {
                    b'n' => out.push(b'\n'),
                    b't' => out.push(b'\t'),
                    b'r' => out.push(b'\r'),
                    b'b' => out.push(8),
                    b'f' => out.push(12),
                    b'u' if i + 4 <= bytes.len() => {
                        let c = std::str::from_utf8(&bytes[i..i + 4])
                            .ok()
                            .and_then(|h| u32::from_str_radix(h, 16).ok())
                            .and_then(char::from_u32)
                            .unwrap_or(char::REPLACEMENT_CHARACTER);
                        let mut buf = [0; 4];
                        out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
                        i += 4;
                    }
                    other => out.push(other),
                }
                continue;
            }
            b => out.push(b),
        }
        i += 1;
    }
    (String::from_utf8_lossy(&out).into_owned(), bytes.len())
}

/// Appends `.key`, or `["key"]` when the key is not a plain identifier (digests, tags).
pub(crate) fn push_key(path: &mut String, key: &str) {
    let plain = !key.is_empty()
        && !key.starts_with(|c: char| c.is_ascii_digit())
        && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if plain {
        path.push('.');
        path.push_str(key);
    } else {
        path.push('[');
        path.push_str(&serde_json::to_string(key).unwrap_or_default());
        path.push(']');
    }
}

pub(crate) fn push_index(path: &mut String, index: usize) {
    path.push('[');
    path.push_str(&index.to_string());
    path.push(']');
}

pub(crate) fn with_key(path: &str, key: &str) -> String {
    let mut p = path.to_string();
    push_key(&mut p, key);
    p
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn json_path_scanner() {
        let body = r#"{"a": [1, {"b c": "x,]}", "d": [true, 5"#;
        assert_eq!(json_path_at(body, body.len(), false), r#".a[1].d[1]"#);
        assert_eq!(json_path_at(body, body.len() - 1, false), r#".a[1].d"#);
        assert_eq!(
            json_path_at(body, body.find("\"x").unwrap(), false),
            r#".a[1]["b c"]"#
        );
        assert_eq!(json_path_at(r#"{"k": {"x": 1, "y": 2"#, 20, true), ".k");
        assert_eq!(json_path_at(r#"[{"k\"q": 1"#, 11, false), r#"[0]["k\"q"]"#);
    }
}
