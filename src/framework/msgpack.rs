//! MessagePack codec for cty values (Terraform's `DynamicValue.msgpack`), following go-cty.

use std::collections::BTreeMap;

use rmp::encode as enc;

use super::number::Number;
use super::path::{AttributePath, PathStep};
use super::types::Type;
use super::value::{Refinements, Value};

/// A value could not be encoded or decoded; `path` says where inside the value.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{path}: {message}")]
pub struct CodecError {
    /// Where in the value the problem is.
    pub path: AttributePath,
    /// What is wrong.
    pub message: String,
}

impl CodecError {
    /// An error at `path`.
    pub fn new(path: &AttributePath, message: impl Into<String>) -> Self {
        CodecError {
            path: path.clone(),
            message: message.into(),
        }
    }
}

/// Extension type of a refined unknown value.
const REFINED_UNKNOWN_EXT: i8 = 12;
/// Largest refinement payload the decoder accepts (go-cty's limit).
const MAX_REFINEMENT_LEN: usize = 1024;
/// go-cty truncates string-prefix refinements to fewer than 256 bytes.
const MAX_PREFIX_LEN: usize = 255;
/// Nesting limit while decoding (dynamic values can nest without bound otherwise).
const MAX_DEPTH: usize = 256;

/// Encodes `v` as msgpack against type `ty`. Object attributes of the type that `v` lacks are
/// written as null; attributes `v` has that the type lacks are an error.
pub fn encode(v: &Value, ty: &Type) -> Result<Vec<u8>, CodecError> {
    let mut out = Vec::new();
    encode_value(&mut out, v, ty, &AttributePath::root())?;
    Ok(out)
}

/// Decodes msgpack bytes as a value of type `ty`. Values in `dynamic` slots come back as
/// [`Value::Typed`] (or `Null` / `Unknown`).
pub fn decode(bytes: &[u8], ty: &Type) -> Result<Value, CodecError> {
    let root = AttributePath::root();
    let mut reader = Reader::new(bytes);
    let value = decode_value(&mut reader, ty, &root)?;
    if reader.pos != bytes.len() {
        return Err(CodecError::new(
            &root,
            format!(
                "{} unexpected bytes after the value",
                bytes.len() - reader.pos
            ),
        ));
    }
    Ok(value)
}

// ----------------------------------------------------------------------------------------
// Encoding

fn mismatch(path: &AttributePath, ty: &Type, v: &Value) -> CodecError {
    CodecError::new(
        path,
        format!("expected a {ty} value, found {}", kind_name(v)),
    )
}

/// A short name of a value's shape for error messages.
pub(crate) fn kind_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Unknown(_) => "unknown value",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::List(_) => "list",
        Value::Set(_) => "set",
        Value::Tuple(_) => "tuple",
        Value::Map(_) => "map",
        Value::Object(_) => "object",
        Value::Typed(..) => "typed value",
    }
}

fn len_u32(path: &AttributePath, n: usize) -> Result<u32, CodecError> {
    u32::try_from(n).map_err(|_| CodecError::new(path, "collection too large for msgpack"))
}

fn encode_value(
    out: &mut Vec<u8>,
    v: &Value,
    ty: &Type,
    path: &AttributePath,
) -> Result<(), CodecError> {
    if *ty == Type::Dynamic {
        return encode_dynamic(out, v, path);
    }
    match v {
        Value::Typed(_, inner) => return encode_value(out, inner, ty, path),
        Value::Null => {
            enc::write_nil(out).map_err(|e| CodecError::new(path, e.to_string()))?;
            return Ok(());
        }
        Value::Unknown(refinements) => return encode_unknown(out, refinements, ty, path),
        _ => {}
    }
    match ty {
        Type::Bool => match v {
            Value::Bool(b) => {
                enc::write_bool(out, *b).map_err(|e| CodecError::new(path, e.to_string()))
            }
            _ => Err(mismatch(path, ty, v)),
        },
        Type::Number => match v {
            Value::Number(n) => {
                write_number(out, n);
                Ok(())
            }
            _ => Err(mismatch(path, ty, v)),
        },
        Type::String => match v {
            Value::String(s) => write_str(out, path, s),
            _ => Err(mismatch(path, ty, v)),
        },
        Type::List(elem) | Type::Set(elem) => match v {
            Value::List(items) | Value::Set(items) | Value::Tuple(items) => {
                encode_array(out, items, |_| elem, path)
            }
            _ => Err(mismatch(path, ty, v)),
        },
        Type::Tuple(elems) => match v {
            Value::Tuple(items) | Value::List(items) if items.len() == elems.len() => {
                encode_array(out, items, |i| &elems[i], path)
            }
            Value::Tuple(items) | Value::List(items) => Err(CodecError::new(
                path,
                format!(
                    "a tuple of {} elements is required, found {}",
                    elems.len(),
                    items.len()
                ),
            )),
            _ => Err(mismatch(path, ty, v)),
        },
        Type::Map(elem) => match v {
            Value::Map(items) | Value::Object(items) => encode_map(out, items, elem, path),
            _ => Err(mismatch(path, ty, v)),
        },
        Type::Object(attrs) => match v {
            Value::Object(items) | Value::Map(items) => encode_object(out, items, attrs, path),
            _ => Err(mismatch(path, ty, v)),
        },
        Type::Dynamic => encode_dynamic(out, v, path),
    }
}

/// Every finite number goes on the wire as its decimal text, which go-cty's decoder reads with
/// `cty.ParseNumberVal` (512-bit precision): the same way Terraform reads a number from the
/// JSON of its state file. An int or float64 on the wire would decode to a 64- or 53-bit
/// `big.Float` instead, equal in value but not in representation; Terraform compares the
/// state it read (upgraded, from JSON) with the refreshed one (from us) with
/// `reflect.DeepEqual`, so any number sent as int made every `plan -refresh-only` report a
/// change that renders as nothing (docs/design/wire-numbers.md). Infinities, which
/// `ParseNumberVal` does not take, stay float64.
fn write_number(out: &mut Vec<u8>, n: &Number) {
    // Writing into a Vec cannot fail.
    let _ = if n.is_infinite() {
        enc::write_f64(out, n.as_f64()).map(|_| ())
    } else {
        enc::write_str(out, &n.to_decimal_string()).map(|_| ())
    };
}

