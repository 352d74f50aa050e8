//! Sharded runs from the command line. `quote … --shard i/n --out DIR` (or `simulate`)
//! simulates shard i of n of the run's years and writes DIR/shard.cbor: the part, the command
//! and its arguments, and the size and SHA-256 of every input read. `merge DIR… --out OUT`
//! checks that the parts come from one command on unchanged inputs, merges them (exactly:
//! see `kexian::portfolio::Portfolio::merge`) and writes what the single run writes.

use super::{
    BookArgs, Lang, QuoteJob, check_writable, input_files, progress_bar, quote, simulate, write_set,
};
use crate::Inputs;
use kexian::portfolio::{Portfolio, PortfolioPart};
use kexian::quote::InputFile;
use kexian::simulation::{Observer, Shard};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

type Res<T> = Result<T, Box<dyn std::error::Error>>;

/// The command a shard belongs to, with its output options.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub(crate) enum Job {
    Quote(QuoteJob),
    Simulate(Lang),
}

/// What a shard writes.
#[derive(Serialize, Deserialize)]
struct ShardFile {
    format: String,
    version: u32,
    /// The kexian release that simulated it (a merge needs the same).
    written_by: String,
    job: Job,
    book: BookArgs,
    inputs: Vec<InputFile>,
    /// `i/n`.
    shard: String,
    part: PortfolioPart,
}

const FORMAT: &str = "kexian shard";
const VERSION: u32 = 1;
const FILE: &str = "shard.cbor";

fn release() -> String {
    format!("kexian {}", env!("CARGO_PKG_VERSION"))
}

/// Simulates `shard` of the run and writes its partial result to `out`/shard.cbor.
pub(crate) fn write(
    inputs: &Inputs,
    portfolio: &Portfolio,
    shard: Shard,
    job: Job,
    book: BookArgs,
    out: &Path,
) -> Res<()> {
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
        // Progress and the memory budget do not change the results.
        book: BookArgs {
            quiet: false,
            memory_limit: None,
            ..book
        },
        inputs: input_files(inputs)?,
        shard: name.clone(),
        part,
    };
    let mut bytes = Vec::new();
    ciborium::into_writer(&file, &mut bytes)?;
    write_set(out, &[(FILE, bytes)])?;
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

/// Reads a shard's file (`path` or `path`/shard.cbor).
fn read(path: &Path) -> Res<ShardFile> {
    let file = if path.is_dir() {
        path.join(FILE)
    } else {
        path.to_path_buf()
    };
    let bytes = std::fs::read(&file).map_err(|e| format!("{}: {e}", file.display()))?;
    let f: ShardFile = ciborium::from_reader(&bytes[..])
        .map_err(|e| format!("{}: not a kexian shard ({e})", file.display()))?;
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

/// Merges the shards' parts in `paths` and writes the single run's outputs to `out`.
pub(crate) fn merge(paths: &[PathBuf], out: &Path) -> Res<()> {
    check_writable(out)?;
    let files = paths.iter().map(|p| read(p)).collect::<Res<Vec<_>>>()?;
    let first = &files[0];
    for (f, path) in files.iter().zip(paths).skip(1) {
        if f.job != first.job || f.book != first.book || f.inputs != first.inputs {
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
    let (inputs, portfolio) = first.book.clone().load(out)?;
    let now = input_files(&inputs)?;
    if now.len() != first.inputs.len() {
        return Err("the configuration now reads other files than the shards read".into());
    }
    for (was, is) in first.inputs.iter().zip(&now) {
        if was != is {
            return Err(format!(
                "{} ({}) changed since the shards read it (SHA-256 {} then, {} now)",
                is.path, is.role, was.sha256, is.sha256
            )
            .into());
        }
    }
    let job = first.job.clone();
    let parts: Vec<PortfolioPart> = files.into_iter().map(|f| f.part).collect();
    match job {
        Job::Quote(job) => {
            if let Some(dir) = &job.charts {
                check_writable(dir)?;
            }
            quote(&inputs, out, &job, |book, config| book.merge(config, parts))
        }
        Job::Simulate(lang) => {
            let run = portfolio.merge(&inputs.config.portfolio(), parts)?;
            simulate(&inputs, &run, out, lang)
        }
    }
}
