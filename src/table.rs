//! Tabular input: a CSV file read whole (feature `io`) or named columns, with typed cell
//! access whose errors carry the line number and column name.

use crate::error::{Error, Result};
use std::io::Read;
use std::path::Path;

/// The largest input file (CSV or JSON) kexian reads: 1 GiB.
pub const MAX_INPUT_BYTES: u64 = 1 << 30;

/// Opens `path` to read at most `cap` bytes: a regular file (links followed); a directory,
/// device, FIFO or socket, or a file above `cap`, is refused before it is read.
pub(crate) fn open_input(path: &Path, cap: u64) -> Result<std::io::Take<std::fs::File>> {
    let io = |message: String| Error::Io {
        path: path.display().to_string(),
        message,
    };
    let meta = std::fs::metadata(path).map_err(|e| io(e.to_string()))?;
    if !meta.is_file() {
        return Err(io(
            "not a regular file (a directory, device, FIFO or socket is not read)".into(),
        ));
    }
    if meta.len() > cap {
        return Err(io(format!(
            "{} bytes, above the {cap} bytes kexian reads from one file",
            meta.len()
        )));
    }
    let file = std::fs::File::open(path).map_err(|e| io(e.to_string()))?;
    Ok(file.take(cap))
}

/// A CSV table with a header row. Cells are trimmed; every row must have as many fields as
/// the header.
///
/// ```
/// use kexian::table::Table;
/// let t = Table::from_reader("firms.csv", "id,score\na,512\nb,oops\n".as_bytes())?;
/// let score = t.column("score")?;
/// assert_eq!(t.number(0, score)?, 512.0);
/// let e = t.number(1, score).unwrap_err();
/// assert!(e.to_string().contains("line 3, column `score`"));
/// # Ok::<(), kexian::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Table {
    source: String,
    headers: Vec<String>,
    rows: Vec<Record>,
    lines: Vec<u64>,
}

impl Table {
    /// Feeds the table's content (headers and cells, not its source name) to a digest:
    /// fields end with 0x1F, rows with 0x1E, so no two tables feed the same bytes.
    pub fn digest_into(&self, digest: &mut impl sha2::Digest) {
        for row in std::iter::once(self.headers.iter().map(String::as_str).collect::<Vec<_>>())
            .chain(self.rows.iter().map(|r| r.iter().collect()))
        {
            for field in row {
                digest.update(field.as_bytes());
                digest.update([0x1F]);
            }
            digest.update([0x1E]);
        }
    }

    /// Reads a whole CSV table; `source` names it in error messages.
    #[cfg(feature = "io")]
    ///
    /// Lines are counted from the bytes (the csv parser's own count lags one line behind
    /// in files with CRLF line ends).
    pub fn from_reader(source: &str, mut reader: impl Read) -> Result<Self> {
        let mut bytes = Vec::new();
        reader.read_to_end(&mut bytes).map_err(|e| Error::Io {
            path: source.to_owned(),
            message: e.to_string(),
        })?;
        let mut csv = csv::ReaderBuilder::new()
            .trim(csv::Trim::All)
            .from_reader(&bytes[..]);
        // The line of a record starting at byte `at` (after any line ends), counted on from
        // the last one (`seen` newlines before byte `cursor`).
        let (mut cursor, mut seen) = (0usize, 0u64);
        let mut line_at = |at: usize| {
            let mut start = at.min(bytes.len());
            while start < bytes.len() && matches!(bytes[start], b'\r' | b'\n') {
                start += 1;
            }
            if start >= cursor {
                seen += bytes[cursor..start].iter().filter(|&&b| b == b'\n').count() as u64;
                cursor = start;
            }
            seen + 1
        };
        // An error's line: its own, else the line after the last one read (the header is
        // line 1), never "line 0".
        let location =
            |e: &csv::Error, last: u64| e.position().map_or(last + 1, |p| p.line().max(1));
        let headers: Vec<String> = csv
            .headers()
            .map_err(|e| data_error(source, location(&e, 0), "", &e.to_string()))?
            .iter()
            .map(str::to_owned)
            .collect();
        for (j, h) in headers.iter().enumerate() {
            if h.is_empty() || headers[..j].contains(h) {
                return Err(data_error(
                    source,
                    1,
                    h,
                    "header names must be unique and non-empty",
                ));
            }
        }
        let mut rows = Vec::new();
        let mut lines = Vec::new();
        let mut last = 1;
        for record in csv.records() {
            let record =
                record.map_err(|e| data_error(source, location(&e, last), "", &e.to_string()))?;
            last = record
                .position()
                .map_or(last + 1, |p| line_at(p.byte() as usize));
            lines.push(last);
            rows.push(record.iter().collect());
        }
        Ok(Self {
            source: source.to_owned(),
            headers,
            rows,
            lines,
        })
    }

