//! A bounds-checked, depth-limited cursor over msgpack bytes.

use super::*;
use crate::framework::number::Number;

// ----------------------------------------------------------------------------------------
// Decoding

/// A bounds-checked cursor over msgpack bytes.
pub(super) struct Reader<'a> {
    pub(super) data: &'a [u8],
    pub(super) pos: usize,
    pub(super) depth: usize,
}

pub(super) type ReadResult<T> = Result<T, String>;

impl<'a> Reader<'a> {
    pub(super) fn new(data: &'a [u8]) -> Self {
        Reader {
            data,
            pos: 0,
            depth: 0,
        }
    }

    pub(super) fn peek(&self) -> ReadResult<u8> {
        self.data
            .get(self.pos)
            .copied()
            .ok_or_else(|| "unexpected end of msgpack data".to_string())
    }

    pub(super) fn byte(&mut self) -> ReadResult<u8> {
        let b = self.peek()?;
        self.pos += 1;
        Ok(b)
    }

    pub(super) fn take(&mut self, n: usize) -> ReadResult<&'a [u8]> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|end| *end <= self.data.len())
            .ok_or_else(|| "unexpected end of msgpack data".to_string())?;
        let slice = &self.data[self.pos..end];
        self.pos = end;
        Ok(slice)
    }

    pub(super) fn be<const N: usize>(&mut self) -> ReadResult<[u8; N]> {
        let mut buf = [0u8; N];
        buf.copy_from_slice(self.take(N)?);
        Ok(buf)
    }

    pub(super) fn u8(&mut self) -> ReadResult<usize> {
        Ok(usize::from(self.byte()?))
    }

    pub(super) fn u16(&mut self) -> ReadResult<usize> {
        Ok(usize::from(u16::from_be_bytes(self.be()?)))
    }

    pub(super) fn u32(&mut self) -> ReadResult<usize> {
        usize::try_from(u32::from_be_bytes(self.be()?)).map_err(|e| e.to_string())
    }

    pub(super) fn remaining(&self) -> usize {
        self.data.len() - self.pos
    }

    /// Reads an array header; `None` for nil.
    pub(super) fn array_len(&mut self, what: &str) -> ReadResult<Option<usize>> {
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
    pub(super) fn map_len(&mut self, what: &str) -> ReadResult<Option<usize>> {
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
    pub(super) fn check_count(&self, n: usize) -> ReadResult<()> {
        if n > self.remaining() {
            return Err(format!(
                "collection claims {n} elements but the data is shorter"
            ));
        }
        Ok(())
    }

    /// Reads a str or bin payload as raw bytes.
    pub(super) fn raw_bytes(&mut self, what: &str) -> ReadResult<&'a [u8]> {
        let n = match self.byte()? {
            b @ 0xa0..=0xbf => usize::from(b & 0x1f),
            0xd9 | 0xc4 => self.u8()?,
            0xda | 0xc5 => self.u16()?,
            0xdb | 0xc6 => self.u32()?,
            _ => return Err(format!("{what} is required")),
        };
        self.take(n)
    }

    pub(super) fn string(&mut self, what: &str) -> ReadResult<String> {
        let bytes = self.raw_bytes(what)?;
        std::str::from_utf8(bytes)
            .map(str::to_string)
            .map_err(|_| format!("{what} is not valid UTF-8"))
    }

    pub(super) fn bool(&mut self) -> ReadResult<bool> {
        match self.byte()? {
            0xc2 => Ok(false),
            0xc3 => Ok(true),
            _ => Err("bool is required".to_string()),
        }
    }

    /// Reads any integer form.
    pub(super) fn int(&mut self) -> ReadResult<Number> {
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
    pub(super) fn number(&mut self) -> ReadResult<Number> {
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
    pub(super) fn ext_header(&mut self) -> ReadResult<(i8, usize)> {
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
    pub(super) fn skip(&mut self) -> ReadResult<()> {
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

    pub(super) fn enter(&mut self) -> ReadResult<()> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(format!("value nested more than {MAX_DEPTH} levels deep"));
        }
        Ok(())
    }

    pub(super) fn leave(&mut self) {
        self.depth -= 1;
    }
}

pub(super) fn is_ext_marker(b: u8) -> bool {
    matches!(b, 0xd4..=0xd8 | 0xc7..=0xc9)
}
