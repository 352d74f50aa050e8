//! Charts render: each kind, drawn from real results, rasterised by resvg to a PNG of the
//! chart's size that is not blank (axes, ticks, curves and markers cover part of it; text is
//! skipped by a raster without fonts, so what is counted are the drawn shapes).

mod common;

use common::svg::defects;
use kexian::backtest::{
    BacktestSpec, LossRatioBacktest, RollingBacktest, loss_ratio_backtest, rolling_backtest,
};
use kexian::io::{
    AeBar, Language, TornadoBar, ae_chart, calibration_chart, exceedance_chart, lorenz_chart,
    tornado_chart,
};
use kexian::quote::CurvePoint;
use kexian::rating::GlmFamily;
use kexian::table::Table;

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/data");

/// Rasterises an SVG; returns (width, height, share of pixels that are not white).
fn raster(svg: &str) -> (u32, u32, f64) {
    let tree = resvg::usvg::Tree::from_str(svg, &resvg::usvg::Options::default()).unwrap();
    let size = tree.size().to_int_size();
    let mut pixmap = resvg::tiny_skia::Pixmap::new(size.width(), size.height()).unwrap();
    resvg::render(
        &tree,
        resvg::tiny_skia::Transform::default(),
        &mut pixmap.as_mut(),
    );
    let inked = pixmap
        .pixels()
        .iter()
        .filter(|p| p.alpha() > 0 && (p.red() < 230 || p.green() < 230 || p.blue() < 230))
        .count();
    if let Ok(dir) = std::env::var("KEXIAN_CHART_PNG") {
        let name = format!("{dir}/chart-{}.png", svg.len());
        pixmap.save_png(name).unwrap();
    }
    (
        size.width(),
        size.height(),
        inked as f64 / (size.width() * size.height()) as f64,
    )
}

fn backtests() -> (RollingBacktest, LossRatioBacktest) {
    let config: kexian::quote::QuoteConfig =
        kexian::io::read_config(format!("{DATA}/pricing.json")).unwrap();
    let rating = config.rating.unwrap();
    let table = Table::from_path(format!("{DATA}/experience.csv")).unwrap();
    let backtest = BacktestSpec {
        plan: &rating.spec,
        family: GlmFamily::Poisson,
        year_column: "year",
        min_train_years: 2,
    };
    let bt = rolling_backtest(&table, &backtest, None).unwrap();
    let lr = loss_ratio_backtest(&table, &backtest, ("incurred", "sector"), 0.25, None).unwrap();
    (bt, lr)
}

#[test]
fn every_chart_renders_to_a_png_that_is_not_blank() {
    let (bt, lr) = backtests();
    let curve: Vec<CurvePoint> = [2.0, 5.0, 10.0, 50.0, 100.0, 200.0, 1000.0]
        .iter()
        .map(|&t: &f64| CurvePoint {
            return_period: t,
            loss: 3e8 + 2e7 * t.ln(),
            std_error: 1e6 * t.sqrt(),
        })
        .collect();
    let occurrence: Vec<CurvePoint> = curve
        .iter()
        .map(|p| CurvePoint {
            loss: p.loss / 10.0,
            ..*p
        })
        .collect();
    let segments: Vec<AeBar> = lr.segments.iter().map(AeBar::from).collect();
    for lang in [Language::En, Language::Zh] {
        let zh = lang == Language::Zh;
        let pick = |en, cn| if zh { cn } else { en };
        let charts = [
            (
                exceedance_chart(&curve, &occurrence, 100_000, lang).unwrap(),
                vec![
                    pick("return period T", "重现期 T"),
                    pick("(万元)", "(万元)"),
                    "100,000",
                ],
                true,
            ),
            (
                lorenz_chart(&bt.lorenz, lang).unwrap(),
                vec![
                    pick("share of premium", "保费占比"),
                    pick("share of losses", "损失占比"),
                ],
                false,
            ),
            (
                ae_chart(&segments, "A/E", pick("sector", "行业"), lang).unwrap(),
                vec![
                    pick("sector", "行业"),
                    pick("actual / expected", "实际 / 预期"),
                ],
                false,
            ),
            (
                calibration_chart(bt.overall.calibration.as_ref().unwrap(), lang).unwrap(),
                vec![pick("mean predicted claims", "平均预测赔案数")],
                false,
            ),
        ];
        for (svg, titles, band) in &charts {
            assert!(
                svg.contains(kexian::io::FONT),
                "the CJK font stack is named"
            );
            let found = defects(svg, titles, *band);
            assert!(found.is_empty(), "{found:#?}");
            let (w, h, inked) = raster(svg);
            assert_eq!(w, 720);
            assert!(h >= 460, "{h}");
            assert!(inked > 0.01 && inked < 0.6, "inked share {inked}");
        }
        if lang == Language::Zh {
            assert!(charts[0].0.contains("重现期") && charts[1].0.contains("基尼系数"));
        }
    }
    // Two curves, one pixel apart in SE, give different pictures: the band is drawn.
    let wider: Vec<CurvePoint> = curve
        .iter()
        .map(|p| CurvePoint {
            std_error: 4.0 * p.std_error,
            ..*p
        })
        .collect();
    let (_, _, narrow) = raster(&exceedance_chart(&curve, &[], 1000, Language::En).unwrap());
    let (_, _, wide) = raster(&exceedance_chart(&wider, &[], 1000, Language::En).unwrap());
    assert!(wide > narrow, "{wide} vs {narrow}");
}

#[test]
fn the_tornado_chart_has_its_axis_labels_whiskers_and_no_defects() {
    let bars: Vec<TornadoBar> = [
        ("cyber frequency +10%", 2.3e6, 3.9e4),
        ("dependence +10%", -1.5e5, 2e4),
    ]
    .iter()
    .map(|&(label, change, std_error)| TornadoBar {
        label: label.into(),
        change,
        std_error,
    })
    .collect();
    let svg = tornado_chart(&bars, "Premium sensitivity", "change in premium (万元)").unwrap();
    let found = defects(
        &svg,
        &["cyber frequency +10%", "change in premium (万元)"],
        false,
    );
    assert!(found.is_empty(), "{found:#?}");
    let (_, _, inked) = raster(&svg);
    assert!(inked > 0.01, "{inked}");
    assert!(tornado_chart(&[], "t", "x").is_err());
}

#[test]
fn empty_charts_are_errors_not_panics() {
    assert!(exceedance_chart(&[], &[], 10, Language::En).is_err());
    assert!(ae_chart(&[], "A/E", "year", Language::En).is_err());
}

#[test]
fn the_defect_check_finds_each_defect() {
    let bad = r##"<svg width="100" height="50" viewBox="0 0 100 50">
<polygon opacity="0" fill="#4878A8" points="0,0 1,1 2,0"/>
<text x="95" y="20" font-size="10" text-anchor="start">1000.0</text>
</svg>"##;
    let found = defects(bad, &["return period"], true);
    assert_eq!(found.len(), 4, "{found:#?}");
    let good = r##"<svg width="100" height="50" viewBox="0 0 100 50">
<polygon opacity="0.3" fill="#4878A8" points="0,0 1,1 2,0"/>
<text x="50" y="20" font-size="10" text-anchor="middle">1,000</text>
<text x="50" y="40" font-size="6" text-anchor="middle">return period</text>
</svg>"##;
    assert!(defects(good, &["return period"], true).is_empty());
}