fn write_str(out: &mut Vec<u8>, path: &AttributePath, s: &str) -> Result<(), CodecError> {
    enc::write_str(out, s).map_err(|e| CodecError::new(path, e.to_string()))
}

fn encode_array<'t>(
    out: &mut Vec<u8>,
    items: &[Value],
    elem_type: impl Fn(usize) -> &'t Type,
    path: &AttributePath,
) -> Result<(), CodecError> {
    enc::write_array_len(out, len_u32(path, items.len())?)
        .map_err(|e| CodecError::new(path, e.to_string()))?;
    for (i, item) in items.iter().enumerate() {
        let child = path.child(PathStep::Index(i as i64));
        encode_value(out, item, elem_type(i), &child)?;
    }
    Ok(())
}

fn encode_map(
    out: &mut Vec<u8>,
    items: &BTreeMap<String, Value>,
    elem: &Type,
    path: &AttributePath,
) -> Result<(), CodecError> {
    enc::write_map_len(out, len_u32(path, items.len())?)
        .map_err(|e| CodecError::new(path, e.to_string()))?;
    for (k, item) in items {
        let child = path.child(PathStep::Key(k.clone()));
        write_str(out, &child, k)?;
        encode_value(out, item, elem, &child)?;
    }
    Ok(())
}

fn encode_object(
    out: &mut Vec<u8>,
    items: &BTreeMap<String, Value>,
    attrs: &BTreeMap<String, Type>,
    path: &AttributePath,
) -> Result<(), CodecError> {
    if let Some(extra) = items.keys().find(|k| !attrs.contains_key(*k)) {
        return Err(CodecError::new(
            &path.child(PathStep::Attr(extra.clone())),
            "attribute is not part of the object type",
        ));
    }
    enc::write_map_len(out, len_u32(path, attrs.len())?)
        .map_err(|e| CodecError::new(path, e.to_string()))?;
    for (name, attr_ty) in attrs {
        let child = path.child(PathStep::Attr(name.clone()));
        write_str(out, &child, name)?;
        encode_value(
            out,
            items.get(name).unwrap_or(&Value::Null),
            attr_ty,
            &child,
        )?;
    }
    Ok(())
}

fn encode_dynamic(out: &mut Vec<u8>, v: &Value, path: &AttributePath) -> Result<(), CodecError> {
    let (ty, inner) = match v {
        Value::Null => {
            let _ = enc::write_nil(out);
            return Ok(());
        }
        Value::Unknown(_) => {
            out.extend_from_slice(&[0xd4, 0, 0]);
            return Ok(());
        }
        Value::Typed(ty, inner) => ((**ty).clone(), inner.as_ref()),
        other => {
            let ty = other.infer_type().ok_or_else(|| {
                CodecError::new(
                    path,
                    "cannot determine the type of this value for a dynamic attribute; wrap it in Value::Typed",
                )
            })?;
            (ty, other)
        }
    };
    let _ = enc::write_array_len(out, 2);
    let type_json = ty.to_json_bytes();
    enc::write_bin(out, &type_json).map_err(|e| CodecError::new(path, e.to_string()))?;
    if ty == Type::Dynamic {
        return encode_dynamic(out, inner, path);
    }
    encode_value(out, inner, &ty, path)
}

fn encode_unknown(
    out: &mut Vec<u8>,
    r: &Refinements,
    ty: &Type,
    path: &AttributePath,
) -> Result<(), CodecError> {
    let mut body = Vec::new();
    let mut entries = 0u32;
    if r.not_null {
        entries += 1;
        let _ = enc::write_sint(&mut body, 1);
        let _ = enc::write_bool(&mut body, false);
    }
    match ty {
        Type::String => {
            if let Some(prefix) = r.string_prefix.as_deref().filter(|p| !p.is_empty()) {
                entries += 1;
                let _ = enc::write_sint(&mut body, 2);
                write_str(&mut body, path, truncate_prefix(prefix))?;
            }
        }
        Type::Number => {
            for (key, bound) in [(3, &r.number_lower), (4, &r.number_upper)] {
                if let Some((n, inclusive)) = bound {
                    entries += 1;
                    let _ = enc::write_sint(&mut body, key);
                    let _ = enc::write_array_len(&mut body, 2);
                    write_number(&mut body, n);
                    let _ = enc::write_bool(&mut body, *inclusive);
                }
            }
        }
        Type::List(_) | Type::Set(_) | Type::Map(_) => {
            let lower = r.length_lower.filter(|l| *l != 0);
            for (key, bound) in [(5, lower), (6, r.length_upper)] {
                if let Some(n) = bound {
                    entries += 1;
                    let _ = enc::write_sint(&mut body, key);
                    let n = i64::try_from(n).unwrap_or(i64::MAX);
                    let _ = enc::write_sint(&mut body, n);
                }
            }
        }
        _ => {}
    }
    if entries == 0 {
        out.extend_from_slice(&[0xd4, 0, 0]);
        return Ok(());
    }
    let mut header = Vec::new();
    let _ = enc::write_map_len(&mut header, entries);
    let total = len_u32(path, header.len() + body.len())?;
    enc::write_ext_meta(out, total, REFINED_UNKNOWN_EXT)
        .map_err(|e| CodecError::new(path, e.to_string()))?;
    out.extend_from_slice(&header);
    out.extend_from_slice(&body);
    Ok(())
}

/// The longest prefix of `s` of at most [`MAX_PREFIX_LEN`] bytes ending on a char boundary.
fn truncate_prefix(s: &str) -> &str {
    if s.len() <= MAX_PREFIX_LEN {
        return s;
    }
    let mut end = MAX_PREFIX_LEN;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

// ----------------------------------------------------------------------------------------
// Decoding

/// A bounds-checked cursor over msgpack bytes.
struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
    depth: usize,
}

type ReadResult<T> = Result<T, String>;

impl<'a> Reader<'a> {
    fn new(data: &'a [u8]) -> Self {
        Reader {
            data,
            pos: 0,
            depth: 0,
        }
    }

