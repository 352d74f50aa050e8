//! What a committee rejects in a chart, read off its SVG text: tick labels like "50000.0",
//! text outside the view box, bands drawn fully transparent, missing axis titles.

/// The defects of `svg`: each a sentence; `titles` must appear as text, `band` asks for a
/// shaded polygon (opacity > 0).
pub fn defects(svg: &str, titles: &[&str], band: bool) -> Vec<String> {
    let mut out = Vec::new();
    let attr = |tag: &str, name: &str| -> Option<f64> {
        let key = format!(" {name}=\"");
        let start = tag.find(&key)? + key.len();
        tag[start..].split('"').next()?.parse().ok()
    };
    let head = svg.split('>').next().unwrap_or("");
    let (w, h) = (
        attr(head, "width").unwrap_or(0.0),
        attr(head, "height").unwrap_or(0.0),
    );
    let mut texts = Vec::new();
    for piece in svg.split("<text").skip(1) {
        let Some((tag, rest)) = piece.split_once('>') else {
            continue;
        };
        let content = rest.split("</text>").next().unwrap_or("").trim().to_owned();
        let (x, y) = (
            attr(tag, "x").unwrap_or(-1.0),
            attr(tag, "y").unwrap_or(-1.0),
        );
        let size = attr(tag, "font-size").unwrap_or(12.0);
        // Width: CJK glyphs one em, others about 0.6 em.
        let width: f64 = content
            .chars()
            .map(|c| if c > '\u{2e80}' { 1.0 } else { 0.6 })
            .sum::<f64>()
            * size;
        let (lo, hi) = if tag.contains("text-anchor=\"middle\"") {
            (-width / 2.0, width / 2.0)
        } else if tag.contains("text-anchor=\"end\"") {
            (-width, 0.0)
        } else {
            (0.0, width)
        };
        let inside = if tag.contains("rotate(") {
            y + lo >= 0.0 && y + hi <= h && x >= 0.0 && x <= w
        } else {
            x + lo >= -0.5 && x + hi <= w + 0.5 && y >= 0.0 && y <= h
        };
        if !inside {
            out.push(format!(
                "text `{content}` at ({x}, {y}) leaves the {w}×{h} view box"
            ));
        }
        let number = content.replace(',', "");
        if number.parse::<f64>().is_ok() && number.ends_with(".0") {
            out.push(format!("tick `{content}` ends in .0"));
        }
        texts.push(content);
    }
    for t in titles {
        if !texts.iter().any(|x| x.contains(t)) {
            out.push(format!("no text `{t}`"));
        }
    }
    if band {
        let shaded = svg.split("<polygon").skip(1).any(|p| {
            let tag = p.split('>').next().unwrap_or("");
            attr(tag, "opacity").is_some_and(|o| o > 0.0)
        });
        if !shaded {
            out.push("no shaded band".into());
        }
    }
    out
}
