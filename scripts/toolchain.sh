# Sourced by setup.sh and build.sh: the toolchain the shipped WebAssembly is built with.
#
# The release build uses a pinned nightly for flags stable Rust does not have (they only make the
# module smaller; the code is the same as stable builds and tests):
#   -Zbuild-std (std rebuilt with the crate, from the nightly's rust-src, so the flags below reach it;
#                the wasm32 rust-std of the nightly is not needed),
#   -Cpanic=immediate-abort (a panic traps at once: no unwinding or panic-message machinery),
#   -Zbuild-std-features=optimize_for_size (std's own size-optimised code paths),
#   -Zlocation-detail=none (no file/line/column strings for panics),
#   -Zfmt-debug=none (Debug formatting compiled to nothing),
#   -Zshare-generics=n (each generic instantiated in the crate that uses it, where LTO can inline and
#                drop it; shared instances of std's generics survived LTO: -6.2 KB gzip),
#   --remap-path-prefix (no path of the build machine in the module).
# Native tests and the browser adapter tests use the machine's stable toolchain.
NIGHTLY=nightly-2026-10-01
release_rustflags() {
  local sysroot
  sysroot=$(rustc +"$NIGHTLY" --print sysroot)
  echo "-Zunstable-options -Cpanic=immediate-abort -Zlocation-detail=none -Zfmt-debug=none -Zshare-generics=n" \
    "--remap-path-prefix=$PWD=/smart-wasm --remap-path-prefix=${CARGO_HOME:-$HOME/.cargo}=/cargo --remap-path-prefix=$sysroot=/rust"
}
release_build() { # extra cargo arguments
  RUSTFLAGS="$(release_rustflags)" cargo +"$NIGHTLY" build --release --target wasm32-unknown-unknown --quiet \
    -Zbuild-std=std,panic_abort -Zbuild-std-features=optimize_for_size --target-dir target/release-nightly "$@"
}
