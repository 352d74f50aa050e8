//! Output sets: written atomically, and never at the cost of a file kexian did not write.
//!
//! `out` is a symbolic link to `.{name}.sets/{n}/` beside it, a directory holding the files
//! and `manifest.json` (each file's name, size and SHA-256), written last. A write:
//! 1. refuses an `out` that is not kexian's: an existing file, a directory that holds
//!    anything, a link that does not point into its own store (nothing there is touched);
//! 2. takes an advisory lock on the store `.{name}.sets/` (a second run into the same `out`
//!    waits up to 120 s, or `KEXIAN_LOCK_WAIT` seconds, and then fails, saying another run
//!    is writing);
//! 3. writes set n (one more than the newest) and syncs it, with a staging list of the names
//!    it is writing that is removed once the manifest is synced;
//! 4. replaces `out` by a fresh link to it with `rename`, which POSIX makes atomic;
//! 5. deletes sets older than the [`KEEP`] previous complete ones, and sets that killed runs
//!    left staged — only the files their manifest or staging list names, then the directory
//!    if that left it empty. Anything else in the store is left alone.
//!
//! A reader that resolves `out` once (opens the directory it points to, or `readlink`s it)
//! and reads the files there sees one complete set, whose manifest matches its files, as
//! long as it finishes before [`KEEP`] more sets of the same `out` have been written.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::fs::File;
use std::io::Write;
use std::path::{Component, Path, PathBuf};
use std::time::{Duration, Instant};

/// The manifest's name inside a set.
pub const MANIFEST: &str = "manifest.json";
/// The names a set is being written with, present until its manifest is synced.
const STAGING: &str = ".kexian-staging";
/// Previous complete sets kept beside the current one, for readers still resolving them.
pub const KEEP: usize = 2;
/// How long a run waits for another run writing the same `out`: `KEXIAN_LOCK_WAIT` seconds,
/// or 120.
fn lock_wait() -> Duration {
    let secs = std::env::var("KEXIAN_LOCK_WAIT").ok();
    Duration::from_secs(secs.and_then(|s| s.trim().parse().ok()).unwrap_or(120))
}

#[derive(Serialize, Deserialize)]
struct Manifest {
    written_by: String,
    files: Vec<Entry>,
}

#[derive(Serialize, Deserialize)]
struct Entry {
    name: String,
    bytes: u64,
    sha256: String,
}

type Res<T> = Result<T, String>;

fn at(p: &Path, e: impl std::fmt::Display) -> String {
    format!("{}: {e}", p.display())
}

/// `out`, its parent directory, its name and its store of sets.
struct Target {
    out: PathBuf,
    parent: PathBuf,
    name: String,
    store: PathBuf,
}

impl Target {
    fn new(out: &Path) -> Res<Self> {
        // Without a trailing `/`, which would make the path name the directory a link
        // points to rather than the link.
        let out: PathBuf = out.components().collect();
        let out = out.as_path();
        let name = match out.components().next_back() {
            Some(Component::Normal(n)) => n.to_string_lossy().into_owned(),
            _ => {
                return Err(format!(
                    "{}: not a directory name; --out names a new directory or one that kexian \
                     wrote before",
                    out.display()
                ));
            }
        };
        let parent = match out.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let store = parent.join(format!(".{name}.sets"));
        Ok(Self {
            out: out.to_path_buf(),
            parent,
            name,
            store,
        })
    }

    /// What `out` is now; an error for anything kexian may not replace.
    fn state(&self) -> Res<State> {
        let out = &self.out;
        let meta = match std::fs::symlink_metadata(out) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(State::Absent),
            Err(e) => return Err(at(out, e)),
            Ok(m) => m,
        };
        let refused = "refused, and left as it is: kexian replaces only the output sets it \
                       wrote; choose another --out, or move it away yourself";
        if meta.file_type().is_symlink() {
            let to = std::fs::read_link(out).map_err(|e| at(out, e))?;
            if self.set_id(&to).is_some() {
                self.check_store()?;
                return Ok(State::Ours);
            }
            return Err(format!(
                "{}: a symbolic link to {} that kexian did not make: {refused}",
                out.display(),
                to.display()
            ));
        }
        if meta.is_dir() {
            let mut entries = std::fs::read_dir(out).map_err(|e| at(out, e))?;
            if entries.next().is_none() {
                return Ok(State::Empty);
            }
            return Err(format!(
                "{}: an existing directory with files that kexian did not write: {refused}",
                out.display()
            ));
        }
        Err(format!(
            "{}: exists and is not a directory: {refused}",
            out.display()
        ))
    }

    /// An error when the store exists but is not a directory of its own (a file, or a link
    /// to a directory elsewhere).
    fn check_store(&self) -> Res<()> {
        match std::fs::symlink_metadata(&self.store) {
            Ok(m) if !m.is_dir() => Err(format!(
                "{}: not a directory kexian made for the sets of {}: refused, and left as it is",
                self.store.display(),
                self.out.display()
            )),
            _ => Ok(()),
        }
    }

    /// The set number a link `to` names when it is `.{name}.sets/{n}` (kexian's own form).
    fn set_id(&self, to: &Path) -> Option<u64> {
        let mut parts = to.components();
        let store = format!(".{}.sets", self.name);
        match (parts.next(), parts.next(), parts.next()) {
            (Some(Component::Normal(s)), Some(Component::Normal(id)), None)
                if s.to_str() == Some(store.as_str()) =>
            {
                set_number(id.to_str()?)
            }
            _ => None,
        }
    }
}

