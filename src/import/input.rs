//! Bytes to CSV rows, streaming: the size limit, BOM, delimiter sniffed from the header line,
//! RFC 4180 quoting (the `csv` crate), and refusing binary or non-UTF-8 input. May import
//! `error`.

use std::fmt;
use std::io::{self, Chain, Cursor, Read};

use csv::StringRecord;

use super::error::ImportError;

/// The header line must end within this many bytes; binary junk rarely has a newline early.
const MAX_HEADER_BYTES: usize = 64 * 1024;

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// Counts bytes and fails once more than `max` have been read.
pub(crate) struct Limited<R> {
    inner: R,
    read: u64,
    max: u64,
}

#[derive(Debug)]
struct OverLimit;

impl fmt::Display for OverLimit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("input exceeds the import size limit")
    }
}

impl std::error::Error for OverLimit {}

impl<R: Read> Read for Limited<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read += n as u64;
        if self.read > self.max {
            return Err(io::Error::other(OverLimit));
        }
        Ok(n)
    }
}

/// Turns `\r\n` and lone `\r` into `\n`, so line numbers count every kind of line end (the
/// `csv` crate's positions are one line short after a CRLF header).
pub(crate) struct Newlines<R> {
    inner: R,
    after_cr: bool,
}

impl<R: Read> Read for Newlines<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            let n = self.inner.read(buf)?;
            let mut written = 0;
            for i in 0..n {
                let byte = buf[i];
                if self.after_cr && byte == b'\n' {
                    self.after_cr = false;
                    continue;
                }
                self.after_cr = byte == b'\r';
                buf[written] = if self.after_cr { b'\n' } else { byte };
                written += 1;
            }
            if written > 0 || n == 0 {
                return Ok(written);
            }
        }
    }
}

type Stream<R> = Chain<Cursor<Vec<u8>>, Newlines<Limited<R>>>;

/// An open CSV file positioned after its header.
pub(crate) struct Source<R: Read> {
    reader: csv::Reader<Stream<R>>,
    record: StringRecord,
    pub(crate) delimiter: u8,
    /// Header cells, trimmed.
    pub(crate) header: Vec<String>,
    /// Lines before the header (blank lines, Excel's `sep=;`), added to the reader's line numbers.
    line_offset: u64,
    max_bytes: u64,
}

impl<R: Read> Source<R> {
    pub(crate) fn open(input: R, max_bytes: u64) -> Result<Self, ImportError> {
        let mut limited = Newlines {
            inner: Limited {
                inner: input,
                read: 0,
                max: max_bytes,
            },
            after_cr: false,
        };
        let mut prefix = Vec::new();
        let mut line_offset = 0;
        let mut forced_delimiter = None;
        let header_line = loop {
            let line_end = fill_line(&mut limited, &mut prefix, max_bytes)?;
            if line_offset == 0 {
                refuse_non_utf8_encodings(&prefix)?;
                if prefix.starts_with(UTF8_BOM) {
                    prefix.drain(..UTF8_BOM.len());
                    continue;
                }
            }
            let Some(line_end) = line_end else {
                if prefix.is_empty() {
                    return Err(ImportError::Empty);
                }
                if prefix.len() > MAX_HEADER_BYTES {
                    return Err(ImportError::NotText(
                        "its first line is longer than 64 KiB".into(),
                    ));
                }
                // The file is one line with no newline.
                break text_line(&prefix)?.to_string();
            };
            let line = text_line(&prefix[..line_end])?.to_string();
            let trimmed = line.trim();
            if trimmed.is_empty() {
                prefix.drain(..=line_end);
                line_offset += 1;
            } else if let Some(separator) = excel_separator(trimmed) {
                forced_delimiter = Some(separator);
                prefix.drain(..=line_end);
                line_offset += 1;
            } else {
                break line;
            }
        };
        let delimiter = forced_delimiter.unwrap_or_else(|| sniff_delimiter(&header_line));
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .flexible(true)
            .has_headers(true)
            .from_reader(Cursor::new(prefix).chain(limited));
        let header = reader
            .headers()
            .map_err(|e| csv_error(e, line_offset, max_bytes))?
            .iter()
            .map(|h| h.trim().to_string())
            .collect();
        Ok(Source {
            reader,
            record: StringRecord::new(),
            delimiter,
            header,
            line_offset,
            max_bytes,
        })
    }