    fn peek(&self) -> ReadResult<u8> {
        self.data
            .get(self.pos)
            .copied()
            .ok_or_else(|| "unexpected end of msgpack data".to_string())
    }

    fn byte(&mut self) -> ReadResult<u8> {
        let b = self.peek()?;
        self.pos += 1;
        Ok(b)
    }

    fn take(&mut self, n: usize) -> ReadResult<&'a [u8]> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|end| *end <= self.data.len())
            .ok_or_else(|| "unexpected end of msgpack data".to_string())?;
        let slice = &self.data[self.pos..end];
        self.pos = end;
        Ok(slice)
    }

    fn be<const N: usize>(&mut self) -> ReadResult<[u8; N]> {
        let mut buf = [0u8; N];
        buf.copy_from_slice(self.take(N)?);
        Ok(buf)
    }

    fn u8(&mut self) -> ReadResult<usize> {
        Ok(usize::from(self.byte()?))
    }

    fn u16(&mut self) -> ReadResult<usize> {
        Ok(usize::from(u16::from_be_bytes(self.be()?)))
    }

    fn u32(&mut self) -> ReadResult<usize> {
        usize::try_from(u32::from_be_bytes(self.be()?)).map_err(|e| e.to_string())
    }

    fn remaining(&self) -> usize {
        self.data.len() - self.pos
    }

    /// Reads an array header; `None` for nil.
    fn array_len(&mut self, what: &str) -> ReadResult<Option<usize>> {
        let n = match self.byte()? {
            0xc0 => return Ok(None),
            b @ 0x90..=0x9f => usize::from(b & 0x0f),
            0xdc => self.u16()?,
            0xdd => self.u32()?,
            _ => return Err(format!("{what} is required")),
        };
        self.check_count(n)?;
        Ok(Some(n))
    }

    /// Reads a map header; `None` for nil.
    fn map_len(&mut self, what: &str) -> ReadResult<Option<usize>> {
        let n = match self.byte()? {
            0xc0 => return Ok(None),
            b @ 0x80..=0x8f => usize::from(b & 0x0f),
            0xde => self.u16()?,
            0xdf => self.u32()?,
            _ => return Err(format!("{what} is required")),
        };
        self.check_count(n)?;
        Ok(Some(n))
    }

    /// Every element takes at least one byte, so a count beyond the remaining bytes is bogus.
    fn check_count(&self, n: usize) -> ReadResult<()> {
        if n > self.remaining() {
            return Err(format!(
                "collection claims {n} elements but the data is shorter"
            ));
        }
        Ok(())
    }

    /// Reads a str or bin payload as raw bytes.
    fn raw_bytes(&mut self, what: &str) -> ReadResult<&'a [u8]> {
        let n = match self.byte()? {
            b @ 0xa0..=0xbf => usize::from(b & 0x1f),
            0xd9 | 0xc4 => self.u8()?,
            0xda | 0xc5 => self.u16()?,
            0xdb | 0xc6 => self.u32()?,
            _ => return Err(format!("{what} is required")),
        };
        self.take(n)
    }

    fn string(&mut self, what: &str) -> ReadResult<String> {
        let bytes = self.raw_bytes(what)?;
        std::str::from_utf8(bytes)
            .map(str::to_string)
            .map_err(|_| format!("{what} is not valid UTF-8"))
    }

    fn bool(&mut self) -> ReadResult<bool> {
        match self.byte()? {
            0xc2 => Ok(false),
            0xc3 => Ok(true),
            _ => Err("bool is required".to_string()),
        }
    }

    /// Reads any integer form.
    fn int(&mut self) -> ReadResult<Number> {
        let n = match self.byte()? {
            b @ 0x00..=0x7f => Number::from_i64(i64::from(b)),
            b @ 0xe0..=0xff => Number::from_i64(i64::from(b as i8)),
            0xcc => Number::from_u64(u64::from(u8::from_be_bytes(self.be()?))),
            0xcd => Number::from_u64(u64::from(u16::from_be_bytes(self.be()?))),
            0xce => Number::from_u64(u64::from(u32::from_be_bytes(self.be()?))),
            0xcf => Number::from_u64(u64::from_be_bytes(self.be()?)),
            0xd0 => Number::from_i64(i64::from(i8::from_be_bytes(self.be()?))),
            0xd1 => Number::from_i64(i64::from(i16::from_be_bytes(self.be()?))),
            0xd2 => Number::from_i64(i64::from(i32::from_be_bytes(self.be()?))),
            0xd3 => Number::from_i64(i64::from_be_bytes(self.be()?)),
            _ => return Err("integer is required".to_string()),
        };
        Ok(n)
    }

    /// Reads a number in any int, float or decimal-string form.
    fn number(&mut self) -> ReadResult<Number> {
        let float = match self.peek()? {
            0xca => {
                self.pos += 1;
                Some(f64::from(f32::from_be_bytes(self.be()?)))
            }
            0xcb => {
                self.pos += 1;
                Some(f64::from_be_bytes(self.be()?))
            }
            0xa0..=0xbf | 0xd9 | 0xda | 0xdb => {
                let text = self.string("number")?;
                return Number::parse(&text)
                    .ok_or_else(|| format!("number is required, found string {text:?}"));
            }
            _ => None,
        };
        match float {
            Some(f) => {
                Number::from_f64_exact(f).ok_or_else(|| "number must not be NaN".to_string())
            }
            None => self.int().map_err(|_| "number is required".to_string()),
        }
    }

    /// Reads an extension header: (type code, body length).
    fn ext_header(&mut self) -> ReadResult<(i8, usize)> {
        let len = match self.byte()? {
            0xd4 => 1,
            0xd5 => 2,
            0xd6 => 4,
            0xd7 => 8,
            0xd8 => 16,
            0xc7 => self.u8()?,
            0xc8 => self.u16()?,
            0xc9 => self.u32()?,
            _ => return Err("extension is required".to_string()),
        };
        let code = self.byte()? as i8;
        Ok((code, len))
    }

    /// Skips one complete value of any kind (for refinement keys we do not know).
    fn skip(&mut self) -> ReadResult<()> {
        self.enter()?;
        let b = self.peek()?;
        match b {
            0x00..=0x7f | 0xe0..=0xff | 0xc0 | 0xc2 | 0xc3 => {
                self.pos += 1;
            }
            0xcc..=0xd3 => {
                self.int()?;
            }
            0xca => {
                self.take(5)?;
            }
            0xcb => {
                self.take(9)?;
            }
            0xa0..=0xbf | 0xd9..=0xdb | 0xc4..=0xc6 => {
                self.raw_bytes("string")?;
            }
            0x90..=0x9f | 0xdc | 0xdd => {
                let n = self.array_len("array")?.unwrap_or(0);
                for _ in 0..n {
                    self.skip()?;
                }
            }
            0x80..=0x8f | 0xde | 0xdf => {
                let n = self.map_len("map")?.unwrap_or(0);
                for _ in 0..n {
                    self.skip()?;
                    self.skip()?;
                }
            }
            0xd4..=0xd8 | 0xc7..=0xc9 => {
                let (_, len) = self.ext_header()?;
                self.take(len)?;
            }
            _ => return Err(format!("invalid msgpack marker 0x{b:02x}")),
        }
        self.leave();
        Ok(())
    }

    fn enter(&mut self) -> ReadResult<()> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(format!("value nested more than {MAX_DEPTH} levels deep"));
        }
        Ok(())
    }

    fn leave(&mut self) {
        self.depth -= 1;
    }
}

