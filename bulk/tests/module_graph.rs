//! `bulk`'s modules use each other without a cycle: `scripts/module-graph bulk/src` prints
//! `cycles: none` (the trigger has the same check), so a command can be read and changed on its
//! own and the import cycle the last restructuring removed cannot come back unnoticed.

use std::path::Path;
use std::process::Command;

#[test]
fn bulk_has_no_module_cycle() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let output = Command::new("python3")
        .arg(root.join("scripts/module-graph"))
        .arg("bulk/src")
        .output()
        .expect("python3 runs scripts/module-graph");
    let printed = String::from_utf8_lossy(&output.stdout);
    assert!(
        printed.lines().any(|line| line == "cycles: none"),
        "scripts/module-graph bulk/src found a cycle; break it by moving the shared piece into a \
         module both use:\n{printed}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(output.status.success(), "{printed}");
    assert!(
        printed.lines().any(|line| line.starts_with("export -> ")),
        "the graph lists bulk's modules:\n{printed}"
    );
}