    /// Reads the next row that is not blank and returns its line number; `None` at the end.
    pub(crate) fn next_row(&mut self) -> Result<Option<u64>, ImportError> {
        loop {
            let more = self
                .reader
                .read_record(&mut self.record)
                .map_err(|e| csv_error(e, self.line_offset, self.max_bytes))?;
            if !more {
                return Ok(None);
            }
            let line = self.record.position().map_or(0, |p| p.line()) + self.line_offset;
            if self.record.iter().any(|cell| cell.contains('\0')) {
                return Err(ImportError::NotText(format!(
                    "line {line} contains a NUL byte, which only binary files have"
                )));
            }
            if self.record.iter().any(|cell| !cell.trim().is_empty()) {
                return Ok(Some(line));
            }
        }
    }

    /// The row [`Source::next_row`] read last.
    pub(crate) fn row(&self) -> &StringRecord {
        &self.record
    }
}

/// Reads until `prefix` holds a newline (returning its index), the input ends, or the header
/// limit is passed.
fn fill_line<R: Read>(
    input: &mut Newlines<Limited<R>>,
    prefix: &mut Vec<u8>,
    max_bytes: u64,
) -> Result<Option<usize>, ImportError> {
    let mut chunk = [0_u8; 8192];
    loop {
        if let Some(end) = prefix.iter().position(|b| *b == b'\n') {
            return Ok(Some(end));
        }
        if prefix.len() > MAX_HEADER_BYTES {
            return Ok(None);
        }
        match input.read(&mut chunk) {
            Ok(0) => return Ok(None),
            Ok(n) => prefix.extend_from_slice(&chunk[..n]),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(io_error(e, max_bytes)),
        }
    }
}

fn refuse_non_utf8_encodings(prefix: &[u8]) -> Result<(), ImportError> {
    if prefix.starts_with(b"\xFF\xFE") || prefix.starts_with(b"\xFE\xFF") {
        return Err(ImportError::NotText(
            "it is UTF-16 text; save it as “CSV UTF-8” and import it again".into(),
        ));
    }
    Ok(())
}

/// A line of header text, or why the file is not text.
fn text_line(bytes: &[u8]) -> Result<&str, ImportError> {
    let line = std::str::from_utf8(bytes).map_err(|_| {
        ImportError::NotText(
            "its first line contains bytes that are not UTF-8; save it as “CSV UTF-8” and import it again"
                .into(),
        )
    })?;
    if line
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\t' | '\r'))
    {
        return Err(ImportError::NotText(
            "its first line contains control characters, which only binary files have".into(),
        ));
    }
    Ok(line)
}

/// Excel writes `sep=;` above the header to name the delimiter.
fn excel_separator(line: &str) -> Option<u8> {
    let rest = line.strip_prefix("sep=")?;
    match rest.as_bytes() {
        [b] if matches!(b, b',' | b';' | b'\t' | b'|') => Some(*b),
        _ => None,
    }
}

/// The delimiter used most often outside quotes in the header line: `,`, `;` or tab (a tie
/// goes to the earlier of these).
pub(crate) fn sniff_delimiter(line: &str) -> u8 {
    let candidates = [b',', b';', b'\t'];
    let mut counts = [0_usize; 3];
    let mut quoted = false;
    for byte in line.bytes() {
        if byte == b'"' {
            quoted = !quoted;
        } else if !quoted && let Some(i) = candidates.iter().position(|c| *c == byte) {
            counts[i] += 1;
        }
    }
    let mut best = 0;
    for i in 1..candidates.len() {
        if counts[i] > counts[best] {
            best = i;
        }
    }
    candidates[best]
}

fn io_error(err: io::Error, max_bytes: u64) -> ImportError {
    if err.get_ref().is_some_and(|inner| inner.is::<OverLimit>()) {
        ImportError::TooLarge { limit: max_bytes }
    } else {
        ImportError::Io(err)
    }
}