fn is_ext_marker(b: u8) -> bool {
    matches!(b, 0xd4..=0xd8 | 0xc7..=0xc9)
}

fn decode_value(r: &mut Reader<'_>, ty: &Type, path: &AttributePath) -> Result<Value, CodecError> {
    let at = |m: String| CodecError::new(path, m);
    r.enter().map_err(at)?;
    let marker = r.peek().map_err(at)?;
    let value = if is_ext_marker(marker) {
        decode_unknown(r, ty, path)?
    } else if *ty == Type::Dynamic {
        decode_dynamic(r, path)?
    } else if marker == 0xc0 {
        r.pos += 1;
        Value::Null
    } else {
        decode_known(r, ty, path)?
    };
    r.leave();
    Ok(value)
}

fn decode_known(r: &mut Reader<'_>, ty: &Type, path: &AttributePath) -> Result<Value, CodecError> {
    let at = |m: String| CodecError::new(path, m);
    match ty {
        Type::Bool => r.bool().map(Value::Bool).map_err(at),
        Type::Number => r.number().map(Value::Number).map_err(at),
        Type::String => r.string("string").map(Value::String).map_err(at),
        Type::List(elem) => {
            let items = decode_elements(r, "a list", |_| Some(elem), path)?;
            Ok(Value::List(items))
        }
        Type::Set(elem) => {
            let items = decode_elements(r, "a set", |_| Some(elem), path)?;
            Ok(Value::Set(dedupe_set(items)))
        }
        Type::Tuple(elems) => {
            let items = decode_elements(r, "a tuple", |i| elems.get(i), path)?;
            if items.len() != elems.len() {
                return Err(at(format!(
                    "a tuple of {} elements is required, found {}",
                    elems.len(),
                    items.len()
                )));
            }
            Ok(Value::Tuple(items))
        }
        Type::Map(elem) => decode_map(r, elem, path),
        Type::Object(attrs) => decode_object(r, attrs, path),
        Type::Dynamic => decode_dynamic(r, path),
    }
}

fn decode_elements<'t>(
    r: &mut Reader<'_>,
    what: &str,
    elem_type: impl Fn(usize) -> Option<&'t Type>,
    path: &AttributePath,
) -> Result<Vec<Value>, CodecError> {
    let at = |m: String| CodecError::new(path, m);
    let n = r.array_len(what).map_err(at)?.unwrap_or(0);
    let mut items = Vec::with_capacity(n);
    for i in 0..n {
        let child = path.child(PathStep::Index(i as i64));
        let ty = elem_type(i).ok_or_else(|| at(format!("{what} has too many elements ({n})")))?;
        items.push(decode_value(r, ty, &child)?);
    }
    Ok(items)
}

/// Removes duplicate wholly-known elements, as cty sets hold each value once.
pub(crate) fn dedupe_set(items: Vec<Value>) -> Vec<Value> {
    let mut out: Vec<Value> = Vec::with_capacity(items.len());
    for item in items {
        let duplicate = item.is_wholly_known()
            && out
                .iter()
                .any(|seen| seen.is_wholly_known() && *seen == item);
        if !duplicate {
            out.push(item);
        }
    }
    out
}

fn decode_map(r: &mut Reader<'_>, elem: &Type, path: &AttributePath) -> Result<Value, CodecError> {
    let at = |m: String| CodecError::new(path, m);
    let n = r.map_len("a map").map_err(at)?.unwrap_or(0);
    let mut items = BTreeMap::new();
    for _ in 0..n {
        let key = r.string("map key").map_err(at)?;
        let child = path.child(PathStep::Key(key.clone()));
        let value = decode_value(r, elem, &child)?;
        items.insert(key, value);
    }
    Ok(Value::Map(items))
}

fn decode_object(
    r: &mut Reader<'_>,
    attrs: &BTreeMap<String, Type>,
    path: &AttributePath,
) -> Result<Value, CodecError> {
    let at = |m: String| CodecError::new(path, m);
    let n = r.map_len("an object").map_err(at)?.unwrap_or(0);
    let mut items = BTreeMap::new();
    for _ in 0..n {
        let key = r.string("attribute name").map_err(at)?;
        let child = path.child(PathStep::Attr(key.clone()));
        let attr_ty = attrs
            .get(&key)
            .ok_or_else(|| CodecError::new(&child, "unsupported attribute"))?;
        if items.contains_key(&key) {
            return Err(CodecError::new(&child, "attribute appears twice"));
        }
        let value = decode_value(r, attr_ty, &child)?;
        items.insert(key, value);
    }
    if items.len() != attrs.len() {
        let missing: Vec<&str> = attrs
            .keys()
            .filter(|k| !items.contains_key(*k))
            .map(String::as_str)
            .collect();
        return Err(at(format!(
            "object is missing attribute(s) {} (every attribute must be present, null or not)",
            missing.join(", ")
        )));
    }
    Ok(Value::Object(items))
}

