//! The Fluent files are embedded by `static_loader!`, which tracks the files
//! it found but not the folders: without this, a new `.ftl` file would not
//! rebuild the crate.

fn main() {
    println!("cargo:rerun-if-changed=locales");
}