    /// A table from named columns of equal length (typed data, no file): numbers are kept
    /// exactly (written in shortest round-trip form), NaN is a missing (empty) cell as in a
    /// DataFrame. Rows are numbered as in a CSV file
    /// with a header (first row: line 2).
    ///
    /// ```
    /// use kexian::table::{Column, Table};
    /// let t = Table::from_columns("firms", vec![
    ///     ("sector".into(), Column::Text(vec!["ai".into(), "ic".into()])),
    ///     ("score".into(), Column::Number(vec![512.0, 0.1 + 0.2])),
    /// ])?;
    /// assert_eq!(t.number(1, t.column("score")?)?, 0.1 + 0.2);
    /// # Ok::<(), kexian::Error>(())
    /// ```
    pub fn from_columns(source: &str, columns: Vec<(String, Column)>) -> Result<Self> {
        let n = columns.first().map_or(0, |(_, c)| c.len());
        let mut headers = Vec::with_capacity(columns.len());
        for (name, c) in &columns {
            if name.is_empty() || headers.contains(name) {
                return Err(data_error(
                    source,
                    1,
                    name,
                    "column names must be unique and non-empty",
                ));
            }
            if c.len() != n {
                return Err(data_error(
                    source,
                    1,
                    name,
                    &format!("{} values, the first column has {n}", c.len()),
                ));
            }
            headers.push(name.clone());
        }
        let rows = (0..n)
            .map(|r| {
                columns
                    .iter()
                    .map(|(_, c)| match c {
                        Column::Text(v) => v[r].clone(),
                        Column::Number(v) if v[r].is_nan() => String::new(),
                        Column::Number(v) => v[r].to_string(),
                        Column::Integer(v) => v[r].to_string(),
                    })
                    .collect()
            })
            .collect();
        Ok(Self {
            source: source.to_owned(),
            headers,
            rows,
            lines: (2..n as u64 + 2).collect(),
        })
    }

    /// Reads a CSV file: a regular file of at most [`MAX_INPUT_BYTES`].
    #[cfg(feature = "io")]
    pub fn from_path(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        let file = open_input(path, MAX_INPUT_BYTES)?;
        Self::from_reader(&path.display().to_string(), std::io::BufReader::new(file))
    }

    /// The name errors use for this table (file name or description).
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Number of data rows.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Whether there are no data rows.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Column names in file order.
    pub fn headers(&self) -> &[String] {
        &self.headers
    }

    /// Index of a column, or an error naming the missing column.
    pub fn column(&self, name: &str) -> Result<usize> {
        self.headers
            .iter()
            .position(|h| h == name)
            .ok_or_else(|| data_error(&self.source, 1, name, "no such column in the header"))
    }

    /// One-based file line of data row `row` (0 for a row that does not exist).
    pub fn line(&self, row: usize) -> u64 {
        self.lines.get(row).copied().unwrap_or(0)
    }

    /// The trimmed text of a cell ("" for a cell that does not exist).
    pub fn text(&self, row: usize, column: usize) -> &str {
        self.rows.get(row).and_then(|r| r.get(column)).unwrap_or("")
    }

    /// A cell parsed as a finite number; in a column named `log_…`, a plausible natural
    /// logarithm (|x| ≤ [`MAX_LOG_AMOUNT`]), so that an amount given for its logarithm
    /// (revenue in 元 as `log_revenue`) is an error rather than a silent relativity of 1.
    pub fn number(&self, row: usize, column: usize) -> Result<f64> {
        let text = self.text(row, column);
        match text.parse::<f64>() {
            Ok(v) if v.is_finite() => {
                let log = self
                    .headers
                    .get(column)
                    .is_some_and(|h| h.starts_with("log_"));
                if log && v.abs() > MAX_LOG_AMOUNT {
                    return Err(self.error(row, column, &implausible_log(v)));
                }
                Ok(v)
            }
            _ => Err(self.error(row, column, &format!("`{text}` is not a finite number"))),
        }
    }

    /// A cell parsed as a finite number that obeys `ok`, else an error stating `rule`.
    pub fn number_where(
        &self,
        row: usize,
        column: usize,
        ok: impl Fn(f64) -> bool,
        rule: &str,
    ) -> Result<f64> {
        let v = self.number(row, column)?;
        if ok(v) {
            Ok(v)
        } else {
            Err(self.error(
                row,
                column,
                &format!("`{}` must be {rule}", self.text(row, column)),
            ))
        }
    }

