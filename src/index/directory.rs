//! The index folder as tantivy sees it: tantivy's memory-mapped directory, except that
//! - an index the user may only read (an archive on a read-only disk, another user's index) can
//!   still be searched. tantivy takes its meta lock, which only keeps a writer's clean-up from
//!   deleting files while a reader opens them, by opening a file for writing; where that is
//!   refused, the reader goes on without it. The writer's lock stays strict.
//! - index files are written in aligned chunks of 2 MiB (tantivy writes 8 KiB at a time), so
//!   that a kernel with large page-cache folios (Linux 6.18 on ext4, as measured) keeps them in
//!   2 MiB pages: a search that maps them then takes one page fault per 2 MiB instead of one
//!   per 64 KiB.

use std::fs::{File, OpenOptions};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use tantivy::directory::error::{
    DeleteError, LockError, OpenDirectoryError, OpenReadError, OpenWriteError,
};
use tantivy::directory::{
    AntiCallToken, Directory, DirectoryLock, FileHandle, Lock, META_LOCK, MmapDirectory,
    TerminatingWrite, WatchCallback, WatchHandle, WritePtr,
};

#[derive(Debug, Clone)]
pub struct IndexDir {
    mmap: MmapDirectory,
    root: PathBuf,
}

impl IndexDir {
    pub fn open(path: &Path) -> Result<IndexDir, OpenDirectoryError> {
        Ok(IndexDir {
            mmap: mmap_directory(path)?,
            root: path.to_path_buf(),
        })
    }
}

/// tantivy's directory, asking on Linux for huge pages: a file read from disk is then cached in
/// 2 MiB folios, as if korpus had written it.
fn mmap_directory(path: &Path) -> Result<MmapDirectory, OpenDirectoryError> {
    #[cfg(target_os = "linux")]
    return MmapDirectory::open_with_madvice(path, tantivy::directory::Advice::HugePage);
    #[cfg(not(target_os = "linux"))]
    return MmapDirectory::open(path);
}

/// The size and alignment of the writes to an index file: a huge page on x86-64 and arm64.
const CHUNK: usize = 2 << 20;

/// A new index file, written in whole aligned chunks (the rest when it is terminated) and
/// synced then, as tantivy's own writer does. Like tantivy's, `flush` does not write: nothing
/// reads a file before it is terminated.
struct ChunkedFile {
    file: File,
    buf: Vec<u8>,
}

impl Write for ChunkedFile {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        if data.is_empty() {
            return Ok(0);
        }
        // A full chunk is written before more is taken, so that an error takes nothing.
        if self.buf.len() == CHUNK {
            self.file.write_all(&self.buf)?;
            self.buf.clear();
        }
        let n = data.len().min(CHUNK - self.buf.len());
        self.buf.extend_from_slice(&data[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl TerminatingWrite for ChunkedFile {
    fn terminate_ref(&mut self, _: AntiCallToken) -> io::Result<()> {
        self.file.write_all(&self.buf)?;
        self.buf = Vec::new();
        self.file.sync_data()
    }
}

impl Directory for IndexDir {
    fn get_file_handle(&self, path: &Path) -> Result<Arc<dyn FileHandle>, OpenReadError> {
        self.mmap.get_file_handle(path)
    }
    fn delete(&self, path: &Path) -> Result<(), DeleteError> {
        self.mmap.delete(path)
    }
    fn exists(&self, path: &Path) -> Result<bool, OpenReadError> {
        self.mmap.exists(path)
    }
    fn open_write(&self, path: &Path) -> Result<WritePtr, OpenWriteError> {
        // As tantivy's directory does: a new file, synced when terminated; the folder is
        // synced by the commit.
        let file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(self.root.join(path))
            .map_err(|e| match e.kind() {
                io::ErrorKind::AlreadyExists => OpenWriteError::FileAlreadyExists(path.into()),
                _ => OpenWriteError::wrap_io_error(e, path.into()),
            })?;
        // No second buffer: every write goes straight to the chunk.
        let chunked = ChunkedFile {
            file,
            buf: Vec::with_capacity(CHUNK),
        };
        Ok(BufWriter::with_capacity(0, Box::new(chunked)))
    }
    fn atomic_read(&self, path: &Path) -> Result<Vec<u8>, OpenReadError> {
        self.mmap.atomic_read(path)
    }
    fn atomic_write(&self, path: &Path, data: &[u8]) -> std::io::Result<()> {
        self.mmap.atomic_write(path, data)
    }
    fn sync_directory(&self) -> std::io::Result<()> {
        self.mmap.sync_directory()
    }
    fn watch(&self, watch_callback: WatchCallback) -> tantivy::Result<WatchHandle> {
        self.mmap.watch(watch_callback)
    }
    fn acquire_lock(&self, lock: &Lock) -> Result<DirectoryLock, LockError> {
        use std::io::ErrorKind::{PermissionDenied, ReadOnlyFilesystem};
        match self.mmap.acquire_lock(lock) {
            Err(LockError::IoError(io))
                if lock.filepath == META_LOCK.filepath
                    && matches!(io.kind(), PermissionDenied | ReadOnlyFilesystem) =>
            {
                Ok(DirectoryLock::from(Box::new(ReadOnly(
                    lock.filepath.clone(),
                ))))
            }
            other => other,
        }
    }
}

/// The stand-in for a lock that a read-only index cannot take.
struct ReadOnly(#[allow(dead_code)] PathBuf);

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The length of the file on disk while it is being written.
    fn on_disk(dir: &Path, name: &str) -> u64 {
        std::fs::metadata(dir.join(name)).unwrap().len()
    }

    #[test]
    fn files_reach_the_disk_in_whole_chunks_and_complete_on_terminate() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = IndexDir::open(tmp.path()).unwrap();
        let name = Path::new("seg.store");
        let mut w = dir.open_write(name).unwrap();
        let data: Vec<u8> = (0..CHUNK * 2 + 12_345).map(|i| (i % 251) as u8).collect();
        let mut written = 0;
        for piece in data.chunks(8191) {
            w.write_all(piece).unwrap();
            w.flush().unwrap();
            written += piece.len();
            let len = on_disk(tmp.path(), "seg.store") as usize;
            assert_eq!(len % CHUNK, 0, "a partial chunk reached the disk");
            assert_eq!(
                len,
                (written - 1) / CHUNK * CHUNK,
                "a full chunk was held back"
            );
        }
        w.terminate().unwrap();
        assert_eq!(std::fs::read(tmp.path().join(name)).unwrap(), data);
        assert!(matches!(
            dir.open_write(name),
            Err(OpenWriteError::FileAlreadyExists(_))
        ));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(16))]
        #[test]
        fn any_writes_give_the_same_file(sizes in proptest::collection::vec(0usize..300_000, 0..40)) {
            let tmp = tempfile::tempdir().unwrap();
            let dir = IndexDir::open(tmp.path()).unwrap();
            let mut w = dir.open_write(Path::new("f")).unwrap();
            let mut expected = Vec::new();
            for (i, n) in sizes.iter().enumerate() {
                let piece = vec![i as u8; *n];
                w.write_all(&piece).unwrap();
                expected.extend_from_slice(&piece);
            }
            w.terminate().unwrap();
            prop_assert_eq!(std::fs::read(tmp.path().join("f")).unwrap(), expected);
        }
    }
}
