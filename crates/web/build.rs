//! Makes sure the front-end packages (KERN UX, fonts) are installed from the npm registry so
//! that the binary can embed them; npm runs only when they are missing.
use std::path::PathBuf;
use std::process::Command;

fn main() {
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap_or_default())
        .join("../..")
        .canonicalize()
        .unwrap_or_else(|_| PathBuf::from("../.."));
    let modules = root.join("node_modules");
    let marker = modules.join("@kern-ux/native/dist/kern.min.css");
    if !marker.exists() || !modules.join("@fontsource/noto-sans-arabic/files").exists() {
        let status = Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund", "--omit=dev"])
            .current_dir(&root)
            .status();
        match status {
            Ok(s) if s.success() => {}
            other => panic!(
                "could not install the front-end packages with `npm ci` in {}: {other:?}",
                root.display()
            ),
        }
    }
    println!("cargo:rustc-env=TH_NODE_MODULES={}", modules.display());
    println!(
        "cargo:rerun-if-changed={}",
        root.join("package-lock.json").display()
    );
    println!("cargo:rerun-if-changed={}", marker.display());
}