    /// A new table with the given rows (in the given order), keeping their line numbers.
    ///
    /// # Panics
    /// If a row index is out of range, like slice indexing.
    pub fn select(&self, rows: &[usize]) -> Self {
        Self {
            source: self.source.clone(),
            headers: self.headers.clone(),
            rows: rows.iter().map(|&r| self.rows[r].clone()).collect(),
            lines: rows.iter().map(|&r| self.lines[r]).collect(),
        }
    }

    /// Refuses rows that repeat the key of an earlier one: the values of `columns` (those
    /// the table has; a number compared by its value, so `2023` repeats `2023.0`), every
    /// repeat reported with its line and the line it repeats. A firm-year given twice would
    /// count its claims twice.
    ///
    /// ```
    /// use kexian::table::Table;
    /// let t = Table::from_reader("exp", "firm,year\nA,2023\nA,2023.0\n".as_bytes())?;
    /// let e = t.check_unique(&["firm", "year", "line"]).unwrap_err().to_string();
    /// assert!(e.contains("line 3") && e.contains("repeats line 2"));
    /// # Ok::<(), kexian::Error>(())
    /// ```
    pub fn check_unique(&self, columns: &[&str]) -> Result<()> {
        let key_columns: Vec<(usize, &str)> = columns
            .iter()
            .filter_map(|c| self.column(c).ok().map(|i| (i, *c)))
            .collect();
        if key_columns.len() < 2 {
            return Ok(());
        }
        let key = |r: usize| -> Vec<String> {
            key_columns
                .iter()
                .map(|&(c, _)| {
                    let text = self.text(r, c);
                    text.parse::<f64>()
                        .map_or_else(|_| text.to_owned(), |v| v.to_string())
                })
                .collect()
        };
        let mut seen = std::collections::HashMap::new();
        let mut repeats = Vec::new();
        for r in 0..self.len() {
            let k = key(r);
            let shown: Vec<String> = (key_columns.iter().zip(&k))
                .map(|((_, name), v)| format!("{name}={v}"))
                .collect();
            if let Some(first) = seen.insert(k, self.line(r)) {
                repeats.push(format!(
                    "line {}: {} repeats line {first}",
                    self.line(r),
                    shown.join(", ")
                ));
            }
        }
        if repeats.is_empty() {
            Ok(())
        } else {
            Err(Error::Rows {
                source_name: self.source.clone(),
                errors: repeats,
            })
        }
    }

    /// An error located at a cell (line 0 or an empty column name for a cell that does not
    /// exist).
    pub fn error(&self, row: usize, column: usize, message: &str) -> Error {
        data_error(
            &self.source,
            self.line(row),
            self.headers.get(column).map_or("", String::as_str),
            message,
        )
    }
}

/// One row's cells in one buffer (as compact as a CSV record): cell `i` is
/// `text[ends[i − 1]..ends[i]]`.
#[derive(Debug, Clone, Default)]
struct Record {
    text: String,
    ends: Vec<usize>,
}

impl Record {
    fn get(&self, i: usize) -> Option<&str> {
        let end = *self.ends.get(i)?;
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        self.text.get(start..end)
    }

    fn iter(&self) -> impl Iterator<Item = &str> {
        (0..self.ends.len()).filter_map(|i| self.get(i))
    }
}

impl<S: AsRef<str>> FromIterator<S> for Record {
    fn from_iter<I: IntoIterator<Item = S>>(cells: I) -> Self {
        let mut record = Self::default();
        for cell in cells {
            record.text.push_str(cell.as_ref());
            record.ends.push(record.text.len());
        }
        record
    }
}

/// The values of one column for [`Table::from_columns`].
#[derive(Debug, Clone, PartialEq)]
pub enum Column {
    /// Labels (levels of a categorical factor, ids).
    Text(Vec<String>),
    /// Numbers.
    Number(Vec<f64>),
    /// Whole numbers (e.g. amounts in 分), kept exact.
    Integer(Vec<i64>),
}

impl Column {
    fn len(&self) -> usize {
        match self {
            Self::Text(v) => v.len(),
            Self::Number(v) => v.len(),
            Self::Integer(v) => v.len(),
        }
    }
}

pub(crate) fn data_error(source: &str, line: u64, column: &str, message: &str) -> Error {
    Error::Data {
        source_name: source.to_owned(),
        line,
        column: column.to_owned(),
        message: message.to_owned(),
    }
}

/// The largest |x| a `log_…` value may have: e^35 ≈ 1.6·10¹⁵ (元 of revenue, say).
pub const MAX_LOG_AMOUNT: f64 = 35.0;

/// Why `v` is no logarithm of an amount.
pub(crate) fn implausible_log(v: f64) -> String {
    format!(
        "{v} is implausible for a logarithm (|x| > {MAX_LOG_AMOUNT}): is it the amount itself \
         rather than its natural logarithm?"
    )
}
