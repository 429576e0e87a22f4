//! A size-limited tmpfs the test mounts and unmounts, to make a filesystem fill up for real.
//! Mounting needs root (CI runs as root); without it the test fails and says so, never skips.

use std::path::{Path, PathBuf};
use std::process::Command;

pub struct Tmpfs {
    path: PathBuf,
    _parent: tempfile::TempDir,
}

impl Tmpfs {
    /// Mounts a tmpfs of `size` (e.g. "8m") on a new temporary directory.
    pub fn mount(size: &str) -> Tmpfs {
        let uid = Command::new("id").arg("-u").output().expect("id -u runs");
        assert_eq!(
            String::from_utf8_lossy(&uid.stdout).trim(),
            "0",
            "this test mounts a small tmpfs to fill a filesystem for real and needs root \
             (CI runs as root): run it as root, e.g. `sudo -E cargo test --test it disk_full`"
        );
        let parent = tempfile::tempdir().expect("temp dir");
        let path = parent.path().join("small");
        std::fs::create_dir(&path).expect("mount point");
        let output = Command::new("mount")
            .args([
                "-t",
                "tmpfs",
                "-o",
                &format!("size={size},mode=0755"),
                "tmpfs",
            ])
            .arg(&path)
            .output()
            .expect("mount runs");
        assert!(
            output.status.success(),
            "mount -t tmpfs failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        Tmpfs {
            path,
            _parent: parent,
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Bytes still free for an unprivileged writer, from statvfs via `df`.
    pub fn available(&self) -> u64 {
        let output = Command::new("df")
            .args(["--output=avail", "-B1"])
            .arg(&self.path)
            .output()
            .expect("df runs");
        String::from_utf8_lossy(&output.stdout)
            .lines()
            .nth(1)
            .and_then(|l| l.trim().parse().ok())
            .unwrap_or_else(|| panic!("df output: {output:?}"))
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let unmounted = Command::new("umount")
            .arg(&self.path)
            .status()
            .is_ok_and(|s| s.success());
        if !unmounted {
            // still busy (a process that has not exited yet): detach it now, freed when idle
            let _ = Command::new("umount").arg("-l").arg(&self.path).status();
        }
    }
}