fn decode_dynamic(r: &mut Reader<'_>, path: &AttributePath) -> Result<Value, CodecError> {
    let at = |m: String| CodecError::new(path, m);
    match r
        .array_len("a dynamic value ([type, value] array)")
        .map_err(at)?
    {
        None => return Ok(Value::Null),
        Some(2) => {}
        Some(n) => {
            return Err(at(format!(
                "dynamic value array must have exactly two elements, found {n}"
            )));
        }
    }
    let type_json = r.raw_bytes("type JSON").map_err(at)?;
    let ty = Type::from_json_bytes(type_json).map_err(|e| at(e.to_string()))?;
    let inner = decode_value(r, &ty, path)?;
    Ok(Value::Typed(Box::new(ty), Box::new(inner)))
}

fn decode_unknown(
    r: &mut Reader<'_>,
    ty: &Type,
    path: &AttributePath,
) -> Result<Value, CodecError> {
    let at = |m: String| CodecError::new(path, m);
    let (code, len) = r.ext_header().map_err(at)?;
    let body = r.take(len).map_err(at)?;
    if len <= 1 {
        return Ok(Value::unknown());
    }
    if code != REFINED_UNKNOWN_EXT {
        return Err(at(format!(
            "unsupported extension type 0x{code:02x} with length {len}"
        )));
    }
    if len > MAX_REFINEMENT_LEN {
        return Err(at("oversize unknown value refinement".to_string()));
    }
    let mut body = Reader::new(body);
    let entries = body
        .map_len("refinement map")
        .map_err(|m| at(format!("invalid unknown value refinements: {m}")))?
        .unwrap_or(0);
    if *ty == Type::Dynamic {
        return Ok(Value::unknown());
    }
    let mut refinements = Refinements::default();
    for _ in 0..entries {
        let known_null = read_refinement(&mut body, ty, &mut refinements, path)
            .map_err(|m| at(format!("invalid unknown value refinements: {m}")))?;
        if known_null {
            return Ok(Value::Null);
        }
    }
    Ok(Value::Unknown(refinements))
}

