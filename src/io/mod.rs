//! Files at the edge: JSON and CSV in, with errors that name the file, line and field;
//! reports (text) and charts (SVG) out. The pricing pipeline itself takes typed values and
//! depends on nothing here. CSV and charts need the `io` feature (on by default; the csv
//! and plotters crates); JSON is always read.

#[cfg(feature = "io")]
/// A titled chart with labelled axes over coordinates `$x`, `$y` (plotters ranges, linear
/// or log) on `$root`: the frame every chart shares.
macro_rules! frame {
    ($root:expr, $title:expr, ($x_desc:expr, $y_desc:expr $(,)?), $x:expr, $y:expr $(,)?) => {{
        let mut chart = ChartBuilder::on($root)
            .caption($title, (FONT, 20))
            .margin(16)
            // Room for the last tick label's right half.
            .margin_right(40)
            .x_label_area_size(48)
            .y_label_area_size(84)
            .build_cartesian_2d($x, $y)
            .map_err(failed)?;
        chart
            .configure_mesh()
            .x_desc($x_desc)
            .y_desc($y_desc)
            .x_label_formatter(&|v| $crate::io::thousands(*v))
            .y_label_formatter(&|v| $crate::io::thousands(*v))
            .label_style((FONT, 13))
            .draw()
            .map_err(failed)?;
        chart
    }};
}

#[cfg(feature = "io")]
mod charts;
#[cfg(feature = "io")]
mod exceedance;
#[cfg(feature = "io")]
mod plot;
#[cfg(feature = "io")]
mod portfolio;
mod report;
#[cfg(feature = "io")]
mod tornado;

pub use crate::table::{MAX_INPUT_BYTES, Table};
#[cfg(feature = "io")]
pub use charts::{BAND_Z, PpPoint, mean_excess_plot, pp_plot, pp_points, qq_plot};
#[cfg(feature = "io")]
pub use exceedance::exceedance_chart;
#[cfg(feature = "io")]
pub use plot::{AeBar, FONT, Language, ae_chart, calibration_chart, lorenz_chart};
#[cfg(feature = "io")]
pub use portfolio::{read_portfolio, read_portfolio_csv};
#[cfg(feature = "io")]
pub use tornado::{TornadoBar, tornado_chart};

use crate::book::Firm;
use crate::error::{Error, Result, Validate};

/// A number as people read it in a table or on an axis: thousands separated by commas,
/// whole numbers without decimals ("50,000", not "50000.0"), others with at most the
/// significant decimals of 4 figures ("0.25", "1.5").
///
/// ```
/// use kexian::io::thousands;
/// assert_eq!(thousands(50000.0), "50,000");
/// assert_eq!(thousands(-1234567.0), "-1,234,567");
/// assert_eq!(thousands(0.25), "0.25");
/// assert_eq!(thousands(12.25), "12.25");
/// ```
pub fn thousands(x: f64) -> String {
    if !x.is_finite() {
        return x.to_string();
    }
    let decimals = if x == x.round() || x.abs() >= 1e4 {
        0
    } else {
        (3 - x.abs().log10().floor() as i32).clamp(0, 12) as usize
    };
    let text = format!("{:.*}", decimals, x.abs());
    let (whole, fraction) = text.split_once('.').unwrap_or((&text, ""));
    let fraction = fraction.trim_end_matches('0');
    let mut out = String::from(if x < 0.0 && !text.trim_matches(['0', '.']).is_empty() {
        "-"
    } else {
        ""
    });
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if !fraction.is_empty() {
        out.push('.');
        out.push_str(fraction);
    }
    out
}
use crate::table::open_input;
use serde::de::DeserializeOwned;
use std::io::Read;
use std::path::Path;

/// Parses JSON text into `T`; a shape or syntax error names `source`, line, column and the
/// field's path in the document. A UTF-8 byte-order mark is skipped.
pub fn parse_json<T: DeserializeOwned>(source: &str, text: &str) -> Result<T> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let error = |path: String, e: serde_json::Error| {
        let message = strip_position(&e.to_string());
        Error::Json {
            source_name: source.to_owned(),
            line: e.line(),
            column: e.column(),
            // The field's place, e.g. `[0].covers[1].terms.claim`, when the error is in one.
            message: if path == "." || path.is_empty() {
                message
            } else {
                format!("at `{path}`: {message}")
            },
        }
    };
    let mut de = serde_json::Deserializer::from_str(text);
    let value = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        error(path, e.into_inner())
    })?;
    de.end().map_err(|e| error(String::new(), e))?;
    Ok(value)
}

/// A JSON list of [`Firm`]s; each firm's origin is `source firms[k]`.
///
/// ```
/// let firms = kexian::io::read_portfolio_json("book.json", r#"[{"id": "F1", "sector": "ai",
///     "size": "small", "stage": "growth", "score": 655, "covers": [{"product": "cyber"}]}]"#)?;
/// assert_eq!(firms[0].origin.as_deref(), Some("book.json firms[0]"));
/// # Ok::<(), kexian::Error>(())
/// ```
pub fn read_portfolio_json(source: &str, text: &str) -> Result<Vec<Firm>> {
    let mut firms: Vec<Firm> = parse_json(source, text)?;
    for (k, f) in firms.iter_mut().enumerate() {
        f.origin = Some(format!("{source} firms[{k}]"));
    }
    Ok(firms)
}

/// Reads and parses a JSON file.
pub fn read_json<T: DeserializeOwned>(path: impl AsRef<Path>) -> Result<T> {
    let (name, text) = read_text(path.as_ref())?;
    parse_json(&name, &text)
}

/// Reads a configuration file and validates it: a problem of shape names the line and
/// column, a broken rule names the file, parameter and rule ([`Error::InFile`]).
pub fn read_config<T: DeserializeOwned + Validate>(path: impl AsRef<Path>) -> Result<T> {
    let (name, text) = read_text(path.as_ref())?;
    let config: T = parse_json(&name, &text)?;
    config.validate().map_err(|e| Error::InFile {
        source_name: name,
        error: Box::new(e),
    })?;
    Ok(config)
}

/// A file's display name and text; a missing or unreadable file, or one that is not a
/// regular file of at most [`MAX_INPUT_BYTES`], is [`Error::Io`].
pub fn read_text(path: &Path) -> Result<(String, String)> {
    let name = path.display().to_string();
    let mut text = String::new();
    open_input(path, MAX_INPUT_BYTES)?
        .read_to_string(&mut text)
        .map_err(|e| Error::Io {
            path: name.clone(),
            message: e.to_string(),
        })?;
    Ok((name, text))
}

/// A file's bytes, read as [`read_text`] reads (at most [`MAX_INPUT_BYTES`]).
pub fn read_bytes(path: &Path) -> Result<Vec<u8>> {
    read_bytes_capped(path, MAX_INPUT_BYTES)
}

/// A regular file's bytes, at most `cap` of them (a larger file, a directory, device, FIFO
/// or socket is [`Error::Io`], refused before it is read).
pub fn read_bytes_capped(path: &Path, cap: u64) -> Result<Vec<u8>> {
    let mut bytes = Vec::new();
    open_input(path, cap)?
        .read_to_end(&mut bytes)
        .map_err(|e| Error::Io {
            path: path.display().to_string(),
            message: e.to_string(),
        })?;
    Ok(bytes)
}

/// serde_json appends " at line L column C"; the error carries them as fields.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_owned(),
        None => message.to_owned(),
    }
}
