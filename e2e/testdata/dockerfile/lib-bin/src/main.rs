const MESSAGE: &str = "hello from greeter";

fn main() {
    println!("{}", greeter::greeting(MESSAGE, 3));
}
