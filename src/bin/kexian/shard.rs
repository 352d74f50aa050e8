//! Sharded runs from the command line. `quote … --shard i/n --out DIR` (or `simulate`)
//! simulates shard i of n of the run's years and writes DIR/shard.cbor: the part, the command's
//! output options, the run's seed and years, and the role, size and SHA-256 of every input
//! read, sealed with a SHA-256 of the whole (see `kexian::simulation::seal`).
//! `merge DIR… --portfolio … --config … --out OUT` reads the inputs it names (never a path
//! from a part), checks that the parts come from one command on inputs of the same contents,
//! merges them (exactly: see `kexian::portfolio::Portfolio::merge`) and writes what the single
//! run writes.

use super::{
    BookArgs, InputArgs, Inputs, Language, QuoteJob, Res, RunArgs, output, progress_bar, quote,
    simulate,
};
use kexian::portfolio::{Portfolio, PortfolioPart};
use kexian::quote::InputFile;
use kexian::simulation::{Observer, Shard, seal, unseal};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// The command a shard belongs to, with its output options (no paths).
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub(crate) enum Job {
    Quote(QuoteJob),
    Simulate(Language),
}

/// What a shard writes: no path of any kind (a merge reads only what its command names, and
/// refuses a file with fields it does not know).
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ShardFile {
    format: String,
    version: u32,
    /// The kexian release that simulated it (a merge needs the same).
    written_by: String,
    job: Job,
    /// The run's seed and simulated years (the configuration's, or the command line's).
    seed: u64,
    trials: u64,
    /// What the shard read, by role and contents.
    inputs: Vec<Contents>,
    /// `i/n`.
    shard: String,
    part: PortfolioPart,
}

/// An input file's role, size and SHA-256.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Contents {
    role: String,
    bytes: u64,
    sha256: String,
}

impl From<InputFile> for Contents {
    fn from(f: InputFile) -> Self {
        Self {
            role: f.role,
            bytes: f.bytes,
            sha256: f.sha256,
        }
    }
}

const FORMAT: &str = "kexian shard";
const VERSION: u32 = 2;
const FILE: &str = "shard.cbor";
/// The largest shard file a merge reads.
const MAX_PART_BYTES: u64 = 8 << 30;

fn release() -> String {
    format!("kexian {}", env!("CARGO_PKG_VERSION"))
}

/// Simulates `shard` of the run and writes its partial result to `out`/shard.cbor.
pub(crate) fn write(
    inputs: &Inputs,
    portfolio: &Portfolio,
    shard: Shard,
    job: Job,
    out: &Path,
) -> Res<()> {
    // What the merge's quote would refuse is refused here, before the part is simulated.
    if matches!(job, Job::Quote(_)) {
        inputs.check()?;
    }
    let bar = progress_bar(inputs.quiet);
    let config = inputs.config.portfolio();
    let part = portfolio.simulate_shard(&config, shard, bar.as_ref().map(|b| b as Observer))?;
    let blocks = part.blocks();
    let name = format!("{}/{}", shard.index(), shard.count());
    let file = ShardFile {
        format: FORMAT.into(),
        version: VERSION,
        written_by: release(),
        job,
        seed: config.simulation.seed,
        trials: config.simulation.trials,
        inputs: inputs
            .input_files()?
            .into_iter()
            .map(Contents::from)
            .collect(),
        shard: name.clone(),
        part,
    };
    let mut bytes = Vec::new();
    ciborium::into_writer(&file, &mut bytes)?;
    output::write_set(out, &[(FILE, seal(&bytes))])?;
    let trials = config.simulation.trials;
    let year = |b: usize| (b as u64 * kexian::portfolio::BLOCK as u64).min(trials);
    println!(
        "shard {name}: years {}..{} of {trials} → {}",
        year(blocks.start),
        year(blocks.end),
        out.display()
    );
    Ok(())
}

