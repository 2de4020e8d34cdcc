//! Rebuild when the embedded standard library or built-in packs change: `include_dir!`
//! does not tell cargo about the files it reads.
fn main() {
    println!("cargo:rerun-if-changed=../stdlib-rules");
    println!("cargo:rerun-if-changed=../packs");
}
