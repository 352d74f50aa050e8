//! Output sets as a reader sees them.

use std::path::Path;

/// Checks that `set` holds one complete output set of the bundled book's quote: its manifest
/// lists exactly the other files, with their sizes and SHA-256 digests, and quotes.csv has
/// every firm.
pub fn complete_set(set: &Path) -> Result<(), String> {
    use sha2::Digest;
    let manifest: serde_json::Value = serde_json::from_slice(
        &std::fs::read(set.join("manifest.json")).map_err(|e| format!("manifest: {e}"))?,
    )
    .map_err(|e| format!("manifest: {e}"))?;
    let mut listed = std::collections::BTreeSet::new();
    for f in manifest["files"].as_array().ok_or("no files")? {
        let name = f["name"].as_str().ok_or("no name")?;
        let bytes = std::fs::read(set.join(name)).map_err(|e| format!("{name}: {e}"))?;
        if bytes.len() as u64 != f["bytes"].as_u64().unwrap_or(0)
            || format!("{:x}", sha2::Sha256::digest(&bytes)) != f["sha256"].as_str().unwrap_or("")
        {
            return Err(format!("{name} does not match the manifest"));
        }
        listed.insert(name.to_owned());
    }
    let present: std::collections::BTreeSet<String> = std::fs::read_dir(set)
        .map_err(|e| e.to_string())?
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n != "manifest.json")
        .collect();
    if present != listed {
        return Err(format!("files {present:?} vs manifest {listed:?}"));
    }
    let quotes = std::fs::read_to_string(set.join("quotes.csv")).map_err(|e| e.to_string())?;
    if quotes.lines().count() != 301 {
        return Err("quotes.csv is not whole".into());
    }
    Ok(())
}
