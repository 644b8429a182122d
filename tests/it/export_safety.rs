//! Exports never leave a partial file and never overwrite without consent.

use std::process::Command;

use crate::common;

use common::ties;

#[test]
fn refuses_to_overwrite_without_force() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("g.json");
    std::fs::write(&out, "precious").unwrap();
    let o = ties()
        .args(["export", "--format", "json", "-o"])
        .arg(&out)
        .output();
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--force"));
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "precious");
    let o = ties()
        .args(["export", "--format", "json", "--force", "-o"])
        .arg(&out)
        .output();
    assert!(o.status.success());
    assert!(std::fs::read_to_string(&out).unwrap().starts_with('{'));
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
}

#[test]
fn read_only_place_is_reported_cleanly() {
    // /sys refuses new files even to root.
    let o = ties()
        .args(["export", "--format", "json", "-o", "/sys/ties-export.json"])
        .output();
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("cannot write /sys/ties-export.json"), "{err}");
    assert!(
        !err.contains(".ties-export-"),
        "temporary name leaked: {err}"
    );
    assert!(!std::path::Path::new("/sys/ties-export.json").exists());
}

#[test]
#[ignore = "needs root, to mount a small tmpfs"]
fn full_disk_leaves_no_partial_file() {
    let dir = tempfile::tempdir().unwrap();
    let mounted = Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=8k", "tmpfs"])
        .arg(dir.path())
        .status()
        .is_ok_and(|s| s.success());
    assert!(
        mounted,
        "cannot mount a small tmpfs to fill: this test needs root"
    );
    let out = dir.path().join("big.json");
    let o = ties()
        .args(["export", "--format", "json", "-o"])
        .arg(&out)
        .output();
    let listing: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    let _ = Command::new("umount").arg(dir.path()).status();
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("No space left on device"), "{err}");
    assert!(listing.is_empty(), "left behind: {listing:?}");
}