/// Reads one refinement entry into `out`; returns true if it says the value is null.
fn read_refinement(
    body: &mut Reader<'_>,
    ty: &Type,
    out: &mut Refinements,
    path: &AttributePath,
) -> ReadResult<bool> {
    let key = body
        .int()
        .map_err(|_| "non-integer key in map".to_string())?
        .as_i64()
        .unwrap_or(i64::MAX);
    match key {
        1 => {
            let is_null = body.bool().map_err(|_| "null refinement is not boolean")?;
            if is_null {
                return Ok(true);
            }
            out.not_null = true;
        }
        2 => {
            if *ty != Type::String {
                return Err("string prefix refinement for non-string type".to_string());
            }
            let prefix = body.string("string prefix refinement")?;
            out.string_prefix = Some(prefix).filter(|p| !p.is_empty());
        }
        3 | 4 => {
            if *ty != Type::Number {
                return Err("numeric bound refinement for non-number type".to_string());
            }
            let bound_ty = Type::Tuple(vec![Type::Number, Type::Bool]);
            let bound = decode_value(body, &bound_ty, path).map_err(|e| e.message)?;
            let bound = match bound.as_elements() {
                Some([Value::Number(n), Value::Bool(inclusive)]) => (n.clone(), *inclusive),
                _ => {
                    return Err(
                        "number bound refinement must be a [number, bool] array".to_string()
                    );
                }
            };
            if key == 3 {
                out.number_lower = Some(bound);
            } else {
                out.number_upper = Some(bound);
            }
        }
        5 | 6 => {
            if !ty.is_collection() {
                return Err("length bound refinement for non-collection type".to_string());
            }
            let bound = body.int()?.as_u64().ok_or_else(|| {
                "length bound refinement must be a non-negative integer".to_string()
            })?;
            if key == 5 {
                out.length_lower = Some(bound);
            } else {
                out.length_upper = Some(bound);
            }
        }
        _ => body.skip()?,
    }
    Ok(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obj(pairs: Vec<(&str, Value)>) -> Value {
        Value::Object(pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
    }

    fn num(s: &str) -> Value {
        Value::Number(Number::parse(s).expect("test number"))
    }

    fn typed(ty: Type, v: Value) -> Value {
        Value::Typed(Box::new(ty), Box::new(v))
    }

    fn hex(s: &str) -> Vec<u8> {
        s.split_whitespace()
            .map(|b| u8::from_str_radix(b, 16).expect("test hex"))
            .collect()
    }

    /// (name, value, type, expected bytes)
    fn fixed_vectors() -> Vec<(&'static str, Value, Type, Vec<u8>)> {
        vec![
            (
                "object a=b",
                obj(vec![("a", "b".into())]),
                Type::object([("a", Type::String)]),
                hex("81 a1 61 a1 62"),
            ),
            ("null string", Value::Null, Type::String, hex("c0")),
            (
                "unknown string",
                Value::unknown(),
                Type::String,
                hex("d4 00 00"),
            ),
            (
                "unknown dynamic",
                Value::unknown(),
                Type::Dynamic,
                hex("d4 00 00"),
            ),
            ("true", true.into(), Type::Bool, hex("c3")),
            ("small int as text", 5.into(), Type::Number, hex("a1 35")),
            ("int as text", 200.into(), Type::Number, hex("a3 32 30 30")),
            (
                "negative int as text",
                (-5).into(),
                Type::Number,
                hex("a2 2d 35"),
            ),
            (
                "i64::MIN as text",
                Value::from(i64::MIN),
                Type::Number,
                [hex("b4"), b"-9223372036854775808".to_vec()].concat(),
            ),
            ("0.5 as text", num("0.5"), Type::Number, hex("a3 30 2e 35")),
            (
                "0.1 as string",
                num("0.1"),
                Type::Number,
                hex("a3 30 2e 31"),
            ),
            ("integral 1.0 as 1", num("1.0"), Type::Number, hex("a1 31")),
            (
                "from_f64(0.1) is the decimal 0.1, sent as string",
                Value::Number(Number::from_f64(0.1).unwrap()),
                Type::Number,
                hex("a3 30 2e 31"),
            ),
            (
                "exact binary 0.1 keeps every digit",
                Value::Number(Number::from_f64_exact(0.1).unwrap()),
                Type::Number,
                [
                    hex("d9 39"),
                    b"0.1000000000000000055511151231257827021181583404541015625".to_vec(),
                ]
                .concat(),
            ),
            (
                "infinity stays float64",
                num("inf"),
                Type::Number,
                hex("cb 7f f0 00 00 00 00 00 00"),
            ),
            (
                "u64 beyond i64 as text",
                Value::Number(Number::from_u64(u64::MAX)),
                Type::Number,
                [hex("b4"), b"18446744073709551615".to_vec()].concat(),
            ),
            (
                "list of strings",
                Value::List(vec!["x".into(), "y".into()]),
                Type::list(Type::String),
                hex("92 a1 78 a1 79"),
            ),
            (
                "map sorted keys",
                Value::Map(
                    [
                        ("b".to_string(), Value::from(2)),
                        ("a".to_string(), Value::from(1)),
                    ]
                    .into(),
                ),
                Type::map(Type::Number),
                hex("82 a1 61 a1 31 a1 62 a1 32"),
            ),
            (
                "object writes null for missing attributes",
                obj(vec![("b", true.into())]),
                Type::object([("a", Type::String), ("b", Type::Bool)]),
                hex("82 a1 61 c0 a1 62 c3"),
            ),
            (
                "dynamic string",
                typed(Type::String, "x".into()),
                Type::Dynamic,
                [hex("92 c4 08"), b"\"string\"".to_vec(), hex("a1 78")].concat(),
            ),
            ("dynamic null", Value::Null, Type::Dynamic, hex("c0")),
            (
                "dynamic typed null",
                typed(Type::Bool, Value::Null),
                Type::Dynamic,
                [hex("92 c4 06"), b"\"bool\"".to_vec(), hex("c0")].concat(),
            ),
            (
                "refined not-null unknown",
                Value::Unknown(Refinements {
                    not_null: true,
                    ..Default::default()
                }),
                Type::String,
                hex("c7 03 0c 81 01 c2"),
            ),
            (
                "refined prefix unknown",
                Value::Unknown(Refinements {
                    not_null: true,
                    string_prefix: Some("ab".into()),
                    ..Default::default()
                }),
                Type::String,
                hex("c7 07 0c 82 01 c2 02 a2 61 62"),
            ),
            (
                "refined length unknown",
                Value::Unknown(Refinements {
                    length_lower: Some(1),
                    length_upper: Some(3),
                    ..Default::default()
                }),
                Type::list(Type::String),
                hex("c7 05 0c 82 05 01 06 03"),
            ),
            (
                "refinement not applicable to type",
                Value::Unknown(Refinements {
                    string_prefix: Some("ab".into()),
                    ..Default::default()
                }),
                Type::Number,
                hex("d4 00 00"),
            ),
            (
                "refined unknown in dynamic slot is plain",
                Value::Unknown(Refinements {
                    not_null: true,
                    ..Default::default()
                }),
                Type::Dynamic,
                hex("d4 00 00"),
            ),
        ]
    }

    #[test]
    fn encodes_fixed_vectors() {
        for (name, value, ty, want) in fixed_vectors() {
            let got = encode(&value, &ty).unwrap_or_else(|e| panic!("case {name}: {e}"));
            assert_eq!(got, want, "case {name}");
        }
    }

    #[test]
    fn decodes_fixed_vectors() {
        for (name, value, ty, bytes) in fixed_vectors() {
            let got = decode(&bytes, &ty).unwrap_or_else(|e| panic!("case {name}: {e}"));
            let want = match (&ty, &value) {
                // Missing attributes were written as null.
                (Type::Object(_), Value::Object(_)) if name.contains("missing") => {
                    obj(vec![("a", Value::Null), ("b", true.into())])
                }
                _ => value,
            };
            assert_eq!(got, want, "case {name}");
            if let (Value::Unknown(want_r), Value::Unknown(got_r)) = (&want, &got) {
                let applicable = !matches!(ty, Type::Dynamic) && !name.contains("not applicable");
                if applicable {
                    assert_eq!(got_r, want_r, "refinements of case {name}");
                } else {
                    assert!(got_r.is_empty(), "refinements of case {name}");
                }
            }
        }
    }

    fn nested_type() -> Type {
        Type::object([
            ("name", Type::String),
            ("count", Type::Number),
            ("enabled", Type::Bool),
            ("tags", Type::map(Type::String)),
            ("ids", Type::set(Type::String)),
            ("pair", Type::tuple([Type::String, Type::Number])),
            ("anything", Type::Dynamic),
            (
                "rules",
                Type::list(Type::object([
                    ("port", Type::Number),
                    ("cidrs", Type::list(Type::String)),
                ])),
            ),
            (
                "timeouts",
                Type::object([("create", Type::String), ("delete", Type::String)]),
            ),
        ])
    }

    fn nested_value() -> Value {
        obj(vec![
            ("name", "pe-1".into()),
            ("count", num("12345678901234567890.123")),
            ("enabled", false.into()),
            (
                "tags",
                Value::Map([("team".to_string(), Value::from("astro"))].into()),
            ),
            ("ids", Value::Set(vec!["b".into(), "a".into()])),
            ("pair", Value::Tuple(vec!["x".into(), num("-2.5")])),
            (
                "anything",
                typed(
                    Type::object([("k", Type::list(Type::Number))]),
                    obj(vec![("k", Value::List(vec![1.into(), num("0.1")]))]),
                ),
            ),
            (
                "rules",
                Value::List(vec![obj(vec![
                    ("port", 443.into()),
                    (
                        "cidrs",
                        Value::List(vec!["10.0.0.0/8".into(), Value::unknown()]),
                    ),
                ])]),
            ),
            (
                "timeouts",
                obj(vec![("create", "30m".into()), ("delete", Value::Null)]),
            ),
        ])
    }

    #[test]
    fn round_trips() {
        let cases: Vec<(&str, Value, Type)> = vec![
            ("nested object", nested_value(), nested_type()),
            ("empty list", Value::List(vec![]), Type::list(Type::String)),
            (
                "empty map",
                Value::Map(BTreeMap::new()),
                Type::map(Type::Number),
            ),
            (
                "empty object",
                obj(vec![]),
                Type::object(Vec::<(String, Type)>::new()),
            ),
            (
                "set of objects",
                Value::Set(vec![obj(vec![("a", 1.into())]), obj(vec![("a", 2.into())])]),
                Type::set(Type::object([("a", Type::Number)])),
            ),
            (
                "u64 max",
                Value::Number(Number::from_u64(u64::MAX)),
                Type::Number,
            ),
            ("1e20", num("1e20"), Type::Number),
            ("tiny", num("1e-30"), Type::Number),
            ("unicode", "héllo ✓".into(), Type::String),
            (
                "long string",
                Value::string("x".repeat(70_000)),
                Type::String,
            ),
            ("null list", Value::Null, Type::list(Type::String)),
            (
                "dynamic list",
                typed(Type::list(Type::String), Value::List(vec!["a".into()])),
                Type::Dynamic,
            ),
            (
                "dynamic in map",
                Value::Map([("k".to_string(), typed(Type::Number, 1.into()))].into()),
                Type::map(Type::Dynamic),
            ),
            (
                "dynamic typed unknown",
                typed(Type::String, Value::unknown()),
                Type::Dynamic,
            ),
            (
                "list of 20",
                Value::List((0..20).map(Value::from).collect()),
                Type::list(Type::Number),
            ),
            (
                "number bounds refinement",
                Value::Unknown(Refinements {
                    number_lower: Some((Number::from_i64(0), true)),
                    number_upper: Some((Number::parse("10.5").unwrap(), false)),
                    ..Default::default()
                }),
                Type::Number,
            ),
        ];
        for (name, value, ty) in cases {
            let bytes = encode(&value, &ty).unwrap_or_else(|e| panic!("encode {name}: {e}"));
            let back = decode(&bytes, &ty).unwrap_or_else(|e| panic!("decode {name}: {e}"));
            assert_eq!(back, value, "case {name}");
            if let (Value::Unknown(a), Value::Unknown(b)) = (&back, &value) {
                assert_eq!(a, b, "refinements of {name}");
            }
            // Re-encoding the decoded value is stable.
            assert_eq!(encode(&back, &ty).unwrap(), bytes, "stable {name}");
        }
    }

    #[test]
    fn untyped_values_in_dynamic_slots_get_inferred_types() {
        let v = obj(vec![("a", "x".into())]);
        let bytes = encode(&v, &Type::Dynamic).unwrap();
        let back = decode(&bytes, &Type::Dynamic).unwrap();
        match back {
            Value::Typed(ty, inner) => {
                assert_eq!(*ty, Type::object([("a", Type::String)]));
                assert_eq!(*inner, v);
            }
            other => panic!("expected a typed value, got {other:?}"),
        }
        let mixed = Value::List(vec!["x".into(), 1.into()]);
        assert!(encode(&mixed, &Type::Dynamic).is_err());
    }

    #[test]
    fn decodes_every_number_form() {
        let cases = vec![
            ("uint8", "cc 05", "5"),
            ("uint16", "cd 00 05", "5"),
            ("uint32", "ce 00 00 00 05", "5"),
            (
                "uint64 max",
                "cf ff ff ff ff ff ff ff ff",
                "18446744073709551615",
            ),
            ("int8", "d0 fb", "-5"),
            ("int16", "d1 ff fb", "-5"),
            ("int32", "d2 ff ff ff fb", "-5"),
            ("int64", "d3 ff ff ff ff ff ff ff fb", "-5"),
            ("float32", "ca 3f c0 00 00", "1.5"),
            ("float64 integral", "cb 40 14 00 00 00 00 00 00", "5"),
            ("string decimal", "a3 30 2e 31", "0.1"),
            ("string exponent", "a3 31 65 32", "100"),
            (
                "str8 big",
                "d9 18 31 32 33 34 35 36 37 38 39 30 31 32 33 34 35 36 37 38 39 30 2e 31 32 33",
                "12345678901234567890.123",
            ),
        ];
        for (name, bytes, want) in cases {
            let got =
                decode(&hex(bytes), &Type::Number).unwrap_or_else(|e| panic!("case {name}: {e}"));
            assert_eq!(got, num(want), "case {name}");
        }
        let big = encode(&num("12345678901234567890.123"), &Type::Number).unwrap();
        assert_eq!(big[0], 0xb8, "24-byte decimal travels as a fixstr");
    }

    #[test]
    fn decode_errors_name_the_path() {
        let ty = Type::object([
            ("a", Type::String),
            ("b", Type::object([("c", Type::Number)])),
        ]);
        let cases = vec![
            (
                "missing attribute",
                hex("81 a1 61 a1 78"),
                "(root)",
                "missing attribute(s) b",
            ),
            (
                "extra attribute",
                hex("83 a1 61 a1 78 a1 62 c0 a1 7a c0"),
                "z",
                "unsupported attribute",
            ),
            (
                "nested missing",
                hex("82 a1 61 c0 a1 62 80"),
                "b",
                "missing attribute(s) c",
            ),
            (
                "nested extra",
                hex("82 a1 61 c0 a1 62 82 a1 63 01 a1 64 01"),
                "b.d",
                "unsupported attribute",
            ),
            (
                "wrong kind",
                hex("82 a1 61 01 a1 62 c0"),
                "a",
                "string is required",
            ),
            (
                "bad number string",
                hex("82 a1 61 c0 a1 62 81 a1 63 a1 78"),
                "b.c",
                "number is required",
            ),
            ("truncated", hex("82 a1 61"), "a", "unexpected end"),
            ("duplicate", hex("82 a1 61 c0 a1 61 c0"), "a", "twice"),
            (
                "trailing bytes",
                hex("82 a1 61 c0 a1 62 c0 c0"),
                "(root)",
                "unexpected bytes",
            ),
            (
                "unsupported ext",
                hex("d5 05 00 00"),
                "(root)",
                "unsupported extension",
            ),
        ];
        for (name, bytes, want_path, want_msg) in cases {
            let err = decode(&bytes, &ty).expect_err(name);
            assert_eq!(err.path.to_string(), want_path, "case {name}: {err}");
            assert!(err.message.contains(want_msg), "case {name}: {err}");
        }
    }

    #[test]
    fn encode_errors_name_the_path() {
        let ty = Type::object([("a", Type::list(Type::String))]);
        let err = encode(&obj(vec![("a", Value::List(vec![1.into()]))]), &ty).unwrap_err();
        assert_eq!(err.path.to_string(), "a[0]");
        let err = encode(&obj(vec![("zz", 1.into())]), &ty).unwrap_err();
        assert_eq!(err.path.to_string(), "zz");
        let err = encode(
            &Value::Tuple(vec![1.into()]),
            &Type::tuple([Type::Number, Type::Number]),
        )
        .unwrap_err();
        assert!(err.message.contains("tuple of 2"), "{err}");
    }

    #[test]
    fn unknown_decoding_rules() {
        let cases: Vec<(&str, &str, Type, Option<Value>)> = vec![
            (
                "any ext with 1-byte body",
                "d4 07 01",
                Type::String,
                Some(Value::unknown()),
            ),
            (
                "ext8 with empty body",
                "c7 00 05",
                Type::Number,
                Some(Value::unknown()),
            ),
            (
                "null refinement true",
                "c7 03 0c 81 01 c3",
                Type::String,
                Some(Value::Null),
            ),
            (
                "unknown keys ignored",
                "c7 07 0c 82 09 92 01 02 01 c2",
                Type::String,
                Some(Value::unknown()),
            ),
            (
                "prefix on number rejected",
                "c7 04 0c 81 02 a1 61",
                Type::Number,
                None,
            ),
            (
                "length on string rejected",
                "c7 03 0c 81 05 01",
                Type::String,
                None,
            ),
            (
                "bounds on string rejected",
                "c7 05 0c 81 03 92 01 c3",
                Type::String,
                None,
            ),
            (
                "refinements ignored for dynamic",
                "c7 04 0c 81 02 a1 61",
                Type::Dynamic,
                Some(Value::unknown()),
            ),
            ("body not a map", "d5 0c 01 02", Type::String, None),
        ];
        for (name, bytes, ty, want) in cases {
            let got = decode(&hex(bytes), &ty);
            match want {
                Some(want) => assert_eq!(
                    got.unwrap_or_else(|e| panic!("case {name}: {e}")),
                    want,
                    "case {name}"
                ),
                None => assert!(got.is_err(), "case {name} should fail, got {got:?}"),
            }
        }
        let mut oversize = hex("c9 00 00 04 01 0c");
        oversize.extend(std::iter::repeat_n(0u8, 1025));
        assert!(decode(&oversize, &Type::String).is_err());
    }

    #[test]
    fn prefix_refinement_truncated_on_char_boundary() {
        let long = "é".repeat(200);
        let v = Value::Unknown(Refinements {
            string_prefix: Some(long),
            ..Default::default()
        });
        let back = decode(&encode(&v, &Type::String).unwrap(), &Type::String).unwrap();
        match back {
            Value::Unknown(r) => {
                let prefix = r.string_prefix.unwrap();
                assert!(prefix.len() <= 255 && prefix.len() >= 254);
                assert!(prefix.chars().all(|c| c == 'é'));
            }
            other => panic!("expected unknown, got {other:?}"),
        }
    }

    #[test]
    fn sets_ignore_order_and_drop_duplicates() {
        let ty = Type::set(Type::String);
        let a = decode(&hex("92 a1 61 a1 62"), &ty).unwrap();
        let b = decode(&hex("92 a1 62 a1 61"), &ty).unwrap();
        assert_eq!(a, b);
        let dup = decode(&hex("93 a1 61 a1 61 a1 62"), &ty).unwrap();
        assert_eq!(dup.as_elements().unwrap().len(), 2);
        let unknowns = decode(&hex("92 d4 00 00 d4 00 00"), &ty).unwrap();
        assert_eq!(
            unknowns.as_elements().unwrap().len(),
            2,
            "unknowns are never merged"
        );
    }

    /// Deterministic xorshift generator for the no-panic test.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
    }

    #[test]
    fn decoding_garbage_never_panics() {
        let types = vec![
            nested_type(),
            Type::Dynamic,
            Type::Number,
            Type::String,
            Type::list(Type::Dynamic),
            Type::set(Type::map(Type::Number)),
            Type::tuple([Type::Bool, Type::String]),
        ];
        let seeds = [
            encode(&nested_value(), &nested_type()).unwrap(),
            hex("c7 07 0c 82 01 c2 02 a2 61 62"),
            hex("92 c4 08 22 73 74 72 69 6e 67 22 a1 78"),
        ];
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        let mut outcomes = [0usize; 2];
        for round in 0..6000 {
            let bytes: Vec<u8> = if round % 2 == 0 {
                let len = (rng.next() % 64) as usize;
                (0..len).map(|_| rng.next() as u8).collect()
            } else {
                let mut b = seeds[round % seeds.len()].clone();
                for _ in 0..=(rng.next() % 4) {
                    if b.is_empty() {
                        break;
                    }
                    let i = (rng.next() as usize) % b.len();
                    match rng.next() % 3 {
                        0 => b[i] = rng.next() as u8,
                        1 => b.truncate(i),
                        _ => b.insert(i, rng.next() as u8),
                    }
                }
                b
            };
            for ty in &types {
                outcomes[usize::from(decode(&bytes, ty).is_ok())] += 1;
            }
        }
        assert!(
            outcomes[0] > 0 && outcomes[1] > 0,
            "both outcomes occur: {outcomes:?}"
        );
    }

    #[test]
    fn deep_dynamic_nesting_is_rejected_not_overflowing() {
        let layer = [
            hex("92 c4 12"),
            b"[\"list\",\"dynamic\"]".to_vec(),
            hex("91"),
        ]
        .concat();
        let mut bytes = Vec::new();
        for _ in 0..5000 {
            bytes.extend_from_slice(&layer);
        }
        bytes.push(0xc0);
        let err = decode(&bytes, &Type::Dynamic).unwrap_err();
        assert!(err.message.contains("nested"), "{err}");
    }
}
