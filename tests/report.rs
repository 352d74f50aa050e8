//! `kexian report` in Chinese and English on the bundled book: the HTML holds every section
//! (rate tables, the exceedance chart, the stresses); rendered by headless Chromium its first
//! pages are not blank and its Chinese heading has glyphs; the PDF has a plausible page count.
//! The screenshots are kept in target/report-screenshots for a person to look at.

use std::path::{Path, PathBuf};
use std::process::Command;

fn chromium() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .flat_map(|n| std::env::split_paths(&path).map(move |d| d.join(n)))
        .find(|p| p.is_file())
}

/// Pixels of `png` within ±`tol` of `rgb` in every channel.
fn coloured(png: &Path, rgb: (u8, u8, u8), tol: i32) -> usize {
    let pixmap = resvg::tiny_skia::Pixmap::load_png(png).unwrap();
    let near = |a: u8, b: u8| (i32::from(a) - i32::from(b)).abs() <= tol;
    (pixmap.pixels().iter())
        .filter(|p| near(p.red(), rgb.0) && near(p.green(), rgb.1) && near(p.blue(), rgb.2))
        .count()
}

/// Share of non-white pixels of `png` in the rectangle (x0, y0)–(x1, y1).
fn inked(png: &Path, (x0, y0, x1, y1): (u32, u32, u32, u32)) -> f64 {
    let pixmap = resvg::tiny_skia::Pixmap::load_png(png).unwrap();
    let (w, h) = (pixmap.width(), pixmap.height());
    let (x1, y1) = (x1.min(w), y1.min(h));
    let mut dark = 0usize;
    for y in y0..y1 {
        for x in x0..x1 {
            let p = pixmap.pixel(x, y).unwrap();
            if p.red() < 200 || p.green() < 200 || p.blue() < 200 {
                dark += 1;
            }
        }
    }
    dark as f64 / ((x1 - x0) * (y1 - y0)) as f64
}

#[test]
fn the_report_renders_in_chinese_and_english_with_its_tables_charts_and_stresses() {
    let shots = Path::new(env!("CARGO_TARGET_TMPDIR")).join("report-screenshots");
    std::fs::create_dir_all(&shots).unwrap();
    let browser = chromium();
    for lang in ["zh", "en"] {
        let out = std::env::temp_dir().join(format!("kexian-report-{lang}-{}", std::process::id()));
        let run = Command::new(env!("CARGO_BIN_EXE_kexian"))
            .args([
                "report",
                "--portfolio",
                "data/portfolio.csv",
                "--config",
                "data/pricing.json",
            ])
            .args(["--trials", "16384", "--quiet", "--lang", lang, "--out"])
            .arg(&out)
            .output()
            .unwrap();
        assert!(
            run.status.success(),
            "{}",
            String::from_utf8_lossy(&run.stderr)
        );
        let html = std::fs::read_to_string(out.join("report.html")).unwrap();
        let zh = lang == "zh";
        for must in [
            "class=\"rate-table\"",
            if zh {
                "超越概率曲线"
            } else {
                "Exceedance curve"
            },
            "systemic cyber events twice as frequent",
            "IC R&amp;D failure rates x1.5",
            if zh { "参数风险" } else { "parameter risk" },
            "inputs sha256",
            if zh {
                "精算报告"
            } else {
                "Actuarial report"
            },
        ] {
            assert!(html.contains(must), "{lang}: `{must}` missing");
        }
        assert!(html.matches("<svg").count() >= 5, "charts inline");
        assert!(
            !html.contains("src=\"http") && !html.contains("href=\"http"),
            "self-contained"
        );
        let Some(browser) = &browser else {
            eprintln!("no Chromium: the rendering checks need it (.ci/run installs it)");
            continue;
        };
        // The first two A4 pages at 150 dpi, as a person sees them.
        let png = shots.join(format!("report-{lang}.png"));
        let status = Command::new(browser)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--hide-scrollbars",
                "--window-size=1240,3508",
            ])
            .arg(format!("--screenshot={}", png.display()))
            .arg(format!("file://{}", out.join("report.html").display()))
            .output()
            .unwrap();
        assert!(png.is_file(), "{}", String::from_utf8_lossy(&status.stderr));
        let page = inked(&png, (0, 0, 1240, 3508));
        assert!(page > 0.02 && page < 0.6, "{lang}: inked share {page}");
        // The heading: the first 40–110 pixels of the page, the text column.
        let heading = inked(&png, (130, 30, 1100, 110));
        assert!(heading > 0.02, "{lang}: heading area inked {heading}");
        // The whole report at half scale: the rate tables (their header colour) and the
        // exceedance chart (its occurrence curve's orange, used by no other chart) render.
        let whole = shots.join(format!("report-{lang}-whole.png"));
        Command::new(browser)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--hide-scrollbars",
            ])
            .args([
                "--force-device-scale-factor=0.5",
                "--window-size=1240,40000",
            ])
            .arg(format!("--screenshot={}", whole.display()))
            .arg(format!("file://{}", out.join("report.html").display()))
            .output()
            .unwrap();
        let rate_headers = coloured(&whole, (0xfb, 0xe3, 0xc0), 6);
        let orange = coloured(&whole, (0xd0, 0x70, 0x30), 24);
        assert!(
            rate_headers > 500,
            "{lang}: rate-table headers {rate_headers} pixels"
        );
        assert!(
            orange > 100,
            "{lang}: exceedance curve {orange} orange pixels"
        );
        let pdf =
            std::fs::read(out.join("report.pdf")).expect("report.pdf where Chromium is installed");
        let pages = pdf.windows(11).filter(|w| w == b"/Type /Page").count()
            - pdf.windows(12).filter(|w| w == b"/Type /Pages").count();
        assert!((5..=60).contains(&pages), "{lang}: {pages} pages");
        eprintln!(
            "{lang}: {pages} PDF pages, {rate_headers} rate-table header and {orange} orange pixels; screenshots {} and {}",
            png.display(),
            whole.display()
        );
        std::fs::remove_dir_all(&out).ok();
        // The output set's versions live beside it (`.NAME.sets`).
        let name = out.file_name().unwrap().to_string_lossy();
        std::fs::remove_dir_all(out.with_file_name(format!(".{name}.sets"))).ok();
        std::fs::remove_file(&out).ok();
    }
    if browser.is_some() {
        // Chinese glyphs need a CJK font: the rendering above used one.
        let fonts = Command::new("fc-list")
            .arg(":lang=zh")
            .output()
            .map(|o| o.stdout)
            .unwrap_or_default();
        assert!(
            !fonts.is_empty(),
            "no font for Chinese (install fonts-noto-cjk)"
        );
    }
}
