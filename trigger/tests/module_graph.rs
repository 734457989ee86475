//! The trigger's modules use each other without a cycle: `scripts/module-graph trigger/src`
//! prints `cycles: none` (the same check as for `bulk`), so a job never needs another job to
//! compile and each can be read on its own.

use std::path::Path;
use std::process::Command;

#[test]
fn the_trigger_has_no_module_cycle() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let output = Command::new("python3")
        .arg(root.join("scripts/module-graph"))
        .arg("trigger/src")
        .output()
        .expect("python3 runs scripts/module-graph");
    let printed = String::from_utf8_lossy(&output.stdout);
    assert!(
        printed.lines().any(|line| line == "cycles: none"),
        "scripts/module-graph trigger/src found a cycle; break it by moving the shared piece \
         into a module both use:\n{printed}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(output.status.success(), "{printed}");
    assert!(
        printed.lines().any(|line| line.starts_with("dispatch -> ")),
        "the graph lists the trigger's modules:\n{printed}"
    );
}
