//! `quote`, `simulate` and `backtest`: the book's quotes, its loss statistics, and the
//! backtests of the rating plan.

use super::text::{
    backtest_charts, json_bytes, json_to, label, loss_ratio_text, quotes_csv, simulation_text,
    summary_text,
};
use super::{BacktestColumns, Job, JobResult, Output};
use crate::backtest::{LossRatioBacktest, RollingBacktest};
use crate::io::{Language, exceedance_chart};
use crate::portfolio::PortfolioRun;
use crate::quote::QuoteRun;
use crate::simulation::Observer;

/// How `quote` writes its outputs.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuoteOptions {
    /// Language of labels in the CSV and the summary.
    #[serde(default)]
    pub lang: Language,
    /// Start quotes.csv with a UTF-8 byte-order mark, so Excel reads its Chinese headers
    /// (always with Chinese labels).
    #[serde(default)]
    pub excel: bool,
    /// Write quotes.csv.gz and quotes.json.gz (gzip, RFC 1952) instead of quotes.csv and
    /// quotes.json (summary.json stays plain).
    #[serde(default)]
    pub gzip: bool,
    /// Add exceedance.svg (the exceedance curves with their standard-error bands).
    #[serde(skip)]
    pub charts: bool,
}

/// The book's quotes, priced from the portfolio run: quotes.csv, quotes.json (or their
/// gzip), summary.json and, if asked, exceedance.svg; the summary as text.
pub fn quote(
    job: &Job,
    options: &QuoteOptions,
    observer: Option<Observer>,
) -> JobResult<Output<QuoteRun>> {
    quote_priced(job, job.price(observer)?, options)
}

/// [`quote`]'s outputs of quotes already priced (e.g. from merged shards).
pub fn quote_priced(
    job: &Job,
    priced: QuoteRun,
    options: &QuoteOptions,
) -> JobResult<Output<QuoteRun>> {
    let lang = options.lang;
    let bom = options.excel || matches!(lang, Language::Zh);
    // One table at a time, each compressed as soon as it is made (the JSON as it is
    // written): a big book's plain text is never held whole beside the others.
    let quotes = if options.gzip {
        // The JSON (most of the bytes) compressed on a thread of its own meanwhile.
        let (csv, json) = std::thread::scope(|scope| {
            let json = scope.spawn(|| json_gzip(&priced.quotes));
            let csv = quotes_csv(&priced, lang, bom).and_then(|csv| Ok(gzip(&csv)?));
            (csv, json.join())
        });
        let json = json.map_err(|_| "compressing quotes.json failed")??;
        [("quotes.csv.gz", csv?), ("quotes.json.gz", json)]
    } else {
        let csv = quotes_csv(&priced, lang, bom)?;
        [
            ("quotes.csv", csv),
            ("quotes.json", json_bytes(&priced.quotes)?),
        ]
    };
    let covers = ("covers.csv", super::cover_table(&priced).csv(lang, bom)?);
    let summary = ("summary.json", json_bytes(&priced.summary)?);
    let mut files: Vec<_> = quotes.into_iter().chain([covers, summary]).collect();
    if options.charts {
        let s = &priced.summary;
        let curve = exceedance_chart(
            &s.exceedance_curve,
            &s.occurrence_curve,
            job.config.simulation.trials,
            lang,
        )?;
        files.push(("exceedance.svg", curve.into_bytes()));
    }
    let text = format!(
        "{}{} {}",
        summary_text(&priced.summary, lang),
        priced.quotes.len(),
        label("quotes written", lang)
    );
    Ok(Output {
        value: priced,
        files,
        text,
    })
}

/// `bytes` gzip-compressed (default level).
fn gzip(bytes: &[u8]) -> std::io::Result<Vec<u8>> {
    use std::io::Write;
    let mut z = gzip_encoder();
    z.write_all(bytes)?;
    z.finish()
}

/// [`json_bytes`] of `value` gzip-compressed as it is written.
fn json_gzip<T: serde::Serialize>(value: &T) -> JobResult<Vec<u8>> {
    let buffered = std::io::BufWriter::with_capacity(1 << 16, gzip_encoder());
    let z = json_to(buffered, value)?;
    Ok(z.into_inner().map_err(|e| e.into_error())?.finish()?)
}

fn gzip_encoder() -> flate2::write::GzEncoder<Vec<u8>> {
    flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default())
}

/// The book's loss statistics (simulation.json and the text) from its portfolio run.
pub fn simulate(job: &Job, run: &PortfolioRun, lang: Language) -> JobResult<Output<()>> {
    let text = simulation_text(run, job, lang)?;
    let summary = serde_json::json!({
        "losses": run.losses,
        "tvar": run.tvar,
        "tvar_level": run.tvar_level,
        "seed": job.config.simulation.seed,
        "trials": job.config.simulation.trials,
        "assumptions": format!("{} ({})", job.assumptions.set().name, job.assumptions.source()),
        "input_files": job.input_files()?,
    });
    Ok(Output {
        value: (),
        files: vec![("simulation.json", json_bytes(&summary)?)],
        text,
    })
}

/// The rolling backtest of the configuration's rating plan and its loss-ratio backtest on
/// the job's experience: backtest.txt, backtest.json, loss_ratio.csv, loss_ratio.json and
/// the charts (Lorenz, A/E by year and by segment, calibration).
pub fn backtest(
    job: &Job,
    columns: &BacktestColumns,
    lang: Language,
    observer: Option<Observer>,
) -> JobResult<Output<(RollingBacktest, LossRatioBacktest)>> {
    let (bt, lr) = job.backtests(columns, observer)?;
    let text = format!("{}\n{}", bt.to_text(), loss_ratio_text(&lr, lang));
    let mut files = vec![
        ("backtest.txt", text.clone().into_bytes()),
        ("backtest.json", json_bytes(&bt)?),
        (
            "loss_ratio.csv",
            super::loss_ratio_table(&lr).csv(Language::En, false)?,
        ),
        ("loss_ratio.json", json_bytes(&lr)?),
    ];
    files.extend(backtest_charts(
        &bt,
        &lr,
        lang,
        &job.assumptions.set().names_zh,
    )?);
    Ok(Output {
        value: (bt, lr),
        files,
        text,
    })
}
