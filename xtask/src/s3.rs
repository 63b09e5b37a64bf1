//! A local S3-compatible server for the relay's file store tests: moto's server mode, installed from PyPI (pinned)
//! into a virtual environment under `target/tools`, on a loopback port, with one bucket.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};

use crate::cmd::{self, exec};
use crate::tools;

/// moto and the web server its server mode needs, pinned.
const PACKAGES: [&str; 3] = ["moto[s3]==5.2.5", "flask==3.1.3", "flask-cors==6.0.5"];
/// The bucket the tests use.
pub const BUCKET: &str = "sidechat-test";

/// A running server, stopped on drop.
pub struct S3 {
    child: Child,
    /// `http://127.0.0.1:PORT`.
    pub endpoint: String,
}

impl Drop for S3 {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// moto's server, installed if needed.
fn moto_server() -> anyhow::Result<PathBuf> {
    let venv = cmd::root().join("target/tools/moto-5.2.5");
    let server = venv.join("bin/moto_server");
    if server.is_file() {
        return Ok(server);
    }
    cmd::step("installing moto (a local S3) from PyPI");
    let created = Command::new("python3").args(["-m", "venv"]).arg(&venv).status();
    if !created.is_ok_and(|status| status.success()) {
        if !tools::is_root() {
            bail!("the file store tests need Python 3 with venv: run `sudo apt-get install python3 python3-venv`");
        }
        tools::apt_install(&["python3", "python3-venv"])?;
        exec(Command::new("python3").args(["-m", "venv"]).arg(&venv))?;
    }
    exec(Command::new(venv.join("bin/pip")).args(["install", "-q", "--disable-pip-version-check"]).args(PACKAGES))?;
    Ok(server)
}

/// Starts a fresh server with the tests' bucket.
pub fn start() -> anyhow::Result<S3> {
    let server = moto_server()?;
    cmd::step("starting a local S3 (moto)");
    let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
    let child = Command::new(server)
        .args(["-H", "127.0.0.1", "-p", &port.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .context("starting moto_server")?;
    let s3 = S3 { child, endpoint: format!("http://127.0.0.1:{port}") };
    let started = Instant::now();
    loop {
        if let Ok(status) = create_bucket(port) {
            if status == 200 {
                return Ok(s3);
            }
            bail!("the local S3 answered {status} to creating the bucket");
        }
        if started.elapsed() > Duration::from_secs(60) {
            bail!("the local S3 did not start within a minute");
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// `PUT /{bucket}` (S3's CreateBucket, unsigned: moto does not check signatures); the HTTP status.
fn create_bucket(port: u16) -> anyhow::Result<u16> {
    let mut stream = TcpStream::connect(("127.0.0.1", port))?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    write!(
        stream,
        "PUT /{BUCKET} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    )?;
    let mut answer = String::new();
    stream.read_to_string(&mut answer)?;
    let status = answer.split_whitespace().nth(1).context("no HTTP status")?;
    Ok(status.parse()?)
}
