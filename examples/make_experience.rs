//! Writes `data/experience.csv`: the bundled book's claims experience simulated from the
//! bundled model, one row per firm, year and line of its covers.
//!
//! The firm-years (sector, stage, score, log revenue, exposure) are those of
//! `scripts/make_experience.py`; each cover of the firm in `data/portfolio.csv` is simulated
//! for each of them with the bundled assumption set (its peril as underwritten today: event
//! in the year with its probability, then each occurrence's payment), a claim kept with
//! probability = the year's exposure (a firm that joined during the year). Systemic events
//! are left out (they are their own line of the model). Seeded by (firm, year, cover):
//! rerunning reproduces the file byte for byte.
//!
//! `python3 scripts/make_experience.py && python3 scripts/make_portfolio.py &&
//! cargo run --release --example make_experience`

use kexian::assumptions::Assumptions;
use kexian::io::read_portfolio;
use kexian::perils::Peril;
use kexian::rand::RngExt;
use kexian::simulation::batch_rng;
use kexian::table::Table;
use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;

const SEED: u64 = 20_261_206;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let data = concat!(env!("CARGO_MANIFEST_DIR"), "/data");
    let firms = read_portfolio(format!("{data}/portfolio.csv"))?;
    let (underwritten, book) = Assumptions::bundled()?.portfolio(&firms, vec![])?;
    let index: HashMap<&str, usize> = (firms.iter().enumerate())
        .map(|(i, f)| (f.id.as_str(), i))
        .collect();
    let skeleton = Table::from_path(format!("{data}/experience.csv"))?;
    let col = |name: &str| skeleton.column(name);
    let (firm, year) = (col("firm")?, col("year")?);
    let carried = ["sector", "stage", "score", "log_revenue", "exposure"]
        .iter()
        .map(|c| col(c))
        .collect::<Result<Vec<usize>, _>>()?;
    let mut out =
        String::from("firm,year,line,sector,stage,score,log_revenue,exposure,claims,incurred\n");
    let mut seen = std::collections::HashSet::new();
    let (mut rows, mut total) = (0, 0u64);
    for r in 0..skeleton.len() {
        let (id, y) = (skeleton.text(r, firm), skeleton.text(r, year));
        if !seen.insert((id.to_owned(), y.to_owned())) {
            continue; // one firm-year, whatever lines an earlier file gave it
        }
        let i = *index
            .get(id)
            .ok_or(format!("firm {id} is not in the book"))?;
        let exposure = skeleton.number(r, carried[4])?;
        let mut by_line: BTreeMap<&str, (u64, f64)> = BTreeMap::new();
        for (j, (peril, line)) in (book.policies()[i].perils.iter())
            .zip(&underwritten[i].lines)
            .enumerate()
        {
            let mut rng = batch_rng(SEED ^ ((i as u64) << 24), y.parse::<u64>()? << 8 | j as u64);
            let mut claims = Vec::new();
            if rng.random::<f64>() < peril.event_probability() {
                peril.claims_given_event(&mut rng, |x| claims.push(x));
            }
            let entry = by_line.entry(line).or_default();
            for x in claims {
                if x > 0.0 && rng.random::<f64>() < exposure {
                    entry.0 += 1;
                    entry.1 += x;
                }
            }
        }
        for (line, (n, incurred)) in by_line {
            let mut row = format!("{id},{y},{line}");
            for c in &carried {
                let _ = write!(row, ",{}", skeleton.text(r, *c));
            }
            let _ = writeln!(out, "{row},{n},{incurred:.2}");
            rows += 1;
            total += n;
        }
    }
    std::fs::write(format!("{data}/experience.csv"), out)?;
    println!("{rows} firm-year-lines; {total} claims");
    Ok(())
}