/// What `out` is before a write.
#[derive(Clone, Copy, PartialEq)]
enum State {
    Absent,
    /// An empty directory: removed (losing nothing) and replaced by the link.
    Empty,
    /// A link to one of its own sets.
    Ours,
}

/// Fails early — before a run computes anything — when `out` could not take an output set:
/// its parent cannot be written, or `out` is not kexian's to replace (see the module
/// documentation).
pub fn check(out: &Path) -> Res<()> {
    let target = Target::new(out)?;
    let parent = &target.parent;
    std::fs::create_dir_all(parent).map_err(|e| at(parent, e))?;
    target.state()?;
    // A probe file of a name no one else uses, created new (never over another file).
    let stamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let probe = parent.join(format!(".kexian-probe-{}-{stamp}", std::process::id()));
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&probe)
        .map_err(|e| at(parent, e))?;
    let _ = std::fs::remove_file(&probe);
    Ok(())
}

fn write_synced(path: &Path, bytes: &[u8]) -> Res<()> {
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(|e| at(path, e))?;
    f.write_all(bytes).map_err(|e| at(path, e))?;
    f.sync_all().map_err(|e| at(path, e))
}

fn sync_dir(dir: &Path) {
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
}

/// The number of a set's directory name `n`; 0 for the `{time}-{process}` names of sets
/// written before sets were numbered (older than any numbered set).
fn set_number(name: &str) -> Option<u64> {
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    match name.split_once('-') {
        None if digits(name) => name.parse().ok(),
        Some((a, b)) if digits(a) && digits(b) => Some(0),
        _ => None,
    }
}

/// A file name of a set: one plain component.
fn plain(name: &str) -> bool {
    matches!(
        Path::new(name).components().collect::<Vec<_>>()[..],
        [Component::Normal(_)]
    )
}

/// Writes `files` as the new set of `out` (see the module documentation). Errors name the
/// path; on any error `out` still holds the previous set.
pub fn write_set(out: &Path, files: &[(&str, Vec<u8>)]) -> Res<()> {
    let target = Target::new(out)?;
    if let Some((name, _)) = files
        .iter()
        .find(|(n, _)| !plain(n) || *n == MANIFEST || *n == STAGING)
    {
        return Err(format!("`{name}` cannot be a file of an output set"));
    }
    target.state()?;
    std::fs::create_dir_all(&target.parent).map_err(|e| at(&target.parent, e))?;
    match std::fs::create_dir(&target.store) {
        Err(e) if e.kind() != std::io::ErrorKind::AlreadyExists => {
            return Err(at(&target.store, e));
        }
        _ => {}
    }
    target.check_store()?;
    let _lock = lock(&target)?;
    // Again under the lock: another run may have written meanwhile.
    let state = target.state()?;
    let store = Store::read(&target.store)?;
    let id = store.last + 1;
    let dir = target.store.join(id.to_string());
    std::fs::create_dir(&dir).map_err(|e| at(&dir, e))?;
    let set = Set {
        id,
        dir,
        names: files.iter().map(|(n, _)| (*n).to_owned()).collect(),
        complete: false,
    };
    // A failed write removes what it wrote (a killed one is removed by the next run).
    let written = write_files(&set, files).and_then(|()| swap(&target, state, id));
    if written.is_err() {
        set.delete();
    }
    written?;
    store.prune(id);
    Ok(())
}

/// Writes `set`: the staging list, `files` and the manifest (each synced), then removes the
/// staging list.
fn write_files(set: &Set, files: &[(&str, Vec<u8>)]) -> Res<()> {
    let staging = set.dir.join(STAGING);
    let names = serde_json::to_vec(&set.names).map_err(|e| e.to_string())?;
    write_synced(&staging, &names)?;
    let mut entries = Vec::with_capacity(files.len());
    for (file, bytes) in files {
        write_synced(&set.dir.join(file), bytes)?;
        entries.push(Entry {
            name: (*file).to_owned(),
            bytes: bytes.len() as u64,
            sha256: format!("{:x}", Sha256::digest(bytes)),
        });
    }
    let manifest = Manifest {
        written_by: format!("kexian {}", env!("CARGO_PKG_VERSION")),
        files: entries,
    };
    let text = serde_json::to_vec_pretty(&manifest).map_err(|e| e.to_string())?;
    write_synced(&set.dir.join(MANIFEST), &text)?;
    std::fs::remove_file(&staging).map_err(|e| at(&staging, e))?;
    sync_dir(&set.dir);
    Ok(())
}

