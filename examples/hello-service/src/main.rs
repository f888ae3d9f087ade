//! A minimal HTTP service with no dependencies beyond std, so berth's demo
//! builds offline anywhere. It answers every request with a small JSON body.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::{env, thread};

const MESSAGE: &str = "hello from berth";

fn main() {
    let addr = env::var("ADDR").unwrap_or_else(|_| "0.0.0.0:8080".to_string());
    let listener = TcpListener::bind(&addr).unwrap_or_else(|e| {
        eprintln!("hello-service: cannot listen on {addr}: {e}");
        std::process::exit(1);
    });
    eprintln!("hello-service: listening on {addr}");
    for stream in listener.incoming().flatten() {
        thread::spawn(move || {
            if let Err(e) = serve(stream) {
                eprintln!("hello-service: {e}");
            }
        });
    }
}

fn serve(mut stream: TcpStream) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    // Drain the headers; the body of a GET is empty.
    let mut line = String::new();
    while reader.read_line(&mut line)? > 2 {
        line.clear();
    }
    let path = request_line.split_whitespace().nth(1).unwrap_or("/");
    let body = format!(
        "{{\"service\":\"hello-service\",\"message\":\"{MESSAGE}\",\"path\":\"{}\"}}\n",
        path.replace('"', "")
    );
    write!(
        stream,
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    )
}
