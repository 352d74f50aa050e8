//! Output sets written atomically: a reader of `out` sees the previous complete set or the
//! new one, never a mix, whatever happens during the write (kill, full disk, a failing file).
//!
//! `out` is a symbolic link to `.{name}.sets/{id}/`, a directory holding the files and
//! `manifest.json` (each file's name, size and SHA-256), written last. A new set is written
//! and synced beside the old one, then a fresh link replaces `out` by `rename`, which POSIX
//! makes atomic; older sets are removed afterwards. An `out` that is still a plain directory
//! (from an earlier version) is moved aside once, the only non-atomic step.

use serde::Serialize;
use sha2::{Digest, Sha256};
use std::io::Write;
use std::path::{Path, PathBuf};

/// The manifest's name inside a set.
pub(crate) const MANIFEST: &str = "manifest.json";

#[derive(Serialize)]
struct Manifest<'a> {
    written_by: String,
    files: Vec<Entry<'a>>,
}

#[derive(Serialize)]
struct Entry<'a> {
    name: &'a str,
    bytes: usize,
    sha256: String,
}

fn at(p: &Path, e: std::io::Error) -> String {
    format!("{}: {e}", p.display())
}

fn write_synced(path: &Path, bytes: &[u8]) -> Result<(), String> {
    let mut f = std::fs::File::create(path).map_err(|e| at(path, e))?;
    f.write_all(bytes).map_err(|e| at(path, e))?;
    f.sync_all().map_err(|e| at(path, e))
}

/// Writes `files` as the new set of `out` (see the module documentation). Errors name the
/// path; on any error `out` still holds the previous set.
pub(crate) fn write_set(out: &Path, files: &[(&str, Vec<u8>)]) -> Result<(), String> {
    let parent = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = out
        .file_name()
        .ok_or_else(|| format!("{}: not a directory name", out.display()))?
        .to_string_lossy()
        .into_owned();
    let sets = parent.join(format!(".{name}.sets"));
    std::fs::create_dir_all(&sets).map_err(|e| at(&sets, e))?;
    let stamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let id = format!("{stamp}-{}", std::process::id());
    let set = sets.join(&id);
    std::fs::create_dir(&set).map_err(|e| at(&set, e))?;
    let mut entries = Vec::with_capacity(files.len());
    for (file, bytes) in files {
        write_synced(&set.join(file), bytes)?;
        entries.push(Entry {
            name: file,
            bytes: bytes.len(),
            sha256: format!("{:x}", Sha256::digest(bytes)),
        });
    }
    let manifest = Manifest {
        written_by: format!("kexian {}", env!("CARGO_PKG_VERSION")),
        files: entries,
    };
    let text = serde_json::to_vec_pretty(&manifest).map_err(|e| e.to_string())?;
    write_synced(&set.join(MANIFEST), &text)?;
    if let Ok(dir) = std::fs::File::open(&set) {
        let _ = dir.sync_all();
    }
    swap(out, &parent, &name, &sets, &id)?;
    // Older sets (and those of killed runs) go; the one `out` names stays.
    if let Ok(entries) = std::fs::read_dir(&sets) {
        for e in entries.flatten() {
            if e.file_name() != id.as_str() {
                let _ = std::fs::remove_dir_all(e.path());
            }
        }
    }
    Ok(())
}

/// Points `out` at `sets/id` atomically.
#[cfg(unix)]
fn swap(out: &Path, parent: &Path, name: &str, sets: &Path, id: &str) -> Result<(), String> {
    let meta = std::fs::symlink_metadata(out);
    if let Ok(m) = &meta {
        if m.is_dir() {
            let legacy = sets.join(format!("legacy-{id}"));
            std::fs::rename(out, &legacy).map_err(|e| at(out, e))?;
        } else if !m.file_type().is_symlink() {
            return Err(format!("{}: exists and is not a directory", out.display()));
        }
    }
    let link = parent.join(format!(".{name}.link-{}", std::process::id()));
    let _ = std::fs::remove_file(&link);
    let target = Path::new(&format!(".{name}.sets")).join(id);
    std::os::unix::fs::symlink(&target, &link).map_err(|e| at(&link, e))?;
    std::fs::rename(&link, out).map_err(|e| at(out, e))
}

/// Without symbolic links: the new set replaces `out` by two renames.
#[cfg(not(unix))]
fn swap(out: &Path, _parent: &Path, _name: &str, sets: &Path, id: &str) -> Result<(), String> {
    let old = sets.join(format!("old-{id}"));
    if out.exists() {
        std::fs::rename(out, &old).map_err(|e| at(out, e))?;
    }
    std::fs::rename(sets.join(id), out).map_err(|e| at(out, e))
}