/// Takes the advisory lock on `target`'s store, waiting up to [`lock_wait`] for another run.
fn lock(target: &Target) -> Res<File> {
    let store = &target.store;
    let dir = File::open(store).map_err(|e| at(store, e))?;
    let (start, wait) = (Instant::now(), lock_wait());
    loop {
        match dir.try_lock() {
            Ok(()) => return Ok(dir),
            Err(std::fs::TryLockError::WouldBlock) if start.elapsed() < wait => {
                std::thread::sleep(Duration::from_millis(20));
            }
            Err(std::fs::TryLockError::WouldBlock) => {
                return Err(format!(
                    "{}: another kexian run is writing this output (it holds the lock on {}) \
                     and has not finished within {} s; wait for it, or choose another --out",
                    target.out.display(),
                    store.display(),
                    wait.as_secs()
                ));
            }
            Err(std::fs::TryLockError::Error(e)) => return Err(at(store, e)),
        }
    }
}

/// One of kexian's sets in a store.
struct Set {
    id: u64,
    dir: PathBuf,
    /// The names its manifest lists, or its staging list names (a run killed while writing).
    names: Vec<String>,
    complete: bool,
}

/// The sets of a store that kexian recognises as its own: directories named by a number
/// (see [`set_number`]) that hold a staging list (whole or torn: it is written first) or a
/// kexian manifest, or nothing at all.
struct Store {
    sets: Vec<Set>,
    /// The largest number any directory of the store is named by (recognised or not).
    last: u64,
}

impl Store {
    fn read(store: &Path) -> Res<Self> {
        let (mut sets, mut last) = (Vec::new(), 0);
        for e in std::fs::read_dir(store)
            .map_err(|e| at(store, e))?
            .flatten()
        {
            let Some(id) = e.file_name().to_str().and_then(set_number) else {
                continue;
            };
            last = last.max(id);
            if !e.file_type().is_ok_and(|t| t.is_dir()) {
                continue;
            }
            let dir = e.path();
            // A torn staging list: the run died writing it, before any other file.
            let staged = std::fs::read(dir.join(STAGING))
                .ok()
                .map(|b| serde_json::from_slice::<Vec<String>>(&b).unwrap_or_default());
            let listed = std::fs::read(dir.join(MANIFEST))
                .ok()
                .and_then(|b| serde_json::from_slice::<Manifest>(&b).ok())
                .filter(|m| m.written_by.starts_with("kexian "));
            let empty = || std::fs::read_dir(&dir).is_ok_and(|mut d| d.next().is_none());
            let (names, complete) = match (staged, listed) {
                (Some(names), _) => (names, false),
                (None, Some(m)) => (m.files.into_iter().map(|f| f.name).collect(), true),
                (None, None) if empty() => (Vec::new(), false),
                (None, None) => continue,
            };
            sets.push(Set {
                id,
                dir,
                names,
                complete,
            });
        }
        Ok(Self { sets, last })
    }

    /// Deletes the sets older than the [`KEEP`] newest complete ones before `current`, and
    /// every staged set (no run but this one, which holds the lock, can be writing).
    fn prune(mut self, current: u64) {
        self.sets.sort_by_key(|s| std::cmp::Reverse(s.id));
        let mut kept = 0;
        for s in &self.sets {
            let keep = s.complete && s.id < current && kept < KEEP;
            kept += usize::from(keep);
            if !keep && s.id != current {
                s.delete();
            }
        }
    }
}

impl Set {
    /// Deletes the files it names, its manifest and staging list, then the directory if
    /// that left it empty (a file someone else put there keeps it).
    fn delete(&self) {
        for name in self.names.iter().filter(|n| plain(n)) {
            let _ = std::fs::remove_file(self.dir.join(name));
        }
        let _ = std::fs::remove_file(self.dir.join(MANIFEST));
        let _ = std::fs::remove_file(self.dir.join(STAGING));
        let _ = std::fs::remove_dir(&self.dir);
    }
}

/// Points `out` at set `id` atomically (an empty directory `out` is removed first).
#[cfg(unix)]
fn swap(target: &Target, state: State, id: u64) -> Res<()> {
    let link = target.store.join(".link");
    if std::fs::symlink_metadata(&link).is_ok_and(|m| m.file_type().is_symlink()) {
        std::fs::remove_file(&link).map_err(|e| at(&link, e))?;
    }
    let to = Path::new(&format!(".{}.sets", target.name)).join(id.to_string());
    std::os::unix::fs::symlink(&to, &link).map_err(|e| at(&link, e))?;
    if state == State::Empty {
        // Fails, touching nothing, if a file appeared in it meanwhile.
        std::fs::remove_dir(&target.out).map_err(|e| at(&target.out, e))?;
    }
    std::fs::rename(&link, &target.out).map_err(|e| at(&target.out, e))
}

/// Without symbolic links, `out` cannot be swapped atomically: refused rather than risked.
#[cfg(not(unix))]
fn swap(target: &Target, _state: State, _id: u64) -> Res<()> {
    Err(format!(
        "{}: output sets need symbolic links (a unix system)",
        target.out.display()
    ))
}