fn csv_error(err: csv::Error, line_offset: u64, max_bytes: u64) -> ImportError {
    let line = err.position().map_or(0, |p| p.line()) + line_offset;
    let message = err.to_string();
    match err.into_kind() {
        csv::ErrorKind::Io(io) => io_error(io, max_bytes),
        csv::ErrorKind::Utf8 { .. } => ImportError::NotText(format!(
            "line {line} contains bytes that are not UTF-8; save it as “CSV UTF-8” and import it again"
        )),
        _ => ImportError::Csv { line, message },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn open(bytes: &[u8]) -> Result<Source<&[u8]>, ImportError> {
        Source::open(bytes, 1024 * 1024)
    }

    fn rows(bytes: &[u8]) -> Result<Vec<(u64, Vec<String>)>, ImportError> {
        let mut source = open(bytes)?;
        let mut rows = Vec::new();
        while let Some(line) = source.next_row()? {
            rows.push((line, source.row().iter().map(str::to_string).collect()));
        }
        Ok(rows)
    }

    #[test]
    fn the_delimiter_is_sniffed_from_the_header_line() {
        assert_eq!(sniff_delimiter("a,b,c"), b',');
        assert_eq!(sniff_delimiter("Datum;Von;Bis"), b';');
        assert_eq!(sniff_delimiter("a\tb\tc"), b'\t');
        assert_eq!(sniff_delimiter("\"a;b\",c"), b',');
        assert_eq!(sniff_delimiter("single"), b',');
    }

    #[test]
    fn a_bom_and_quoted_fields_are_handled() {
        let source = open(b"\xEF\xBB\xBF\"Datum\";\"Von\"\r\n\"1;2\";x\r\n").unwrap();
        assert_eq!(source.delimiter, b';');
        assert_eq!(source.header, vec!["Datum", "Von"]);
        assert_eq!(
            rows(b"\xEF\xBB\xBFa;b\r\n\"1;2\";\"say \"\"hi\"\"\"\r\n").unwrap(),
            vec![(2, vec!["1;2".to_string(), "say \"hi\"".to_string()])]
        );
    }

    #[test]
    fn blank_rows_are_skipped_and_line_numbers_stay_true() {
        for bytes in [
            b"\n\nsep=;\na;b\n1;2\n\n;\n3;4\n".as_slice(),
            b"\r\n\r\nsep=;\r\na;b\r\n1;2\r\n\r\n;\r\n3;4\r\n",
            b"\r\rsep=;\ra;b\r1;2\r\r;\r3;4",
        ] {
            let rows = rows(bytes).unwrap();
            let lines: Vec<u64> = rows.iter().map(|(line, _)| *line).collect();
            assert_eq!(lines, vec![5, 8], "{bytes:?}");
        }
    }

    #[test]
    fn line_ends_inside_quotes_stay_in_the_cell() {
        let rows = rows(b"a,b\r\n\"two\r\nlines\",x\r\ny,z\r\n").unwrap();
        assert_eq!(
            rows[0],
            (2, vec!["two\nlines".to_string(), "x".to_string()])
        );
        assert_eq!(rows[1].0, 4);
    }

    #[test]
    fn binary_and_foreign_encodings_are_not_text() {
        let cases: [&[u8]; 5] = [
            b"\x89PNG\r\n\x1a\n\x00\x00",
            b"a,b\n1,\x00\n",
            b"Stra\xdfe,b\n1,2\n",
            b"a,b\nStra\xdfe,2\n",
            b"\xFF\xFEa\x00,\x00",
        ];
        for bytes in cases {
            let err = rows(bytes).expect_err("should fail");
            assert!(
                err.to_string()
                    .starts_with("This file is not a UTF-8 CSV text file"),
                "{bytes:?}: {err}"
            );
        }
    }

    #[test]
    fn an_empty_file_is_empty() {
        assert!(matches!(open(b""), Err(ImportError::Empty)));
        assert!(matches!(
            open(b"\xEF\xBB\xBF\r\n\n"),
            Err(ImportError::Empty)
        ));
    }

    #[test]
    fn input_over_the_limit_is_refused_while_streaming() {
        let mut data = b"a,b\n".to_vec();
        data.extend(std::iter::repeat_n(b"1,2\n".as_slice(), 100_000).flatten());
        let mut source = Source::open(data.as_slice(), 100_000).unwrap();
        let err = loop {
            match source.next_row() {
                Ok(Some(_)) => {}
                Ok(None) => panic!("should exceed the limit"),
                Err(e) => break e,
            }
        };
        assert!(
            matches!(err, ImportError::TooLarge { limit: 100_000 }),
            "{err}"
        );
    }
}