/// Reads a shard's file (`path` or `path`/shard.cbor): a regular file, its seal checked
/// before it is decoded.
fn read(path: &Path) -> Res<ShardFile> {
    let file = if path.is_dir() {
        path.join(FILE)
    } else {
        path.to_path_buf()
    };
    let bytes = kexian::io::read_bytes_capped(&file, MAX_PART_BYTES)?;
    let damaged =
        |e: &dyn std::fmt::Display| format!("{}: not a kexian shard ({e})", file.display());
    let mut payload = unseal(&bytes).map_err(|e| damaged(&e))?;
    let f: ShardFile = ciborium::from_reader(&mut payload).map_err(|e| damaged(&e))?;
    if !payload.is_empty() {
        return Err(damaged(&"bytes after its end").into());
    }
    if f.format != FORMAT || f.version != VERSION || f.written_by != release() {
        return Err(format!(
            "{}: a `{}` file version {} written by {}, this is {} reading `{FORMAT}` version \
             {VERSION}: run every shard and the merge with one release",
            file.display(),
            f.format,
            f.version,
            f.written_by,
            release()
        )
        .into());
    }
    Ok(f)
}

/// Merges the shards' parts in `paths` on the inputs the command names and writes the
/// single run's outputs to `out` (and the charts to `charts`).
pub(crate) fn merge(
    paths: &[PathBuf],
    inputs: InputArgs,
    run: RunArgs,
    out: &Path,
    charts: Option<PathBuf>,
) -> Res<()> {
    output::check(out)?;
    let files = paths.iter().map(|p| read(p)).collect::<Res<Vec<_>>>()?;
    let first = &files[0];
    let same_run = |f: &ShardFile| {
        f.job == first.job
            && (f.seed, f.trials) == (first.seed, first.trials)
            && f.inputs == first.inputs
    };
    for (f, path) in files.iter().zip(paths).skip(1) {
        if !same_run(f) {
            return Err(format!(
                "{} (shard {}) was made by another command, with other arguments or from other \
                 inputs than {} (shard {})",
                path.display(),
                f.shard,
                paths[0].display(),
                first.shard
            )
            .into());
        }
    }
    let book = BookArgs {
        inputs,
        trials: Some(first.trials),
        seed: Some(first.seed),
        run,
    };
    let (inputs, portfolio) = book.load(out)?;
    let now = inputs.input_files()?;
    if now.len() != first.inputs.len() {
        return Err("the configuration now reads other files than the shards read".into());
    }
    for (was, is) in first.inputs.iter().zip(now) {
        let path = is.path.clone();
        let is = Contents::from(is);
        if *was != is {
            return Err(format!(
                "{path} ({}) differs from the {} the shards read ({} bytes, SHA-256 {} then; \
                 {} bytes, {} now)",
                is.role, was.role, was.bytes, was.sha256, is.bytes, is.sha256
            )
            .into());
        }
    }
    let job = first.job.clone();
    let config = inputs.config.portfolio();
    for (f, path) in files.iter().zip(paths) {
        portfolio
            .check_part(&config, &f.part)
            .map_err(|e| format!("{} (shard {}): {e}", path.display(), f.shard))?;
    }
    // A part the merge refuses is named by its file.
    let names: Vec<_> = (files.iter().zip(paths))
        .map(|(f, path)| {
            let b = f.part.blocks();
            let name = format!("{} (shard {})", path.display(), f.shard);
            (b.start as u64..b.end as u64, name)
        })
        .collect();
    let parts: Vec<PortfolioPart> = files.into_iter().map(|f| f.part).collect();
    match job {
        Job::Quote(mut job) => {
            if let Some(dir) = &charts {
                output::check(dir)?;
            }
            job.charts = charts;
            let priced = inputs.price_with(|book, config| {
                book.merge(config, parts).map_err(|e| e.in_part(&names))
            })?;
            quote(&inputs, priced, out, &job)
        }
        Job::Simulate(_) if charts.is_some() => {
            Err("--charts goes with the merge of a `quote` run".into())
        }
        Job::Simulate(lang) => {
            let run = (portfolio.merge(&config, parts)).map_err(|e| e.in_part(&names))?;
            simulate(&inputs, &run, out, lang)
        }
    }
}
