fn main() {
    println!("platform-tui {}", env!("CARGO_PKG_VERSION"));
}
