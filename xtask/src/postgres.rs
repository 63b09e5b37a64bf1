//! A throw-away PostgreSQL server from Debian's package, on a loopback port, for the relay's tests.
//!
//! PostgreSQL refuses to run as root, so as root the server runs as the `postgres` user the package creates.
//! Durability is switched off (fsync): the tests check behaviour, not power loss.

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};

use crate::cmd::{self, exec, output};
use crate::tools;

/// A running server, stopped and removed on drop.
pub struct Postgres {
    child: Child,
    dir: PathBuf,
    /// `postgres://postgres@127.0.0.1:PORT/postgres`.
    pub url: String,
}

impl Drop for Postgres {
    fn drop(&mut self) {
        // SIGTERM: a "smart" shutdown, then wait for it.
        let _ = Command::new("kill").arg(self.child.id().to_string()).status();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The directory of Debian's PostgreSQL binaries, installing the package if needed (as root).
fn binaries() -> anyhow::Result<PathBuf> {
    if let Some(dir) = find_binaries() {
        return Ok(dir);
    }
    if !tools::is_root() {
        bail!("the relay's tests need PostgreSQL: run `sudo apt-get install postgresql`");
    }
    tools::apt_install(&["postgresql"])?;
    find_binaries().context("postgresql is installed but no /usr/lib/postgresql/*/bin/postgres was found")
}

fn find_binaries() -> Option<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|entry| entry.ok().map(|e| e.path().join("bin")))
        .filter(|bin| bin.join("postgres").is_file() && bin.join("initdb").is_file())
        .collect();
    dirs.sort();
    dirs.pop()
}

/// Runs a PostgreSQL program, as the `postgres` user when we are root.
fn as_server_user(program: &Path) -> Command {
    if tools::is_root() {
        let mut command = Command::new("runuser");
        command.args(["-u", "postgres", "--"]).arg(program);
        command
    } else {
        Command::new(program)
    }
}

/// Starts a fresh server and waits until it accepts connections.
pub fn start() -> anyhow::Result<Postgres> {
    let bin = binaries()?;
    cmd::step("starting a throw-away PostgreSQL");
    let dir = std::env::temp_dir().join(format!("sidechat-postgres-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir)?;
    if tools::is_root() {
        exec(Command::new("chown").args(["-R", "postgres:postgres"]).arg(&dir))?;
    }
    let data = dir.join("data");
    exec(
        as_server_user(&bin.join("initdb"))
            .arg("-D")
            .arg(&data)
            .args(["-U", "postgres", "--auth=trust", "--encoding=UTF8", "--no-sync"])
            .stdout(Stdio::null()),
    )?;
    let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
    let child = as_server_user(&bin.join("postgres"))
        .arg("-D")
        .arg(&data)
        .args(["-p", &port.to_string(), "-c", "listen_addresses=127.0.0.1", "-c", "max_connections=400"])
        .args(["-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"])
        .arg("-c")
        .arg(format!("unix_socket_directories={}", dir.display()))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .context("starting postgres")?;
    let server = Postgres { child, dir, url: format!("postgres://postgres@127.0.0.1:{port}/postgres") };
    let started = Instant::now();
    let ready = bin.join("pg_isready");
    loop {
        let accepting = TcpStream::connect(("127.0.0.1", port)).is_ok()
            && output(Command::new(&ready).args(["-h", "127.0.0.1", "-p", &port.to_string(), "-U", "postgres"]))
                .is_some();
        if accepting {
            return Ok(server);
        }
        if started.elapsed() > Duration::from_secs(30) {
            bail!("PostgreSQL did not accept connections on port {port} within 30 s");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}
