const MESSAGE: &str = "hello from the nested workspace";

fn main() {
    let mut buf = ryu::Buffer::new();
    println!("{} ({})", shout::shout(MESSAGE), buf.format(1.5));
    // Set by ../../../../.cargo/config.toml.
    println!("rustflags from .cargo/config.toml: {}", cfg!(berth_nested));
}
